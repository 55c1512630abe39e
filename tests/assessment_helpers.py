"""Build answer sets from the catalogue for tests of the questionnaire flow."""

from assessments import maturity
from assessments.models import Assessment
from assessments.services.answers import answer_save

CONTEXT_CRITICAL = {
    "online_serving": "yes",
    "models_in_production": "several",
    "data_change_frequency": "daily",
    "retraining_frequency": "weekly",
    "business_criticality": "critical",
    "team_size": "medium",
    # Graded like every other question, so answer sets read as they did before 2026.12.
    "llm_applications_in_use": "with_retrieval",
}


def graded_questions():
    return [q for q in maturity.load_catalogue().questions if not q.is_context]


def answers_all(option: str, *, context=CONTEXT_CRITICAL, **overrides) -> dict[str, str]:
    answers = {q.key: option for q in graded_questions()}
    answers.update(context)
    answers.update(overrides)
    return answers


def answer_everything(assessment: Assessment, answers: dict[str, str], user) -> None:
    existing = dict(assessment.answers.values_list("question_key", "version"))
    for question_key, option_key in answers.items():
        answer_save(
            assessment=assessment,
            question_key=question_key,
            option_key=option_key,
            expected_version=existing.get(question_key, 0),
            user=user,
        )
