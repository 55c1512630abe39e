"""Catalogue 2026.12 arrives: results on 2026.11.1 stay as they were, and a new assessment uses
2026.12, prefilled from the last one where the questions are the same."""

import pytest
from django.utils import timezone

from assessments import maturity
from assessments.maturity.versions import load_catalogue_version
from assessments.models import Answer, Assessment, AssessmentStatus, Result
from assessments.services.assessments import assessment_start
from assessments.services.results import result_compute

from .assessment_helpers import answer_everything

OLD = "2026.11.1"


def old_answers(option):
    old = load_catalogue_version(OLD)
    answers = {q.key: option for q in old.graded_questions}
    answers.update(online_serving="yes", business_criticality="critical", team_size="small")
    return answers


@pytest.fixture
def submitted_on_old_catalogue(team, member):
    assessment = assessment_start(team=team, user=member)
    Assessment.objects.filter(pk=assessment.pk).update(catalogue_version=OLD)
    assessment.refresh_from_db()
    answer_everything(assessment, old_answers("partly") | {"unit_tests": "yes"}, member)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now() - timezone.timedelta(days=90)
    assessment.save()
    return assessment


def test_the_current_catalogue_is_2026_12_and_2026_11_1_is_archived_unchanged():
    assert maturity.load_catalogue().version == "2026.12"
    old = load_catalogue_version(OLD)
    assert old.version == OLD
    assert "llm_applications" not in {d.key for d in old.dimensions}
    assert len(old.capabilities) == 36


def test_a_result_on_2026_11_1_recomputes_as_before_and_keeps_its_version(
    submitted_on_old_catalogue,
):
    result = result_compute(assessment=submitted_on_old_catalogue)
    old = load_catalogue_version(OLD)
    expected = maturity.score(old, old_answers("partly") | {"unit_tests": "yes"})
    assert result.catalogue_version == OLD
    outcome = result.snapshot["result"]
    assert outcome["catalogue_version"] == OLD
    assert sorted(c["key"] for c in outcome["capabilities"]) == sorted(
        c.key for c in old.capabilities
    )
    assert (result.overall_level, result.index) == (expected.level, expected.index)
    assert outcome["dimension_levels"] == expected.dimension_levels
    assert outcome["not_applicable_dimensions"] == []
    # Recomputing again (new scan evidence, say) changes nothing.
    again = result_compute(assessment=submitted_on_old_catalogue)
    assert again.snapshot["result"] == outcome
    assert Result.objects.get(pk=result.pk).catalogue_version == OLD


def test_a_new_assessment_uses_2026_12_prefilled_with_the_questions_both_versions_have(
    submitted_on_old_catalogue, team, member
):
    draft = assessment_start(team=team, user=member)
    assert draft.catalogue_version == "2026.12"
    carried = dict(
        Answer.objects.filter(assessment=draft, carried_over_from__isnull=False).values_list(
            "question_key", "option_key"
        )
    )
    assert carried == old_answers("partly") | {"unit_tests": "yes"}
    # The new questions wait for the team: nothing is invented for them.
    current = maturity.load_catalogue()
    new_keys = {q.key for q in current.questions} - {
        q.key for q in load_catalogue_version(OLD).questions
    }
    assert new_keys == {
        "llm_applications_in_use",
        "prompts_versioned",
        "llm_evaluation_in_ci",
        "llm_guardrails",
        "llm_calls_traced",
        "llm_models_pinned",
        "retrieval_corpus_refreshed",
    }
    assert not Answer.objects.filter(assessment=draft, question_key__in=new_keys).exists()
