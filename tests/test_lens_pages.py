"""The lenses on the pages: the result page's "Other readings", the organisation's choice of
headline model, and the methodology's explanation of each lens, for the right people only."""

import re

import pytest
from django.urls import reverse

from assessments.maturity.lenses import eu_ai_act_lens
from assessments.models import AuditAction, AuditEvent, HeadlineLens, Result
from assessments.services.assessments import assessment_start, assessment_submit

from .assessment_helpers import answer_everything, answers_all


@pytest.fixture
def submit(team, member, django_capture_on_commit_callbacks):
    def submit(answers):
        draft = assessment_start(team=team, user=member)
        answer_everything(draft, answers, member)
        with django_capture_on_commit_callbacks(execute=True):
            assessment_submit(assessment=draft, user=member)
        return Result.objects.get(assessment=draft)

    return submit


def page(client, user, url, status=200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def section(body: str, heading_id: str) -> str:
    start = body.index(f'aria-labelledby="{heading_id}"')
    return body[start : body.index("</section>", start)]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_result_page_reads_the_result_through_microsoft_and_the_eu_ai_act(
    client, submit, member
):
    result = submit(answers_all("partly"))
    body = page(client, member, reverse("assessment_result", args=[result.assessment_id]))
    lenses = text_of(section(body, "lenses-heading"))
    assert "Microsoft MLOps maturity model: level 0, No MLOps" in lenses
    assert "Level 1 (DevOps but no MLOps) is not reached: 3 capabilities are not met." in lenses
    assert "CI on every change" in lenses
    assert "partial" in lenses
    assert "it is not legal advice" in lenses
    assert "0 of 8 articles supported by the team's practice, 8 partly, 0 not yet." in lenses
    assert "Article 12: Record-keeping" in lenses
    assert "1 August 2024: The Regulation enters into force" in lenses
    assert "2 August 2026: Obligations for high-risk AI systems listed in Annex III" in lenses
    assert "2 August 2027: Obligations for high-risk AI systems that are products" in lenses
    assert "Proposals to change them exist" in lenses
    assert f"EU AI Act lens data version {eu_ai_act_lens().version}" in lenses
    assert 'href="#lenses-heading"' in body


def test_at_microsofts_highest_level_the_page_says_so_and_the_headline_stays_google(
    client, submit, member
):
    result = submit(answers_all("yes"))
    body = page(client, member, reverse("assessment_result", args=[result.assessment_id]))
    assert "Level 4, the highest, is reached." in section(body, "lenses-heading")
    assert "Microsoft level" not in text_of(body[: body.index("</section>")])


def test_with_microsoft_as_the_headline_the_summary_leads_with_its_level_too(
    client, submit, member, team
):
    team.organization.headline_lens = HeadlineLens.MICROSOFT
    team.organization.save()
    result = submit(answers_all("yes"))
    body = page(client, member, reverse("assessment_result", args=[result.assessment_id]))
    summary = text_of(body[body.index('<section class="result-summary"') :].split("</section>")[0])
    assert "Microsoft level 4 / 4 Full MLOps automated operations" in summary
    assert "Level 2" in summary  # Google's beside it


def test_a_stranger_sees_no_reading_of_another_teams_result(
    client, submit, other_team_member, stranger_org_admin
):
    result = submit(answers_all("partly"))
    url = reverse("assessment_result", args=[result.assessment_id])
    for stranger in (other_team_member, stranger_org_admin):
        body = page(client, stranger, url, status=404)
        assert "Other readings" not in body
        assert "Record-keeping" not in body


def test_an_org_admin_chooses_microsoft_as_the_headline_and_the_change_is_audited(
    client, org_admin, team
):
    url = reverse("organization_settings")
    body = page(client, org_admin, url)
    assert "Google's MLOps levels (0-2)" in text_of(body)
    response = client.post(
        url, {"organization": team.organization.slug, "headline_lens": "microsoft"}, follow=True
    )
    assert response.status_code == 200
    assert "now leads with Microsoft" in response.content.decode()
    team.organization.refresh_from_db()
    assert team.organization.headline_lens == HeadlineLens.MICROSOFT
    event = AuditEvent.objects.get(action=AuditAction.HEADLINE_LENS_CHANGED)
    assert (event.organization, event.actor) == (team.organization, org_admin)
    assert event.details == {"from": "google", "to": "microsoft"}
    # Choosing it again changes nothing and records nothing.
    client.post(url, {"organization": team.organization.slug, "headline_lens": "microsoft"})
    assert AuditEvent.objects.filter(action=AuditAction.HEADLINE_LENS_CHANGED).count() == 1


def test_an_unknown_model_is_refused_with_a_sentence_and_nothing_changes(client, org_admin, team):
    client.force_login(org_admin)
    response = client.post(
        reverse("organization_settings"),
        {"organization": team.organization.slug, "headline_lens": "gartner"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    team.organization.refresh_from_db()
    assert team.organization.headline_lens == HeadlineLens.GOOGLE


def test_only_org_admins_change_the_setting_and_only_for_their_organisation(
    client, member, stranger_org_admin, team
):
    url = reverse("organization_settings")
    page(client, member, url, status=403)
    client.post(url, {"organization": team.organization.slug, "headline_lens": "microsoft"})
    body = page(client, stranger_org_admin, url)
    assert team.organization.name not in body
    response = client.post(
        url, {"organization": team.organization.slug, "headline_lens": "microsoft"}
    )
    assert response.status_code == 400
    team.organization.refresh_from_db()
    assert team.organization.headline_lens == HeadlineLens.GOOGLE
    assert not AuditEvent.objects.filter(action=AuditAction.HEADLINE_LENS_CHANGED).exists()


def test_the_service_itself_refuses_anyone_but_the_organisations_admins(
    member, stranger_org_admin, team
):
    from assessments.errors import ActionNotAllowed
    from assessments.services.organizations import organization_headline_lens_set

    for actor in (member, stranger_org_admin):
        with pytest.raises(ActionNotAllowed):
            organization_headline_lens_set(
                organization=team.organization, headline_lens="microsoft", actor=actor
            )
    team.organization.refresh_from_db()
    assert team.organization.headline_lens == HeadlineLens.GOOGLE


def test_with_exemptions_in_force_the_lenses_are_read_with_them_beside_the_raw_reading(
    client, submit, member, lead, org_admin, team
):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.services.exemptions import exemption_approve, exemption_request

    result = submit(answers_all("yes", **_no_for(("ci", "automated_tests", "monitoring"))))
    url = reverse("assessment_result", args=[result.assessment_id])
    raw = text_of(section(page(client, member, url), "lenses-heading"))
    assert "exemptions in force" not in raw
    today = timezone.localdate()
    for capability in ("ci", "automated_tests"):
        exemption = exemption_request(
            team=team,
            user=lead,
            capability_key=capability,
            reason="Does not apply.",
            expires_on=today + timedelta(days=30),
            today=today,
        )
        exemption_approve(exemption=exemption, user=org_admin, today=today)
    lenses = text_of(section(page(client, member, url), "lenses-heading"))
    assert "Microsoft MLOps maturity model: level 0, No MLOps" in lenses  # the raw reading
    assert "With 2 exemptions in force, counted as not applicable: level 3" in lenses
    assert "no article reads differently" in lenses  # neither capability is in an article


def _no_for(capabilities):
    """ "no" to every question grading one of these capabilities."""
    from assessments import maturity

    catalogue = maturity.load_catalogue()
    return {
        q.key: "no" for q in catalogue.graded_questions if set(q.capabilities) & set(capabilities)
    }


def test_the_eu_section_reads_the_llm_capabilities_of_a_team_with_llm_applications(
    client, submit, member
):
    answers = answers_all("yes", llm_applications_in_use="with_retrieval")
    answers.update(_no_for(("llm_tracing",)))
    result = submit(answers)
    url = reverse("assessment_result", args=[result.assessment_id])
    eu = section(page(client, member, url), "lenses-heading")
    eu = text_of(eu[eu.index('id="eu-ai-act-heading"') :])
    assert "7 of 8 articles supported by the team's practice, 1 partly, 0 not yet." in eu
    record_keeping = eu[eu.index("Article 12: Record-keeping") : eu.index("Article 13")]
    assert "partly" in record_keeping
    assert "Tracing, cost and latency of LLM calls" in record_keeping
    assert "not applicable to the team" not in eu


def test_for_a_team_without_llm_applications_the_llm_capabilities_are_not_counted(
    client, submit, member
):
    result = submit(answers_all("yes", llm_applications_in_use="no"))
    url = reverse("assessment_result", args=[result.assessment_id])
    eu = text_of(section(page(client, member, url), "lenses-heading"))
    assert "8 of 8 articles supported by the team's practice, 0 partly, 0 not yet." in eu
    assert "(not applicable to the team, so not counted: Versioned prompts kept out of code)" in eu
