"""The methodology page: every rule a result follows, and every capability's role in its level."""

import pytest
from django.urls import reverse

from assessments.maturity import load_catalogue
from assessments.models import AssessmentStatus

from .assessment_helpers import answer_everything, answers_all


@pytest.mark.django_db
def test_the_methodology_page_lists_every_capability_with_its_role(client):
    response = client.get(reverse("methodology"))
    assert response.status_code == 200
    body = response.content.decode()
    catalogue = load_catalogue()
    for capability in catalogue.capabilities:
        assert capability.title in body
    for heading in ("Levels", "Answers and evidence", "Index and progress", "Target level", "Debt"):
        assert f">{heading}</h2>" in body
    assert "Defines the level" in body
    assert "Additional component" in body
    assert catalogue.version in body


def test_a_result_page_shows_the_progress_and_links_the_methodology(
    client, team, member, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_start

    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("yes", retraining_triggered="no"), member)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_summary", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    body = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert "capabilities in place" in body
    assert "Holding the level back: Pipeline triggers." in body
    assert f'href="{reverse("methodology")}"' in body


def test_a_team_at_its_target_sees_what_would_come_next_and_why_it_is_not_needed(
    client, team, member, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_start

    proof_of_concept = {
        "online_serving": "no",
        "models_in_production": "none",
        "data_change_frequency": "rarely",
        "retraining_frequency": "rarely",
        "business_criticality": "proof_of_concept",
        "team_size": "one",
    }
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("partly", context=proof_of_concept), member)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_summary", args=[draft.pk]))
    body = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert "Nothing left to do" not in body
    assert "Level 0, the recommended target, is reached" in body
    assert "level 1 would start with:" in body
    assert body.count("<li><strong>") >= 1
    assert "gaps above level 0 are not counted as debt" in body
    assert "No open debt.</p>" not in body


@pytest.mark.django_db
def test_the_methodology_explains_llm_applications_and_catalogue_versions(client):
    body = client.get(reverse("methodology")).content.decode()
    assert ">LLM applications</h2>" in body
    assert ">Catalogue versions</h2>" in body
    assert "reads <strong>not applicable</strong>" in body
    assert "a result on 2026.11.1 stays as it was" in body
    for key in ("prompt_versioning", "llm_evaluation", "guardrails", "llm_tracing"):
        assert load_catalogue().capability(key).title in body


def test_the_methodology_explains_each_lens_from_its_data(client):
    from assessments.maturity.lenses import eu_ai_act_lens, microsoft_lens

    body = client.get(reverse("methodology")).content.decode()
    assert ">Other readings: lenses</h2>" in body
    catalogue = load_catalogue()
    microsoft = microsoft_lens()
    for level in microsoft.levels:
        assert f"Microsoft level {level.number}: {level.title}" in body
        for requirement in level.requires:
            assert requirement.because.replace("'", "&#x27;") in body
    eu = eu_ai_act_lens()
    assert "it is not legal advice" in body
    for article in eu.articles:
        assert f"Article {article.article}: {article.title}" in body
        for requirement in article.requires:
            assert catalogue.capability(requirement.capability).title in body
    assert "2 August 2026" in body
    assert f"data version {eu.version}" in body
    assert microsoft.sources[0].url in body


def test_the_methodology_says_how_a_capability_that_does_not_apply_is_read_by_each_lens(client):
    body = client.get(reverse("methodology")).content.decode()
    assert "counts neither as support nor as missing" in body
    assert "Microsoft's published model says nothing of LLM applications" in body
    assert "Input and output guardrails" in body.split('id="lens-eu-ai-act"')[1]
