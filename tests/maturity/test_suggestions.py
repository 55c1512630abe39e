"""Suggested answers: what strong evidence shows, never more, never a 'no'."""

from assessments.maturity import Evidence, suggest_answers


def finding(capability, grade=1, strength="code", path="src/x.py"):
    return Evidence(capability, grade, strength, reason=f"found {capability}", path=path, line=3)


def test_strong_evidence_suggests_the_first_question_of_its_capability(catalogue):
    suggestions = suggest_answers(catalogue, [finding("ci", 1, "ci_config")])
    assert set(suggestions) == {"ci_runs_tests"}  # not whether CI gates merges
    assert suggestions["ci_runs_tests"].option == "yes"
    assert suggestions["ci_runs_tests"].evidence.path == "src/x.py"


def test_partial_evidence_suggests_partly(catalogue):
    assert (
        suggest_answers(catalogue, [finding("experiment_tracking", 0.5)])[
            "experiments_tracked"
        ].option
        == "partly"
    )


def test_mentions_and_file_names_suggest_nothing(catalogue):
    weak = [finding("experiment_tracking", 0.5, "mention"), finding("ci", 1, "file_name")]
    assert suggest_answers(catalogue, weak) == {}


def test_missing_evidence_never_suggests_no(catalogue):
    assert suggest_answers(catalogue, []) == {}
    assert suggest_answers(catalogue, [finding("ci", 0)]) == {}


def test_the_strongest_finding_of_a_capability_is_the_one_shown(catalogue):
    findings = [finding("ci", 0.5, "code", "a.py"), finding("ci", 1, "ci_config", "ci.yml")]
    suggestion = suggest_answers(catalogue, findings)["ci_runs_tests"]
    assert (suggestion.option, suggestion.evidence.path) == ("yes", "ci.yml")
