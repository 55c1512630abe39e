import dataclasses

import pytest

from assessments.maturity import build_roadmap, completed_steps, score
from tests.maturity.builders import answer_all, answer_up_to_level


def ids(steps):
    return [s.id for s in steps]


def assert_prerequisites_first(steps):
    position = {s.id: i for i, s in enumerate(steps)}
    for step in steps:
        for prerequisite in step.prerequisites:
            assert position[prerequisite] < position[step.id], (prerequisite, step.id)


def test_a_fresh_team_starts_with_the_level_0_basics(catalogue):
    steps = build_roadmap(catalogue, score(catalogue, answer_all(catalogue, "no")), 1)
    assert ids(steps)[:2] == ["step-version_control", "step-prediction_service"]
    assert {s.level for s in steps} == {0, 1}
    assert_prerequisites_first(steps)


def test_among_ready_steps_impact_per_effort_decides(catalogue):
    steps = build_roadmap(catalogue, score(catalogue, answer_all(catalogue, "no")), 1)
    # After the level 0 basics, the level 1 steps that are ready: small effort, impact 3 first
    # (1.5 per effort-day), ordered by key; then impact 2 at small effort (1.0 per day).
    assert ids(steps)[2:7] == [
        "step-experiment_tracking",
        "step-model_registry",
        "step-prediction_logging",
        "step-reproducible_environment",
        "step-config_outside_code",
    ]


def test_prerequisites_come_first(catalogue):
    steps = ids(build_roadmap(catalogue, score(catalogue, answer_all(catalogue, "no")), 2))
    assert steps.index("step-pipeline_orchestration") < steps.index("step-pipeline_triggers")
    assert steps.index("step-automated_tests") < steps.index("step-ci")
    assert steps.index("step-ci") < steps.index("step-pipeline_cd")


def test_the_roadmap_stops_at_the_target_and_skips_what_is_met(catalogue):
    result = score(catalogue, answer_up_to_level(catalogue, 1, {"data_validation": "partly"}))
    assert ids(build_roadmap(catalogue, result, 1)) == ["step-data_validation"]
    assert ids(build_roadmap(catalogue, result, 0)) == []
    level_2 = build_roadmap(catalogue, result, 2)
    assert ids(level_2)[0] == "step-data_validation"
    assert len(level_2) == 1 + 11  # the level 2 capabilities: optional clean-up, LLM evaluation


def test_optional_steps_are_recommended_after_the_required_ones_of_their_level(catalogue):
    steps = build_roadmap(catalogue, score(catalogue, answer_all(catalogue, "no")), 1)
    optional = [s for s in steps if s.optional]
    assert {s.capability for s in optional} == {
        "containerization",
        "data_versioning",
        "feature_store",
    }
    last_required = max(i for i, s in enumerate(steps) if not s.optional)
    assert all(steps.index(s) > last_required for s in optional)


def test_a_step_says_what_why_which_debt_and_how_to_verify(catalogue):
    result = score(catalogue, answer_up_to_level(catalogue, 1, {"data_validation": "no"}))
    (step,) = build_roadmap(catalogue, result, 1)
    capability = catalogue.capability("data_validation")
    assert dataclasses.asdict(step) == {
        "id": "step-data_validation",
        "capability": "data_validation",
        "title": "Data validation gate",
        "dimension": "data",
        "level": 1,
        "optional": False,
        "what": capability.remediation,
        "why": f"Level 1 (ML pipeline automation): {capability.why}",
        "debt_kind": "data_testing_debt",
        "debt_title": "Data testing debt",
        "verify": capability.verify,
        "effort": "M",
        "effort_days": 5.0,
        "impact": 3,
        "status": "missing",
        "prerequisites": (),
    }
    assert step.to_dict()["prerequisites"] == []


def test_step_ids_are_stable_and_marked_done_by_a_later_result(catalogue):
    before = score(catalogue, answer_all(catalogue, "no"))
    steps = build_roadmap(catalogue, before, 1)
    assert ids(build_roadmap(catalogue, before, 1)) == ids(steps)
    later = score(catalogue, answer_all(catalogue, "no", {"version_control": "yes", "ci": "yes"}))
    assert completed_steps(steps, later) == ["step-version_control"]


def test_a_result_from_another_catalogue_version_is_refused(catalogue):
    result = dataclasses.replace(score(catalogue, {}), catalogue_version="2025.01")
    with pytest.raises(ValueError, match="scored against catalogue 2025.01, not 2026.12"):
        build_roadmap(catalogue, result, 1)


def test_a_target_outside_0_to_2_is_refused(catalogue):
    with pytest.raises(ValueError, match="target level 3"):
        build_roadmap(catalogue, score(catalogue, {}), 3)
