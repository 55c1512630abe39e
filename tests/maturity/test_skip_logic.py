from assessments.maturity import score
from tests.maturity.builders import answer_all, context

ONLINE_ONLY = {"api_contract_tests", "load_tests", "canary_release"}


def visible_keys(catalogue, answers):
    return {q.key for q in catalogue.visible_questions(answers)}


def test_online_serving_questions_are_hidden_for_batch_teams(catalogue):
    hidden = {q.key for q in catalogue.questions} - visible_keys(catalogue, context(online="no"))
    assert hidden == ONLINE_ONLY


def test_online_serving_questions_show_when_serving_online_or_not_yet_answered(catalogue):
    assert visible_keys(catalogue, context(online="yes")) >= ONLINE_ONLY
    assert visible_keys(catalogue, {}) >= ONLINE_ONLY


def test_the_gate_question_is_itself_always_visible(catalogue):
    assert "online_serving" in visible_keys(catalogue, context(online="no"))


def test_answers_to_hidden_questions_are_ignored(catalogue):
    answers = {**answer_all(catalogue, "yes"), "canary_release": "no", "load_tests": "no"}
    batch = score(catalogue, {**answers, **context(online="no")})
    online = score(catalogue, {**answers, **context(online="yes")})
    assert batch.level == online.level == 2  # both are components of level 2
    assert batch.gaps == frozenset()
    assert online.gaps == {"pre_deployment_checks", "staged_promotion"}


def test_a_capability_whose_questions_are_all_hidden_or_not_applicable_is_met(catalogue):
    answers = {**answer_all(catalogue, "no"), **context(online="no")}
    answers["model_infrastructure_checked"] = "na"
    capability = score(catalogue, answers).capabilities["pre_deployment_checks"]
    assert (capability.status, capability.met, capability.grade) == ("not_applicable", True, 1.0)


def test_a_hidden_question_next_to_an_unanswered_one_leaves_the_capability_unknown(catalogue):
    answers = context(online="no")
    assert score(catalogue, answers).capabilities["pre_deployment_checks"].status == "unknown"
