"""Golden cases, worked by hand from catalogue 2026.11.1, and scored with that archived version:
they pin the rules, and that an old assessment keeps scoring as it did (the LLM applications
of 2026.12 are in test_scoring_golden_llm.py).

Index weights (3 - level, halved when optional), summed over the 36 capabilities:
level 0: 2 x 3 = 6; level 1 required: 21 x 2 = 42; level 1 optional: 3 x 1 = 3;
level 2 required: 9 x 1 = 9; level 2 optional: 1 x 0.5 = 0.5. Total 60.5.
"""

import json

import pytest

from assessments.maturity import MaturityResult, score
from assessments.maturity.versions import load_catalogue_version
from tests.maturity.builders import answer_all, answer_up_to_level, context

DIMENSIONS = (
    "code_environment",
    "data",
    "experimentation",
    "pipeline",
    "validation_registry",
    "cicd",
    "serving_monitoring",
    "governance",
)
TOTAL_WEIGHT = 60.5


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue_version("2026.11.1")


def levels(**overrides):
    return {key: overrides.get(key, 0) for key in DIMENSIONS}


def test_the_catalogue_still_has_the_weights_these_cases_were_worked_with(catalogue):
    weights = [(3 - c.level) * (0.5 if c.optional else 1) for c in catalogue.capabilities]
    assert (len(weights), sum(weights)) == (36, TOTAL_WEIGHT)


def test_all_no_is_level_0_everywhere(catalogue):
    result = score(catalogue, answer_all(catalogue, "no"))
    assert result.level == 0
    assert result.dimension_levels == levels()
    assert result.index == 0.0
    assert result.weakest_dimension == "code_environment"  # all tied: catalogue order
    assert result.why_not_next.startswith(
        "Level 1 is not reached: missing ML code under version control, prediction service, "
    )
    assert result.ml_test_score.score == 0
    assert result.ml_test_score.band == "More of a research project than a productionized system"


def test_everything_automated_is_level_2_everywhere(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes"))
    assert result.level == 2
    assert result.dimension_levels == dict.fromkeys(DIMENSIONS, 2)
    assert result.index == 100.0
    assert result.why_not_next == "Level 2, the highest level, is reached."
    assert result.missing_for_next == ()
    assert result.ml_test_score.sections == {
        "data": 5.0,
        "model": 5.0,
        "infrastructure": 7.0,
        "monitoring": 6.0,
    }
    assert result.ml_test_score.score == 5.0


def test_level_0_practices_done_by_hand_meet_level_0_only(catalogue):
    answers = answer_all(
        catalogue, "no", {"version_control": "partly", "prediction_service": "partly"}
    )
    result = score(catalogue, answers)
    assert result.capabilities["version_control"].met
    assert result.capabilities["prediction_service"].status == "met"
    assert result.level == 0
    assert result.index == round(100 * (3 * 0.5 + 3 * 0.5) / TOTAL_WEIGHT, 1) == 5.0
    assert result.why_not_next.startswith("Level 1 is not reached: missing modular and packaged")


def test_everything_partly_is_still_level_0(catalogue):
    result = score(catalogue, answer_all(catalogue, "partly"))
    assert result.level == 0
    assert result.index == 50.0
    assert "version control" not in result.why_not_next  # met by hand at level 0
    assert result.ml_test_score.sections["data"] == 2.5


def test_all_of_level_1_is_level_1(catalogue):
    result = score(catalogue, answer_up_to_level(catalogue, 1))
    assert result.level == 1
    assert result.dimension_levels == levels(
        code_environment=1,
        data=2,
        experimentation=2,  # its only level 2 capability is optional
        pipeline=2,
        validation_registry=2,
        cicd=1,
        serving_monitoring=1,
        governance=1,
    )
    assert result.index == round(100 * (6 + 42 + 3) / TOTAL_WEIGHT, 1) == 84.3
    # Only level 2's characteristics hold it back; its components are missing too.
    assert result.why_not_next == (
        "Level 2 is not reached: missing unit tests of feature and model code, CI on every "
        "change, pipeline continuous delivery, monitoring triggers retraining."
    )
    assert result.weakest_dimension == "cicd"  # level 1 with the lowest dimension index
    progress = result.next_level_progress
    assert progress.to_dict() == {
        "level": 2,
        "in_place": 23,
        "total": 32,
        "blocking": ["automated_tests", "ci", "pipeline_cd", "monitoring_triggers_retraining"],
        "missing": [
            "infrastructure_as_code",
            "ml_specific_tests",
            "pre_deployment_checks",
            "staged_promotion",
            "dependency_updates",
        ],
        "unknown": [],
    }


def test_a_missing_component_does_not_gate_the_level_but_shows_in_its_dimension(catalogue):
    answers = answer_up_to_level(catalogue, 1, {"data_validation": "no"})
    result = score(catalogue, answers)
    assert result.level == 1
    assert result.dimension_levels == levels(
        code_environment=1,
        data=0,
        experimentation=2,
        pipeline=2,
        validation_registry=2,
        cicd=1,
        serving_monitoring=1,
        governance=1,
    )
    assert result.weakest_dimension == "data"
    assert "data_validation" in result.next_level_progress.missing
    assert "data_validation" in result.gaps  # still in the debt and the roadmap
    assert result.index == round(100 * (51 - 2) / TOTAL_WEIGHT, 1) == 81.0


def test_a_missing_characteristic_holds_the_level_back(catalogue):
    answers = answer_up_to_level(catalogue, 1, {"pipeline_triggers": "no"})
    result = score(catalogue, answers)
    assert result.level == 0
    assert result.why_not_next == "Level 1 is not reached: missing pipeline triggers."
    assert result.missing_for_next == ("pipeline_triggers",)
    progress = result.next_level_progress
    assert (progress.level, len(progress.in_place), progress.total) == (1, 22, 23)
    assert progress.blocking == ("pipeline_triggers",)


def test_everything_but_ci_is_level_1(catalogue):
    result = score(catalogue, answer_all(catalogue, "yes", {"ci": "no"}))
    assert result.level == 1
    assert result.dimension_levels == {**dict.fromkeys(DIMENSIONS, 2), "cicd": 1}
    assert result.why_not_next == "Level 2 is not reached: missing CI on every change."
    assert result.index == round(100 * (TOTAL_WEIGHT - 1) / TOTAL_WEIGHT, 1) == 98.3


def test_optional_capabilities_do_not_gate_a_level(catalogue):
    answers = answer_up_to_level(
        catalogue, 1, {"data_versioning": "no", "feature_store": "no", "containerization": "no"}
    )
    result = score(catalogue, answers)
    assert result.level == 1
    assert result.index == round(100 * (51 - 3) / TOTAL_WEIGHT, 1)


def test_dont_know_counts_as_missing_and_is_named_as_the_answer_it_is(catalogue):
    answers = answer_up_to_level(catalogue, 1, {"pipeline_triggers": "unknown"})
    result = score(catalogue, answers)
    assert result.level == 0
    assert result.unknown == ("pipeline_triggers",)
    assert result.capabilities["pipeline_triggers"].status == "unknown"
    assert result.capabilities["pipeline_triggers"].source == "none"
    assert result.why_not_next == "Level 1 is not reached: missing pipeline triggers (don't know)."


def test_an_unanswered_capability_counts_as_missing_and_is_flagged(catalogue):
    answers = answer_up_to_level(catalogue, 1)
    del answers["retraining_triggered"]
    result = score(catalogue, answers)
    assert result.level == 0
    assert (
        result.why_not_next == "Level 1 is not reached: missing pipeline triggers (not answered)."
    )


def test_no_weakest_dimension_is_named_when_every_dimension_is_complete(catalogue):
    assert score(catalogue, answer_all(catalogue, "yes")).weakest_dimension == ""


def test_an_empty_questionnaire_is_level_0_with_everything_unknown(catalogue):
    result = score(catalogue, {})
    assert result.level == 0
    assert len(result.unknown) == len(catalogue.capabilities)


def test_the_weakest_answer_sets_a_capability_grade(catalogue):
    answers = answer_all(catalogue, "yes")
    answers["data_values_checked"] = "partly"
    result = score(catalogue, answers)
    assert result.capabilities["data_validation"].grade == 0.5
    assert result.capabilities["data_validation"].status == "partial"
    assert result.dimension_levels["data"] == 0
    assert result.level == 2  # data validation is a component: it does not gate the level


def test_dont_know_is_ignored_next_to_a_real_answer(catalogue):
    answers = answer_all(catalogue, "yes")
    answers["data_values_checked"] = "unknown"
    assert score(catalogue, answers).capabilities["data_validation"].grade == 1


def test_a_capability_answered_only_not_applicable_counts_as_met(catalogue):
    answers = answer_all(catalogue, "yes", {"feature_store": "na", "data_validation": "na"})
    result = score(catalogue, answers)
    assert result.capabilities["data_validation"].status == "not_applicable"
    assert result.capabilities["data_validation"].met
    assert result.level == 2


def test_unknown_questions_and_options_are_refused(catalogue):
    with pytest.raises(ValueError, match="unknown question 'colour'"):
        score(catalogue, {"colour": "blue"})
    with pytest.raises(ValueError, match="question 'unit_tests' has no option 'maybe'"):
        score(catalogue, {"unit_tests": "maybe"})


def test_context_answers_do_not_change_the_score(catalogue):
    answers = answer_up_to_level(catalogue, 1)
    with_context = {**answers, **context(criticality="critical", models="many", team="one")}
    assert score(catalogue, with_context) == score(catalogue, answers)


def test_the_result_serialises_to_json_and_back(catalogue):
    result = score(catalogue, answer_up_to_level(catalogue, 1, {"ci": "partly"}), [])
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["catalogue_version"] == "2026.11.1"
    assert "ci" in data["next_level_progress"]["blocking"]
    assert MaturityResult.from_dict(json.loads(json.dumps(data))) == result
