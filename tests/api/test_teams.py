"""/api/v1/teams/ and /api/v1/teams/{id}/: only the teams the user can see."""

from assessments.models import Role, TeamTag

from ..factories import MembershipFactory, TeamFactory
from .conftest import error_of


def test_a_member_lists_only_their_teams(as_member, team, other_team_member):
    response = as_member.get("/api/v1/teams/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == team.id
    assert row["slug"] == "fraud-detection"
    assert row["name"] == "Fraud Detection"
    assert row["organization"] == {
        "id": team.organization.id,
        "slug": team.organization.slug,
        "name": team.organization.name,
    }


def test_a_team_shows_its_tags_and_member_count(as_member, team, viewer):
    TeamTag.objects.create(team=team, name="unit:payments")
    TeamTag.objects.create(team=team, name="area:risk")
    row = as_member.get(f"/api/v1/teams/{team.id}/").json()
    assert row["tags"] == ["area:risk", "unit:payments"]
    assert row["member_count"] == 2


def test_an_org_admin_lists_every_team_of_the_organisation(as_org_admin, team, other_team_member):
    slugs = [t["slug"] for t in as_org_admin.get("/api/v1/teams/").json()["results"]]
    assert slugs == ["fraud-detection", "search"]


def test_teams_filter_by_tag(as_org_admin, team, other_team_member):
    TeamTag.objects.create(team=team, name="unit:payments")
    body = as_org_admin.get("/api/v1/teams/", {"tag": "unit:payments"}).json()
    assert [t["slug"] for t in body["results"]] == ["fraud-detection"]


def test_another_teams_detail_answers_404(as_other, team):
    response = as_other.get(f"/api/v1/teams/{team.id}/")
    assert response.status_code == 404
    assert team.name not in response.content.decode()
    error_of(response)


def test_an_admin_of_another_organisation_sees_none_of_its_teams(team, stranger_org_admin):
    from .conftest import token_client

    client = token_client(stranger_org_admin)
    assert client.get("/api/v1/teams/").json()["count"] == 0
    assert client.get(f"/api/v1/teams/{team.id}/").status_code == 404


def test_teams_are_read_only(as_org_admin, team):
    response = as_org_admin.delete(f"/api/v1/teams/{team.id}/")
    assert response.status_code == 405
    error_of(response)


def test_a_non_numeric_or_huge_id_answers_404(as_member, team):
    assert as_member.get("/api/v1/teams/abc/").status_code == 404
    assert as_member.get(f"/api/v1/teams/{2**70}/").status_code == 404


def test_lists_are_paginated(as_org_admin, team):
    for i in range(3):
        TeamFactory(organization=team.organization, name=f"Extra {i}")
    body = as_org_admin.get("/api/v1/teams/", {"page_size": 2}).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    response = as_org_admin.get("/api/v1/teams/", {"page": 99})
    assert response.status_code == 404
    error_of(response)


def _grow_teams(team, user, count):
    for _ in range(count):
        extra = TeamFactory(organization=team.organization)
        MembershipFactory(team=extra, user=user, role=Role.MEMBER)
        TeamTag.objects.create(team=extra, name=f"unit:{extra.slug}")


def test_the_team_list_does_not_grow_in_queries_with_teams(
    as_member, member, team, django_assert_max_num_queries
):
    _grow_teams(team, member, 2)
    with django_assert_max_num_queries(20) as few:
        assert as_member.get("/api/v1/teams/").json()["count"] == 3
    _grow_teams(team, member, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert as_member.get("/api/v1/teams/").json()["count"] == 30
