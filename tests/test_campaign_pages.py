"""The campaign pages: who sees which, who may change them, and what they say."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Campaign, TeamTag

from .campaign_helpers import a_campaign, days_ago, stored_result


@pytest.fixture
def campaign(team, org_admin):
    stored_result(team, when=timezone.now() - timedelta(days=3), level=0)
    return a_campaign(team.organization, org_admin, title="Level 1 for <b>everyone</b>")


def test_the_list_shows_counts_and_escapes_titles(client, campaign, member):
    client.force_login(member)
    body = client.get(reverse("campaign_list")).content.decode()
    assert "Level 1 for &lt;b&gt;everyone&lt;/b&gt;" in body
    assert "Each team reaches level 1" in body
    assert "Start a campaign" not in body


def test_an_org_admin_is_offered_to_start_one(client, team, org_admin):
    client.force_login(org_admin)
    body = client.get(reverse("campaign_list")).content.decode()
    assert "No open campaign" in body
    assert reverse("campaign_create") in body


def test_the_campaign_page_shows_the_chart_the_teams_and_who_is_late(
    client, team, org_admin, member
):
    campaign = a_campaign(team.organization, org_admin, starts_on=days_ago(10))
    Campaign.objects.filter(pk=campaign.pk).update(deadline=days_ago(1))
    client.force_login(member)
    response = client.get(reverse("campaign_detail", args=[campaign.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="campaign-progress"' in body
    assert "Fraud Detection" in body
    assert '<strong class="error">late</strong>' in body
    assert reverse("campaign_edit", args=[campaign.pk]) not in body


def test_another_organisations_campaign_is_not_found(client, campaign, stranger_org_admin):
    client.force_login(stranger_org_admin)
    for name in ("campaign_detail", "campaign_edit"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaign_archive", args=[campaign.pk])).status_code == 404
    assert "everyone" not in client.get(reverse("campaign_list")).content.decode()


def test_a_campaign_for_other_teams_is_not_found_for_a_member(
    client, team, org_admin, other_team_member
):
    TeamTag.objects.create(team=team, name="unit:payments")
    campaign = a_campaign(team.organization, org_admin, scope_tags=["unit:payments"])
    client.force_login(other_team_member)
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 404


def test_a_member_sees_other_teams_counted_but_not_named(client, campaign, other_team_member):
    client.force_login(other_team_member)
    body = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "Fraud Detection" not in body
    assert "1 other team of the organisation is counted" in body


def test_a_team_member_can_view_but_not_change(client, campaign, member, lead):
    for user in (member, lead):
        client.force_login(user)
        assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
        assert client.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 403
        assert client.get(reverse("campaign_create")).status_code == 403
        assert client.post(reverse("campaign_archive", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert not campaign.is_archived


def _form(org_admin, **overrides):
    data = {
        "title": "Validate data",
        "goal_kind": "capability",
        "goal_level": "1",
        "goal_capability": "data_validation",
        "scope_tags": "unit:payments, unit:search",
        "scope_criticalities": ["critical"],
        "owner": str(org_admin.pk),
        "starts_on": timezone.localdate().isoformat(),
        "deadline": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return data


def test_an_org_admin_starts_changes_and_archives_a_campaign(client, team, org_admin):
    client.force_login(org_admin)
    assert client.get(reverse("campaign_create")).status_code == 200
    response = client.post(reverse("campaign_create"), _form(org_admin))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.scope_tags == ["unit:payments", "unit:search"]
    assert (campaign.goal_capability, campaign.scope_criticalities) == (
        "data_validation",
        ["critical"],
    )
    edit = reverse("campaign_edit", args=[campaign.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, _form(org_admin, title="Validate all data", scope_tags=""))
    campaign.refresh_from_db()
    assert (campaign.title, campaign.scope_tags) == ("Validate all data", [])
    client.post(reverse("campaign_archive", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.is_archived


def test_a_bad_campaign_form_says_why(client, team, org_admin):
    client.force_login(org_admin)
    response = client.post(
        reverse("campaign_create"), _form(org_admin, goal_kind="level", goal_level="")
    )
    assert "A level goal needs the level to reach: 1 or 2." in response.content.decode()
    response = client.post(reverse("campaign_create"), _form(org_admin, deadline="soon"))
    assert "Give the deadline as a date" in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_archived_campaign_is_read_not_changed(client, campaign, org_admin):
    from assessments.services.campaigns import campaign_archive

    campaign_archive(campaign=campaign, user=org_admin)
    client.force_login(org_admin)
    body = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "archived" in body
    assert reverse("campaign_edit", args=[campaign.pk]) not in body
    response = client.get(reverse("campaign_edit", args=[campaign.pk]))
    assert response.status_code == 302
