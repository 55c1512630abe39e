"""The home page's team cards say what open campaigns ask of each team, and by when."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Campaign, TeamTag
from assessments.services.campaigns import campaign_archive

from .campaign_helpers import a_campaign, days_ago, stored_result
from .factories import TeamFactory


def test_a_team_card_says_what_each_open_campaign_asks(client, team, org_admin, member):
    stored_result(team, when=timezone.now() - timedelta(days=2), level=1)
    a_campaign(team.organization, org_admin, title="Level 1 everywhere", deadline=days_ago(-20))
    a_campaign(
        team.organization,
        org_admin,
        title="Validate <data>",
        goal_kind="capability",
        goal_capability="data_validation",
        deadline=days_ago(-40),
    )
    late = a_campaign(
        team.organization, org_admin, title="Assess again", goal_kind="assessed_since"
    )
    Campaign.objects.filter(pk=late.pk).update(starts_on=days_ago(1), deadline=days_ago(1))
    archived = a_campaign(team.organization, org_admin, title="Old push")
    campaign_archive(campaign=archived, user=org_admin)
    a_campaign(team.organization, org_admin, title="Payments only", scope_tags=["unit:payments"])
    client.force_login(member)
    body = client.get(reverse("home")).content.decode()
    assert "Level 1 everywhere</a>: reach level 1 by" in body
    assert '<span class="meta">(done)</span>' in body
    assert "Validate &lt;data&gt;</a>: meet Data validation gate by" in body
    assert '<li class="late"><a href="/campaigns/' in body
    assert "Assess again</a>: submit an assessment by" in body
    assert "Old push" not in body
    assert "Payments only" not in body


def test_campaign_lines_cost_the_same_queries_for_2_or_12_teams(client, team, org_admin):
    a_campaign(team.organization, org_admin, goal_kind="capability", goal_capability="ci")
    a_campaign(team.organization, org_admin, scope_tags=["unit:payments"])

    def add_teams(count):
        for _ in range(count):
            added = TeamFactory(organization=team.organization)
            TeamTag.objects.create(team=added, name="unit:payments")
            stored_result(added, level=1, met=["ci"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured)

    add_teams(1)
    client.force_login(org_admin)
    client.get(reverse("home"))
    with_2 = queries()
    add_teams(10)
    assert queries() == with_2
