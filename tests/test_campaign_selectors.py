"""Reading campaigns: scope, states from the result history, visibility, and query budgets
that stay flat as teams grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import selectors
from assessments.maturity.campaigns import TeamState
from assessments.models import Exemption, ExemptionStatus, TeamTag

from .campaign_helpers import a_campaign, days_ago, stored_result
from .factories import TeamFactory


def _ago(days):
    return timezone.now() - timedelta(days=days)


def test_scope_follows_tags_and_latest_criticality(team, org_admin):
    tagged = TeamFactory(organization=team.organization, name="Payments")
    TeamTag.objects.create(team=tagged, name="unit:payments")
    stored_result(tagged, criticality="non_critical")
    stored_result(team, criticality="critical")
    TeamFactory(name="Elsewhere")  # another organisation
    everyone = a_campaign(team.organization, org_admin)
    by_tag = a_campaign(team.organization, org_admin, scope_tags=["unit:payments"])
    critical = a_campaign(team.organization, org_admin, scope_criticalities=["critical"])
    both = a_campaign(
        team.organization, org_admin, scope_tags=["unit:payments"], scope_criticalities=["critical"]
    )

    def names(campaign):
        return [t.name for t in selectors.campaign_scope_teams(campaign=campaign)]

    assert names(everyone) == ["Fraud Detection", "Payments"]
    assert names(by_tag) == ["Payments"]
    assert names(critical) == ["Fraud Detection"]
    assert names(both) == []


def test_progress_over_time_is_computed_from_the_result_history(team, org_admin):
    second = TeamFactory(organization=team.organization, name="Search")
    third = TeamFactory(organization=team.organization, name="Vision")
    stored_result(team, when=_ago(30), level=1)
    stored_result(second, when=_ago(20), level=0)
    stored_result(second, when=_ago(5), level=1)
    campaign = a_campaign(
        team.organization, org_admin, starts_on=days_ago(10), deadline=days_ago(-5)
    )
    progress = selectors.campaign_progress(campaign=campaign, today=timezone.localdate())
    assert (progress.done, progress.not_yet, progress.exempt) == (2, 1, 0)
    assert [(c.done, c.not_yet) for c in progress.series[:5]] == [(1, 2)] * 5
    assert (progress.series[5].done, progress.series[-1].done) == (2, 2)
    assert len(progress.series) == 11
    assert not progress.late
    state = {row.team.name: row.state for row in progress.teams}
    assert state == {"Fraud Detection": "done", "Search": "done", "Vision": "not_yet"}
    assert third.pk in {row.team.pk for row in progress.teams}


def test_late_teams_are_past_the_deadline_and_not_done(team, org_admin):
    campaign = a_campaign(team.organization, org_admin, starts_on=days_ago(10))
    type(campaign).objects.filter(pk=campaign.pk).update(deadline=days_ago(1))
    campaign.refresh_from_db()
    progress = selectors.campaign_progress(campaign=campaign, today=timezone.localdate())
    assert [row.team for row in progress.late] == [team]


def test_an_exemption_in_force_makes_a_capability_goal_exempt(team, org_admin, lead):
    stored_result(team, when=_ago(3), level=2)
    Exemption.objects.create(
        team=team,
        capability_key="data_validation",
        reason="No pipeline of ours reads data.",
        expires_on=days_ago(-30),
        status=ExemptionStatus.APPROVED,
        requested_by=lead,
        requested_at=_ago(4),
        decided_by=org_admin,
        decided_at=_ago(2),
    )
    campaign = a_campaign(
        team.organization,
        org_admin,
        goal_kind="capability",
        goal_capability="data_validation",
        starts_on=days_ago(5),
    )
    progress = selectors.campaign_progress(campaign=campaign, today=timezone.localdate())
    assert progress.exempt == 1
    assert [(c.not_yet, c.exempt) for c in progress.series] == [(1, 0)] * 3 + [(0, 1)] * 3


def test_a_capability_met_in_the_latest_result_is_done(team, org_admin):
    stored_result(team, when=_ago(3), level=0, met=["data_validation"])
    campaign = a_campaign(
        team.organization, org_admin, goal_kind="capability", goal_capability="data_validation"
    )
    asks = selectors.campaign_asks_for_teams(teams=[team], today=timezone.localdate())
    assert [(a.campaign, a.state) for a in asks[team.pk]] == [(campaign, TeamState.DONE)]


def test_members_see_only_the_campaigns_that_apply_to_their_teams(
    team, org_admin, member, other_team_member, stranger_org_admin
):
    TeamTag.objects.create(team=team, name="unit:payments")
    for_team = a_campaign(team.organization, org_admin, scope_tags=["unit:payments"])
    for_all = a_campaign(team.organization, org_admin, title="Assess every team")
    assert selectors.campaign_list_for_user(user=member) == [for_team, for_all]
    assert selectors.campaign_list_for_user(user=other_team_member) == [for_all]
    assert selectors.campaign_list_for_user(user=org_admin) == [for_team, for_all]
    assert selectors.campaign_list_for_user(user=stranger_org_admin) == []
    progress = selectors.campaign_progress(
        campaign=for_all, today=timezone.localdate(), user=other_team_member
    )
    assert progress.hidden == 1
    assert {row.team.name for row in progress.teams if row.visible} == {"Search"}


def _grow(organization, count):
    for _ in range(count):
        grown = TeamFactory(organization=organization)
        TeamTag.objects.create(team=grown, name="unit:payments")
        stored_result(grown, when=_ago(8), level=0)
        stored_result(grown, when=_ago(2), level=1, met=["data_validation"])


@pytest.mark.parametrize("goal", ["level", "capability"])
def test_reads_cost_the_same_queries_for_3_or_30_teams(team, org_admin, member, goal):
    fields = {"goal_kind": goal, "goal_capability": "data_validation", "starts_on": days_ago(10)}
    campaign = a_campaign(team.organization, org_admin, **fields)
    a_campaign(team.organization, org_admin, scope_tags=["unit:payments"], **fields)
    counts = []
    for size in (3, 30):
        _grow(team.organization, size - len(counts) * 3)
        teams = list(selectors.campaign_scope_teams(campaign=campaign))
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as captured:
            selectors.campaign_progress(campaign=campaign, today=today, user=member)
            selectors.campaign_asks_for_teams(teams=teams, today=today)
            selectors.campaign_list_for_user(user=member)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert counts[1] <= 16
