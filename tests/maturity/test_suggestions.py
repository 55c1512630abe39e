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


def test_evidence_of_llm_code_suggests_the_llm_context_keeping_every_question_visible(catalogue):
    # A floating model name grades pinning 0, yet it shows an LLM application all the same.
    suggestions = suggest_answers(catalogue, [finding("llm_model_pinning", 0, "code", "app.py")])
    assert set(suggestions) == {"llm_applications_in_use"}
    suggestion = suggestions["llm_applications_in_use"]
    assert (suggestion.option, suggestion.evidence.path) == ("with_retrieval", "app.py")
    traced = suggest_answers(catalogue, [finding("llm_tracing", 1, "code")])
    assert set(traced) == {"llm_applications_in_use", "llm_calls_traced"}


def test_a_prompt_file_alone_does_not_suggest_the_llm_context(catalogue):
    assert suggest_answers(catalogue, [finding("prompt_versioning", 1, "file_name")]) == {}


def test_older_catalogues_have_no_llm_context_to_suggest():
    from assessments.maturity.versions import load_catalogue_version

    old = load_catalogue_version("2026.11.1")
    assert suggest_answers(old, [finding("ci", 1, "ci_config")]).keys() == {"ci_runs_tests"}
