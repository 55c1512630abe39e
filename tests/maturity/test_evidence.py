import pytest

from assessments.maturity import Evidence, score
from tests.maturity.builders import answer_all, answer_up_to_level


def finding(capability, grade=1, strength="code", **extra):
    return Evidence(capability, grade, strength, reason=f"found {capability}", **extra)


def contradictions_by_capability(result):
    return {c.capability: c for c in result.contradictions}


def test_evidence_alone_grades_an_unanswered_capability(catalogue):
    result = score(catalogue, {}, [finding("experiment_tracking")])
    capability = result.capabilities["experiment_tracking"]
    assert (capability.source, capability.grade, capability.status) == ("detected", 1.0, "met")
    assert capability.evidence_strength == "code"


def test_a_mention_alone_never_grants_more_than_half(catalogue):
    result = score(catalogue, {}, [finding("experiment_tracking", 1, "mention")])
    assert result.capabilities["experiment_tracking"].grade == 0.5
    assert result.capabilities["experiment_tracking"].status == "partial"


def test_the_best_finding_wins(catalogue):
    findings = [
        finding("ci", 0.5, "file_name"),
        finding("ci", 1, "mention"),
        finding("ci", 1, "ci_config", path=".github/workflows/test.yml", line=12),
    ]
    capability = score(catalogue, {}, findings).capabilities["ci"]
    assert (capability.grade, capability.evidence_strength) == (1.0, "ci_config")
    assert len(capability.evidence) == 3


def test_strong_evidence_raises_a_partial_answer(catalogue):
    answers = answer_all(catalogue, "yes", {"ci": "partly"})
    result = score(catalogue, answers, [finding("ci", 1, "ci_config")])
    capability = result.capabilities["ci"]
    assert (capability.source, capability.answer_grade, capability.grade) == ("both", 0.5, 1.0)
    assert "ci" not in contradictions_by_capability(result)


def test_weak_evidence_never_overrules_an_answer(catalogue):
    answers = answer_all(catalogue, "no")
    result = score(catalogue, answers, [finding("ci", 1, "file_name")])
    assert result.capabilities["ci"].grade == 0
    assert result.capabilities["ci"].source == "both"
    assert "ci" not in contradictions_by_capability(result)


def test_a_claim_without_evidence_still_counts_but_is_a_contradiction(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"), evidence=[])
    assert result.level == 2  # missing evidence never lowers a claim
    contradiction = contradictions_by_capability(result)["data_validation"]
    assert contradiction.kind == "claimed_without_evidence"
    assert contradiction.message == (
        "Answered that data validation gate is automated, but the repository scan found no "
        "sign of it."
    )


def test_no_contradiction_where_a_scan_could_not_show_the_capability(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"), evidence=[])
    expected = {c.key for c in catalogue.capabilities if c.observable == "yes"}
    assert set(contradictions_by_capability(result)) == expected
    assert "prediction_logging" not in expected
    assert "model_cd" not in expected  # a deployment often lives in another repository


def test_no_contradiction_without_a_scan(catalogue):
    assert score(catalogue, answer_all(catalogue, "yes")).contradictions == ()
    assert score(catalogue, answer_all(catalogue, "yes"), [], scanned=False).contradictions == ()


def test_a_partial_claim_needs_evidence_too(catalogue):
    answers = answer_all(catalogue, "no", {"ci": "partly"})
    contradiction = contradictions_by_capability(score(catalogue, answers, []))["ci"]
    assert "CI on every change is done partly or by hand" in contradiction.message


def test_a_mention_does_not_support_a_claim(catalogue):
    answers = answer_all(catalogue, "no", {"ci": "yes"})
    supported = score(catalogue, answers, [finding("ci", 0.5, "file_name")])
    mentioned = score(catalogue, answers, [finding("ci", 1, "mention")])
    assert "ci" not in contradictions_by_capability(supported)
    assert "ci" in contradictions_by_capability(mentioned)


def test_strong_evidence_against_a_no_is_a_contradiction_and_counts(catalogue):
    answers = answer_up_to_level(catalogue, 1, {"experiment_tracking": "no"})
    evidence = [finding("experiment_tracking", 1, "code", path="train.py", line=3)]
    result = score(catalogue, answers, evidence)
    contradiction = contradictions_by_capability(result)["experiment_tracking"]
    assert contradiction.kind == "detected_but_denied"
    assert contradiction.message == (
        "Answered no for experiment tracking, but the repository shows it: found "
        "experiment_tracking (train.py:3)."
    )
    assert result.capabilities["experiment_tracking"].grade == 1
    assert result.level == 1


def test_weak_evidence_against_a_no_is_not_a_contradiction(catalogue):
    answers = answer_all(catalogue, "no")
    result = score(catalogue, answers, [finding("experiment_tracking", 1, "mention")])
    assert result.contradictions == ()


def test_evidence_must_be_on_the_scale_and_for_a_known_capability(catalogue):
    with pytest.raises(ValueError, match="grade 0.7"):
        finding("ci", 0.7)
    with pytest.raises(ValueError, match="strength 'rumour'"):
        finding("ci", 1, "rumour")
    with pytest.raises(ValueError, match="unknown capability 'teleport'"):
        score(catalogue, {}, [finding("teleport")])


def test_claims_a_repository_may_not_show_are_not_visible_rather_than_contradicted(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"), evidence=[])
    quiet = set(result.claimed_not_visible)
    assert quiet == {c.key for c in catalogue.capabilities if c.observable != "yes"}
    assert not quiet & {c.capability for c in result.contradictions}
    assert score(catalogue, answer_all(catalogue, "yes")).claimed_not_visible == ()


def test_evidence_of_a_claim_removes_it_from_the_not_visible_list(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"), [finding("monitoring")])
    assert "monitoring" not in result.claimed_not_visible
    assert "model_cd" in result.claimed_not_visible


def test_missing_evidence_only_contradicts_answers_about_what_was_scanned(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"), evidence=[], covered={"cicd"})
    contradicted = {c.capability for c in result.contradictions}
    cicd = {c.key for c in catalogue.capabilities_in("cicd") if c.observable == "yes"}
    assert contradicted == cicd
    assert "data_validation" in result.claimed_not_visible
    assert result.covered_dimensions == ("cicd",)
    restored = type(result).from_dict(result.to_dict())
    assert restored.covered_dimensions == ("cicd",)
    assert restored.claimed_not_visible == result.claimed_not_visible
