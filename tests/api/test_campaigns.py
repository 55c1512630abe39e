"""The campaigns API: org admins write, the teams in scope read, everyone else gets 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Campaign, TeamTag

from ..campaign_helpers import a_campaign, days_ago, stored_result
from .conftest import token_client


@pytest.fixture
def campaign(team, org_admin):
    stored_result(team, when=timezone.now() - timedelta(days=2), level=1)
    return a_campaign(team.organization, org_admin, starts_on=days_ago(5))


def _new(team, **overrides):
    body = {
        "organization": team.organization_id,
        "title": "Data validation everywhere",
        "goal_kind": "capability",
        "goal_capability": "data_validation",
        "scope_tags": ["unit:payments"],
        "scope_criticalities": ["critical"],
        "deadline": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    body.update(overrides)
    return body


def test_an_org_admin_starts_a_campaign(team, as_org_admin, org_admin):
    response = as_org_admin.post("/api/v1/campaigns/", _new(team), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/campaigns/{body['id']}/")
    assert body["owner"] == "olga"
    assert body["scope_tags"] == ["unit:payments"]
    assert body["starts_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"goal_capability": "telepathy"}, "There is no capability 'telepathy' in the catalogue"),
        ({"goal_kind": "level", "goal_level": 5}, "A level goal needs the level to reach: 1 or 2."),
        ({"owner": "mallory"}, "The owner must be an active member or admin"),
    ],
)
def test_a_bad_campaign_gets_one_sentence(
    team, as_org_admin, stranger_org_admin, overrides, message
):
    response = as_org_admin.post("/api/v1/campaigns/", _new(team, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


def test_team_people_read_but_do_not_write(team, campaign, as_member, as_lead):
    for client in (as_member, as_lead):
        assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
        assert [c["id"] for c in client.get("/api/v1/campaigns/").json()["results"]] == [
            campaign.pk
        ]
        assert client.post("/api/v1/campaigns/", _new(team), format="json").status_code == 400
        url = f"/api/v1/campaigns/{campaign.pk}/"
        assert client.patch(url, {"title": "Mine"}, format="json").status_code == 403
        assert client.post(f"{url}archive/").status_code == 403
    campaign.refresh_from_db()
    assert (campaign.title, campaign.archived_at) == ("Every team at level 1", None)


def test_an_org_admin_changes_and_archives(campaign, as_org_admin):
    url = f"/api/v1/campaigns/{campaign.pk}/"
    response = as_org_admin.patch(url, {"goal_level": 2, "owner": "olga"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["goal_level"] == 2
    assert as_org_admin.post(f"{url}archive/").json()["archived_at"] is not None
    assert as_org_admin.get("/api/v1/campaigns/").json()["count"] == 0
    assert as_org_admin.get(url).status_code == 200


def test_progress_lists_states_counts_and_the_series(team, campaign, as_member):
    body = as_member.get(f"/api/v1/campaigns/{campaign.pk}/progress/").json()
    assert (body["done"], body["not_yet"], body["exempt"], body["late"]) == (1, 0, 0, 0)
    assert body["teams"] == [
        {"team": team.pk, "name": "Fraud Detection", "state": "done", "late": False}
    ]
    assert len(body["series"]) == 6
    assert body["series"][0] == {
        "day": days_ago(5).isoformat(),
        "done": 0,
        "not_yet": 1,
        "exempt": 0,
    }


def test_a_member_of_a_team_out_of_scope_gets_404(team, org_admin, other_team_member):
    TeamTag.objects.create(team=team, name="unit:payments")
    tagged = a_campaign(team.organization, org_admin, scope_tags=["unit:payments"])
    everyone = a_campaign(team.organization, org_admin)
    client = token_client(other_team_member)
    assert client.get(f"/api/v1/campaigns/{tagged.pk}/").status_code == 404
    assert client.get(f"/api/v1/campaigns/{tagged.pk}/progress/").status_code == 404
    body = client.get(f"/api/v1/campaigns/{everyone.pk}/progress/").json()
    assert (body["hidden_teams"], [t["name"] for t in body["teams"]]) == (1, ["Search"])
    assert "Fraud Detection" not in str(body)
    assert Campaign.objects.count() == 2
