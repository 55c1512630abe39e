"""Reading exemptions: who sees them, which are in force on a day, the count per team, and a
result read with them."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from assessments import selectors
from assessments.models import Exemption, ExemptionStatus, Result
from assessments.services.exemptions import (
    exemption_approve,
    exemption_reject,
    exemption_request,
)

from .assessment_helpers import answer_everything, answers_all
from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory

TODAY = date(2026, 6, 1)


def approved(team, capability, *, days=60, asker, admin, today=TODAY):
    exemption = exemption_request(
        team=team,
        user=asker,
        capability_key=capability,
        reason=f"{capability} does not apply.",
        expires_on=today + timedelta(days=days),
        today=today,
    )
    return exemption_approve(exemption=exemption, user=admin, today=today)


def waiting(team, capability, *, asker, days=60):
    return exemption_request(
        team=team,
        user=asker,
        capability_key=capability,
        reason="Please.",
        expires_on=TODAY + timedelta(days=days),
        today=TODAY,
    )


@pytest.fixture
def exemption(team, lead, org_admin):
    return approved(team, "feature_store", asker=lead, admin=org_admin)


@pytest.mark.parametrize("who", ["member", "viewer", "lead", "org_admin"])
def test_the_teams_people_and_its_org_admins_see_its_exemptions(request, exemption, who):
    user = request.getfixturevalue(who)
    assert list(selectors.exemption_list_for_user(user=user)) == [exemption]
    assert selectors.exemption_get_for_user(user=user, exemption_id=exemption.pk) == exemption


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_another_team_or_organisation_sees_nothing_and_gets_not_found(request, exemption, who):
    user = request.getfixturevalue(who)
    assert list(selectors.exemption_list_for_user(user=user)) == []
    with pytest.raises(Http404):
        selectors.exemption_get_for_user(user=user, exemption_id=exemption.pk)


def test_the_list_narrows_to_a_team_and_a_status(team, lead, org_admin, exemption):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    asked = waiting(other, "monitoring", asker=org_admin)
    everything = selectors.exemption_list_for_user(user=org_admin)
    assert set(everything) == {exemption, asked}
    assert list(selectors.exemption_list_for_user(user=org_admin, team=other)) == [asked]
    assert list(
        selectors.exemption_list_for_user(user=org_admin, status=ExemptionStatus.APPROVED)
    ) == [exemption]


def test_an_org_admin_decides_on_the_waiting_requests_of_their_organisations_only(
    team, lead, org_admin, stranger_org_admin
):
    first = waiting(team, "feature_store", asker=lead)
    second = waiting(team, "monitoring", asker=lead)
    exemption_reject(exemption=waiting(team, "ci", asker=lead), user=org_admin, note="No.")
    elsewhere = TeamFactory(organization=OrganizationFactory(), name="Elsewhere", slug="elsewhere")
    MembershipFactory(team=elsewhere, user=UserFactory(username="ed"), role="lead")
    assert selectors.exemption_requests_to_decide(user=org_admin) == [first, second]
    assert selectors.exemption_requests_to_decide(user=lead) == []
    assert selectors.exemption_requests_to_decide(user=stranger_org_admin) == []


def test_in_force_means_approved_and_not_past_its_last_day(team, lead, org_admin):
    short = approved(team, "feature_store", days=10, asker=lead, admin=org_admin)
    waiting(team, "monitoring", asker=lead)
    assert selectors.exemptions_active_for_team(team=team, today=TODAY) == [short]
    assert selectors.exemptions_active_for_team(team=team, today=short.expires_on) == [short]
    after = short.expires_on + timedelta(days=1)
    assert selectors.exemptions_active_for_team(team=team, today=after) == []
    # Expired, yet still approved: nothing had to run for it to end.
    short.refresh_from_db()
    assert short.status == ExemptionStatus.APPROVED


def test_the_count_per_team_is_one_query_of_capabilities_in_force(
    team, lead, org_admin, django_assert_num_queries
):
    organization = team.organization
    search = TeamFactory(organization=organization, name="Search", slug="search")
    quiet = TeamFactory(organization=organization, name="Quiet", slug="quiet")
    approved(team, "feature_store", asker=lead, admin=org_admin)
    approved(team, "data_versioning", asker=lead, admin=org_admin, days=5)
    waiting(team, "monitoring", asker=lead)
    approved(search, "ci", asker=org_admin, admin=UserFactory(is_superuser=True))
    stranger = TeamFactory(organization=OrganizationFactory(), name="Far", slug="far")
    approved(stranger, "ci", asker=UserFactory(is_superuser=True), admin=org_admin_of(stranger))

    with django_assert_num_queries(1):
        counts = selectors.exemptions_active_count_by_team(
            team_ids=organization.teams.values("pk"), today=TODAY
        )
    assert counts == {team.pk: 2, search.pk: 1}
    assert quiet.pk not in counts
    later = TODAY + timedelta(days=6)
    assert selectors.exemptions_active_count_by_team(
        team_ids=organization.teams.values("pk"), today=later
    ) == {
        team.pk: 1,
        search.pk: 1,
    }


def org_admin_of(team):
    admin = UserFactory()
    MembershipFactory(user=admin, team=None, organization=team.organization, role="org_admin")
    return admin


def test_a_renewal_in_force_beside_its_predecessor_counts_once(team, lead, org_admin):
    first = approved(team, "feature_store", days=40, asker=lead, admin=org_admin)
    window = first.expires_on - timedelta(days=20)
    approved(team, "feature_store", days=100, asker=lead, admin=org_admin, today=window)
    assert len(selectors.exemptions_active_for_team(team=team, today=window)) == 2
    counts = selectors.exemptions_active_count_by_team(
        team_ids=team.organization.teams.values("pk"), today=window
    )
    assert counts == {team.pk: 1}


@pytest.fixture
def result(team, member, django_capture_on_commit_callbacks):
    """Level 1 in everything but pipeline triggers, which holds the team at level 0."""
    from assessments import maturity
    from assessments.services.assessments import assessment_start, assessment_submit

    catalogue = maturity.load_catalogue()
    answers = answers_all("yes")
    for question in catalogue.graded_questions:
        if any(catalogue.capability(k).level == 2 for k in question.capabilities):
            answers[question.key] = "no"
        if "pipeline_triggers" in question.capabilities:
            answers[question.key] = "no"
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers, member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    return Result.objects.select_related("assessment__team").get(assessment=draft)


def test_a_result_without_exemptions_in_force_has_no_second_reading(result, lead, org_admin):
    assert selectors.result_with_exemptions(result=result, today=TODAY) is None
    waiting(result.assessment.team, "pipeline_triggers", asker=lead)
    assert selectors.result_with_exemptions(result=result, today=TODAY) is None


def test_a_result_read_with_its_exemptions_beside_the_raw_reading(result, lead, org_admin):
    assert result.overall_level == 0
    exemption = approved(
        result.assessment.team, "pipeline_triggers", asker=lead, admin=org_admin, days=30
    )
    reading = selectors.result_with_exemptions(result=result, today=TODAY)
    assert (reading.level, reading.exemptions, reading.capabilities) == (
        1,
        (exemption,),
        ("pipeline_triggers",),
    )
    assert reading.index > result.index
    result.refresh_from_db()
    assert result.overall_level == 0
    after = exemption.expires_on + timedelta(days=1)
    assert selectors.result_with_exemptions(result=result, today=after) is None


def test_an_exemption_the_results_catalogue_does_not_know_is_left_out(result):
    Exemption.objects.create(
        team=result.assessment.team,
        capability_key="a_capability_from_a_later_catalogue",
        reason="Later.",
        expires_on=TODAY + timedelta(days=3),
        status=ExemptionStatus.APPROVED,
        requested_at=timezone.now(),
        decided_at=timezone.now(),
    )
    assert selectors.result_with_exemptions(result=result, today=TODAY) is None


def test_the_lenses_are_read_with_the_exemptions_too(result, lead, org_admin):
    team = result.assessment.team
    for capability in ("ci", "automated_tests", "staged_promotion"):
        approved(team, capability, asker=lead, admin=org_admin)
    reading = selectors.result_with_exemptions(result=result, today=TODAY)
    # Exempted counts as met for Microsoft's levels: CI and tests no longer hold level 1 back,
    # and the level 2 capabilities not exempted hold level 3 back.
    assert result.lenses["microsoft"]["level"] == result.microsoft_level == 0
    assert reading.lenses["microsoft"]["level"] == 2
    assert [i["capability"] for i in reading.lenses["microsoft"]["why_not_next_level"]] == [
        "ml_specific_tests",
        "pre_deployment_checks",
    ]
    # For an article, exempted is neither support nor missing: human oversight, partly
    # without staged promotion, reads supported by the rest.
    raw = {a["article"]: a for a in result.lenses["eu_ai_act"]["articles"]}
    exempted = {a["article"]: a for a in reading.lenses["eu_ai_act"]["articles"]}
    assert raw["14"]["status"] == "partly"
    assert exempted["14"]["status"] == "supported"
    assert [c["capability"] for c in exempted["14"]["not_applicable"]] == ["staged_promotion"]
    assert "staged_promotion" not in {c["capability"] for c in exempted["14"]["supported_by"]}
    assert result.lenses == Result.objects.get(pk=result.pk).lenses  # the raw one unchanged
