import pytest

from assessments.maturity import is_over_investment, recommend_target
from tests.maturity.builders import context


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (context(criticality="proof_of_concept", models="many", retraining="daily"), 0),
        (context(criticality="non_critical", models="none", data="daily"), 0),
        (context(criticality="non_critical", models="one", data="rarely", retraining="rarely"), 0),
        (context(criticality="non_critical", models="one", data="weekly", retraining="rarely"), 1),
        (context(criticality="non_critical", models="one", data="rarely", retraining="monthly"), 1),
        (context(criticality="non_critical", models="several", data="rarely"), 1),
        (context(criticality="critical", models="one", data="rarely", retraining="rarely"), 1),
        (context(criticality="critical", models="none"), 1),
        (context(criticality="critical", models="one", retraining="daily"), 1),
        (context(criticality="critical", models="several", retraining="weekly"), 2),
        (context(criticality="critical", models="many", retraining="daily"), 2),
        (context(criticality="non_critical", models="many", retraining="weekly"), 2),
        (context(criticality="non_critical", models="several", retraining="weekly"), 1),
    ],
)
def test_the_target_follows_the_context(catalogue, answers, level):
    assert recommend_target(catalogue, answers).level == level


def test_a_proof_of_concept_is_told_level_0_is_fine(catalogue):
    target = recommend_target(catalogue, context(criticality="proof_of_concept", models="one"))
    assert target.reasons[0].startswith("A proof of concept is fine at level 0")


def test_every_reason_behind_a_level_2_target_is_given(catalogue):
    answers = context(
        criticality="critical", models="several", data="daily", retraining="weekly", team="small"
    )
    target = recommend_target(catalogue, answers)
    assert target.level == 2
    assert target.reasons == (
        "The model is business critical: retraining and validation must not depend on someone "
        "doing them by hand.",
        "Data changes daily or faster: fresh data should reach the model through an automated "
        "pipeline.",
        "Models need retraining about weekly: continuous training (level 1) replaces repeated "
        "manual runs.",
        "Several (2 to 5) models are in production: training and releasing each by hand does "
        "not scale.",
        "With several models retrained weekly or faster, pipeline changes ship often enough to "
        "need their own CI/CD (level 2).",
    )
    assert target.missing_context == ()


def test_a_one_person_team_aiming_at_level_2_is_pointed_to_managed_services(catalogue):
    answers = context(criticality="critical", models="several", retraining="daily", team="one")
    target = recommend_target(catalogue, answers)
    assert target.level == 2
    assert "managed services" in target.reasons[-2]


def test_missing_context_is_named(catalogue):
    target = recommend_target(catalogue, context(models="several"))
    assert target.level == 1
    assert target.criticality is None
    assert target.missing_context == (
        "business_criticality",
        "data_change_frequency",
        "retraining_frequency",
        "team_size",
    )
    assert "treated as non-critical" in target.reasons[-2]
    assert target.reasons[-1] == (
        "Answer the context questions to refine this recommendation: business criticality, "
        "data change frequency, retraining frequency, team size."
    )


def test_a_proof_of_concept_at_level_2_is_over_investment(catalogue):
    target = recommend_target(
        catalogue, context(criticality="proof_of_concept", models="one"), current_level=2
    )
    assert target.over_investment
    assert target.finding.startswith(
        "Level 2 exceeds the recommended level 0: a proof of concept does not need level 2."
    )


def test_reaching_or_missing_the_target_is_not_over_investment(catalogue):
    answers = context(criticality="critical", models="one", retraining="rarely")
    assert not recommend_target(catalogue, answers, current_level=1).over_investment
    assert not recommend_target(catalogue, answers, current_level=0).over_investment
    assert recommend_target(catalogue, answers).finding is None
    assert is_over_investment(2, 1)
    assert not is_over_investment(1, 1)


def test_the_recommendation_serialises(catalogue):
    data = recommend_target(catalogue, context(criticality="critical"), current_level=0).to_dict()
    assert data["level"] == 1
    assert isinstance(data["reasons"], list)
