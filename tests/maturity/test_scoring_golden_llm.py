"""Golden cases for the LLM applications dimension of catalogue 2026.12, worked by hand.

Index weights (3 - level, halved when optional): 2026.11.1's 60.5 over 36 capabilities, plus
the six LLM capabilities: five at level 1 (5 x 2 = 10) and the evaluation gate at level 2
(1 x 1 = 1). Total 71.5 over 42.
"""

import pytest

from assessments.maturity import MaturityResult, score
from assessments.maturity.versions import load_catalogue_version
from tests.maturity.builders import answer_all, answer_up_to_level

LLM = (
    "prompt_versioning",
    "llm_evaluation",
    "guardrails",
    "llm_tracing",
    "llm_model_pinning",
    "retrieval_data_refresh",
)
TOTAL_WEIGHT = 71.5


def with_llm(answers, use):
    return {**answers, "llm_applications_in_use": use}


def test_the_catalogue_has_the_weights_and_keys_these_cases_were_worked_with(catalogue):
    weights = [(3 - c.level) * (0.5 if c.optional else 1) for c in catalogue.capabilities]
    assert (catalogue.version, len(weights), sum(weights)) == ("2026.12", 42, TOTAL_WEIGHT)
    assert tuple(c.key for c in catalogue.capabilities_in("llm_applications")) == LLM
    assert {catalogue.capability(k).role for k in LLM} == {"component"}
    assert catalogue.capability("llm_evaluation").level == 2  # a gate in CI is Google's CI/CD


def test_a_team_without_llm_applications_has_the_dimension_not_applicable(catalogue):
    result = score(catalogue, with_llm(answer_all(catalogue, "no"), "no"))
    assert result.not_applicable_dimensions == ("llm_applications",)
    assert {result.capabilities[k].status for k in LLM} == {"not_applicable"}
    # Stored shapes keep their meaning: every capability met reads level 2, index 100.
    assert result.dimension_levels["llm_applications"] == 2
    assert result.dimension_index["llm_applications"] == 100.0
    # Everything else is "no": the weakest is the first of the tied applicable dimensions.
    assert result.weakest_dimension == "code_environment"
    assert result.level == 0
    # Practices the team does not need leave the index: not 100 * 11 / 71.5 = 15.4.
    assert result.index == 0.0


@pytest.mark.parametrize("answer", ["no", "partly", "yes"])
def test_without_llm_applications_the_index_is_the_previous_catalogues(catalogue, answer):
    previous = load_catalogue_version("2026.11.1")
    before = score(previous, answer_all(previous, answer))
    after = score(catalogue, with_llm(answer_all(catalogue, answer), "no"))
    assert (after.level, after.index) == (before.level, before.index)
    assert after.index == round(
        100
        * sum(
            g * (3 - c.level) * (0.5 if c.optional else 1)
            for c in previous.capabilities
            for g in [before.capabilities[c.key].grade]
        )
        / 60.5,
        1,
    )


def test_a_dimension_answered_not_applicable_question_by_question_still_counts_as_met(catalogue):
    # Only a dimension one context answer switches off leaves the index; answering "not
    # applicable" to every CI question keeps the old rule (not applicable counts as met).
    cicd = {c.key: "na" for c in catalogue.capabilities_in("cicd")}
    with_na = score(catalogue, with_llm(answer_all(catalogue, "no", cicd), "no"))
    assert with_na.not_applicable_dimensions == ("llm_applications",)
    assert with_na.dimension_levels["cicd"] == 2
    assert with_na.index > 0.0


def test_a_not_applicable_dimension_is_never_the_weakest(catalogue):
    answers = with_llm(answer_all(catalogue, "yes", {"ci": "partly"}), "no")
    result = score(catalogue, answers)
    assert result.weakest_dimension == "cicd"
    complete = score(catalogue, with_llm(answer_all(catalogue, "yes"), "no"))
    assert complete.weakest_dimension == ""


def test_llm_practices_do_not_gate_googles_levels(catalogue):
    answers = with_llm(answer_all(catalogue, "yes", dict.fromkeys(LLM, "no")), "with_retrieval")
    result = score(catalogue, answers)
    assert result.level == 2
    assert result.not_applicable_dimensions == ()
    assert result.dimension_levels["llm_applications"] == 0
    assert result.weakest_dimension == "llm_applications"
    assert result.index == round(100 * (TOTAL_WEIGHT - 11) / TOTAL_WEIGHT, 1) == 84.6
    assert set(LLM) <= result.gaps  # in the debt and the roadmap all the same


def test_without_retrieval_only_the_retrieval_corpus_is_not_applicable(catalogue):
    answers = with_llm(answer_up_to_level(catalogue, 1), "without_retrieval")
    answers.pop("retrieval_corpus_refreshed")  # hidden by skip logic, so never answered
    result = score(catalogue, answers)
    assert result.capabilities["retrieval_data_refresh"].status == "not_applicable"
    assert result.capabilities["llm_evaluation"].status == "missing"
    assert result.not_applicable_dimensions == ()
    assert result.dimension_levels["llm_applications"] == 1
    assert result.level == 1


def test_an_unanswered_llm_context_leaves_the_dimension_to_its_answers(catalogue):
    answers = answer_up_to_level(catalogue, 1)
    for key in ("prompts_versioned", "llm_guardrails", "llm_calls_traced", "llm_models_pinned"):
        del answers[key]
    result = score(catalogue, answers)
    assert result.capabilities["guardrails"].status == "unknown"
    assert result.not_applicable_dimensions == ()
    assert result.level == 1  # unknown components hold nothing back


def test_a_result_round_trips_its_not_applicable_dimensions(catalogue):
    result = score(catalogue, with_llm(answer_all(catalogue, "partly"), "no"))
    assert result.to_dict()["not_applicable_dimensions"] == ["llm_applications"]
    assert MaturityResult.from_dict(result.to_dict()) == result


@pytest.mark.parametrize("version", ["2026.11", "2026.11.1"])
def test_older_catalogues_have_no_llm_dimension_and_read_nothing_as_not_applicable(version):
    old = load_catalogue_version(version)
    assert old.version == version
    assert not any(c.key in LLM for c in old.capabilities)
    result = score(old, answer_all(old, "no"))
    assert result.not_applicable_dimensions == ()
    stored = result.to_dict()
    del stored["not_applicable_dimensions"]  # as results stored before 2026.12 read
    assert MaturityResult.from_dict(stored).not_applicable_dimensions == ()


@pytest.mark.parametrize("version", ["2026.11", "2026.11.1"])
def test_older_catalogues_read_a_dimension_answered_not_applicable_as_they_always_did(version):
    old = load_catalogue_version(version)
    cicd = {c.key: "na" for c in old.capabilities_in("cicd")}
    result = score(old, answer_all(old, "no", cicd))
    # Met, level 2 and 100 in its own dimension, counted in the index: the rule of 2026.11.
    assert result.not_applicable_dimensions == ()
    assert (result.dimension_levels["cicd"], result.dimension_index["cicd"]) == (2, 100.0)
    assert result.index > 0.0
