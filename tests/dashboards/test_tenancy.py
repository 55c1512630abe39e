"""Who sees which teams on the dashboards: a member, a member of another team, the org admin.

An org admin compares every team of the organisation; a member sees only the teams they belong
to; nobody sees another organisation's teams, by any page, filter or download.
"""

import pytest
from django.urls import reverse

from assessments.models import Team

from .html_tables import csv_rows, html_tables

PAGES = ["dashboard", "dashboard_debt"]
CSVS = ["ranking", "heatmap", "trends", "gaps", "debt-items", "debt-teams"]


@pytest.fixture
def two_teams(team_with_history, other_team):
    return team_with_history, other_team


def ranked_teams(client) -> list[str]:
    rows = html_tables(client.get(reverse("dashboard")).content.decode())["ranking"]
    return [row[0] for row in rows[1:]]


def test_a_member_sees_only_their_own_team(client, member, two_teams):
    client.force_login(member)
    assert ranked_teams(client) == ["Fraud Detection"]


def test_a_member_of_another_team_does_not_see_the_team(client, other_team_member, two_teams):
    client.force_login(other_team_member)
    assert ranked_teams(client) == ["Search"]


def test_an_org_admin_sees_every_team_of_the_organisation(client, org_admin, two_teams):
    client.force_login(org_admin)
    assert sorted(ranked_teams(client)) == ["Fraud Detection", "Search"]


def test_an_admin_of_another_organisation_sees_none_of_them(client, stranger_org_admin, two_teams):
    client.force_login(stranger_org_admin)
    assert ranked_teams(client) == []


@pytest.mark.parametrize("page", PAGES)
def test_pages_never_name_a_team_the_user_cannot_see(client, member, two_teams, page):
    client.force_login(member)
    body = client.get(reverse(page)).content.decode()
    assert "Fraud Detection" in body
    assert "Search" not in body
    assert reverse("team_detail", args=["search"]) not in body


@pytest.mark.parametrize("table", CSVS)
def test_downloads_never_contain_a_team_the_user_cannot_see(client, member, two_teams, table):
    client.force_login(member)
    response = client.get(reverse("dashboard_csv", args=[table]))
    assert response.status_code == 200
    names = {row[0] for row in csv_rows(response.content)[1:]}
    assert "Search" not in names


def test_a_member_cannot_compare_a_team_they_cannot_see(client, member, two_teams):
    client.force_login(member)
    response = client.get(reverse("dashboard_compare"), {"team": ["fraud-detection", "search"]})
    assert response.status_code == 400
    assert "There is no team “search” among the teams you can see." in response.content.decode()
    assert "Search" not in html_tables(response.content.decode()).get("compare-summary", [])


def test_a_member_of_two_teams_compares_them(client, member, two_teams):
    from assessments.models import Membership, Role

    search = Team.objects.get(slug="search")
    Membership.objects.create(
        user=member, organization=search.organization, team=search, role=Role.VIEWER
    )
    client.force_login(member)
    response = client.get(reverse("dashboard_compare"), {"team": ["fraud-detection", "search"]})
    assert response.status_code == 200
    rows = html_tables(response.content.decode())["compare-summary"]
    assert [row[0] for row in rows[1:]] == ["Fraud Detection", "Search"]


def test_tags_of_teams_the_user_cannot_see_are_not_offered(client, member, two_teams):
    from assessments.services.memberships import team_tags_set

    team_tags_set(team=Team.objects.get(slug="search"), names=["unit:secret-project"])
    client.force_login(member)
    assert "unit:secret-project" not in client.get(reverse("dashboard")).content.decode()
    response = client.get(reverse("dashboard"), {"tag": "unit:secret-project"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("dashboard"),
        lambda: reverse("dashboard_compare"),
        lambda: reverse("dashboard_debt"),
        lambda: reverse("dashboard_csv", args=["ranking"]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, team, url):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_admin_of_two_organisations_can_narrow_to_one(client, org_admin, stranger_org_admin):
    from assessments.models import Membership, Organization, Role

    from .conftest import add_teams

    own = Organization.objects.get(memberships__user=org_admin)
    other = Organization.objects.get(memberships__user=stranger_org_admin)
    Membership.objects.create(user=org_admin, organization=other, role=Role.ORG_ADMIN)
    add_teams(own, 2, months=1)
    add_teams(other, 1, first=3, months=1)
    client.force_login(org_admin)
    assert len(ranked_teams(client)) == 3
    body = client.get(reverse("dashboard"), {"organization": other.slug}).content.decode()
    assert len(html_tables(body)["ranking"]) == 2  # header and one team
