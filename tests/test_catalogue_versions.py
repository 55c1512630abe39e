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


# --- Where the catalogue changed: history, compare, result page --------------------------


def submit_current(team, user, answers, days_ago=0):
    from assessments.services.assessments import assessment_submit

    draft = assessment_start(team=team, user=user)
    answer_everything(draft, answers, user)
    assessment_submit(assessment=draft, user=user)
    Assessment.objects.filter(pk=draft.pk).update(
        submitted_at=timezone.now() - timezone.timedelta(days=days_ago)
    )
    draft.refresh_from_db()
    return result_compute(assessment=draft)


@pytest.fixture
def across_versions(team, member, submitted_on_old_catalogue):
    """Last quarter's result on 2026.11.1, today's on 2026.12 (no LLM applications)."""
    old = result_compute(assessment=submitted_on_old_catalogue)
    new = submit_current(team, member, {"llm_applications_in_use": "no"})
    return old, new


def test_the_history_chart_marks_the_first_result_on_a_new_catalogue(
    client, member, team, across_versions
):
    import json
    import re

    from django.urls import reverse

    old, new = across_versions
    client.force_login(member)
    body = client.get(reverse("team_history", args=[team.slug])).content.decode()
    figure = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', body).group(1)
    )
    (annotation,) = figure["layout"]["annotations"]
    (line,) = figure["layout"]["shapes"]
    assert annotation["text"] == "Catalogue 2026.12"
    assert line["x0"] == annotation["x"] == figure["data"][0]["x"][1]
    assert "results are computed on catalogue 2026.12 (dotted line)" in body
    # Comparing the two says so in a sentence.
    compared = client.get(
        reverse("team_history", args=[team.slug]),
        {"compare": [old.assessment_id, new.assessment_id]},
    ).content.decode()
    assert "These results were computed on different catalogue versions (" in compared
    assert " on 2026.11.1; " in compared
    assert " on 2026.12)" in compared


def test_one_catalogue_throughout_draws_no_marker(client, member, team):
    import json
    import re

    from django.urls import reverse

    submit_current(team, member, {"llm_applications_in_use": "no"}, days_ago=30)
    submit_current(team, member, {"llm_applications_in_use": "no"})
    client.force_login(member)
    body = client.get(reverse("team_history", args=[team.slug])).content.decode()
    figure = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', body).group(1)
    )
    assert "annotations" not in figure["layout"]
    assert "catalogue-change" not in body


def test_the_result_page_says_the_previous_result_used_another_catalogue(
    client, member, across_versions
):
    from django.urls import reverse

    _, new = across_versions
    client.force_login(member)
    body = client.get(reverse("assessment_result", args=[new.assessment_id])).content.decode()
    assert (
        "The previous assessment was computed on catalogue 2026.11.1, this one on 2026.12: "
        "part of the change is the catalogue's."
    ) in body


def test_the_compare_dashboard_says_the_teams_are_on_different_catalogues(
    client, org_admin, team, member, other_team_member, submitted_on_old_catalogue
):
    from django.urls import reverse

    from assessments.models import Team

    from .dashboards.html_tables import html_tables

    result_compute(assessment=submitted_on_old_catalogue)
    other = Team.objects.get(slug="search")
    submit_current(other, other_team_member, {"llm_applications_in_use": "no"})
    client.force_login(org_admin)
    body = client.get(
        reverse("dashboard_compare"), {"team": [team.slug, other.slug]}
    ).content.decode()
    assert (
        "These results were computed on different catalogue versions "
        "(Fraud Detection on 2026.11.1; Search on 2026.12)"
    ) in body
    rows = {row[0]: row[1:] for row in html_tables(body)["compare-dimensions"]}
    # Not in the older catalogue: empty; not applicable to the team that said so.
    assert rows["LLM applications"] == ["", "not applicable"]
