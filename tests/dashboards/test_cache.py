"""A cached dashboard is never a stale one: every change that a page shows changes its key."""

import pytest
from django.urls import reverse

from assessments.demo import synthetic_teams_add
from assessments.models import Membership, Organization, Result, Team
from assessments.services.memberships import team_tags_set
from assessments.services.results import result_compute

from .conftest import add_teams
from .html_tables import html_tables


@pytest.fixture
def organization(org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    add_teams(organization, 3, months=2)
    return organization


def ranking(client, **query) -> list[list[str]]:
    response = client.get(reverse("dashboard"), query)
    assert response.status_code == 200
    return html_tables(response.content.decode())["ranking"][1:]


def test_a_new_result_shows_at_once(client, org_admin, organization):
    client.force_login(org_admin)
    before = ranking(client)
    add_teams(organization, 1, first=10, months=1)
    assert len(ranking(client)) == len(before) + 1


def test_a_recomputed_result_shows_at_once(client, org_admin, organization):
    (team,) = synthetic_teams_add(organization=organization, numbers=[20], months=1)
    client.force_login(org_admin)
    before = next(r for r in ranking(client) if r[0] == team.name)
    latest = team.assessments.order_by("-submitted_at").first()
    latest.answers.filter(option_key__in=["no", "partly"]).update(option_key="yes")
    assert latest.answers.exists()
    result_compute(assessment=latest)  # as after a scan: same assessment, new result
    after = next(r for r in ranking(client) if r[0] == team.name)
    assert after[2] == f"{Result.objects.get(assessment=latest).index:.1f}"
    assert after[2] != before[2]


def test_a_renamed_team_shows_its_new_name_at_once(client, org_admin, organization):
    client.force_login(org_admin)
    team = Team.objects.filter(organization=organization, assessments__isnull=False).first()
    ranking(client)
    team.name = "Renamed Team"
    team.save()
    assert "Renamed Team" in {row[0] for row in ranking(client)}


def test_losing_access_to_a_team_hides_it_at_once(client, organization, team, member):
    from .conftest import give_history

    give_history(team)
    client.force_login(member)
    assert [row[0] for row in ranking(client)] == ["Fraud Detection"]
    Membership.objects.filter(user=member).delete()
    assert ranking(client) == []


def test_a_new_tag_filters_at_once(client, org_admin, organization):
    client.force_login(org_admin)
    team = Team.objects.filter(organization=organization, assessments__isnull=False).first()
    assert client.get(reverse("dashboard"), {"tag": "unit:new"}).status_code == 400
    team_tags_set(team=team, names=["unit:new"])
    assert [row[0] for row in ranking(client, tag="unit:new")] == [team.name]


def test_two_users_never_share_a_cached_page(client, organization, team, member, org_admin):
    from .conftest import give_history

    give_history(team)
    client.force_login(org_admin)
    assert len(ranking(client)) == 4
    client.force_login(member)
    assert [row[0] for row in ranking(client)] == ["Fraud Detection"]


def test_invalid_filters_are_never_cached(client, org_admin, organization):
    client.force_login(org_admin)
    for _ in range(2):
        response = client.get(reverse("dashboard"), {"level": "9"})
        assert response.status_code == 400


def test_a_decision_on_an_exemption_shows_at_once(client, org_admin, organization):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.services.exemptions import exemption_approve, exemption_request

    client.force_login(org_admin)
    rows = ranking(client)
    assert all(row[-1] == "" for row in rows)
    team = Team.objects.get(organization=organization, name=rows[0][0])
    request = exemption_request(
        team=team,
        user=org_admin,
        capability_key="feature_store",
        reason="No features are shared between our models.",
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    # A request waiting for a decision changes no figure.
    assert all(row[-1] == "" for row in ranking(client))
    other_admin = Membership.objects.create(
        user=type(org_admin).objects.create(username="second-admin"),
        organization=organization,
        role="org_admin",
    ).user
    exemption_approve(exemption=request, user=other_admin)
    rows = {row[0]: row[-1] for row in ranking(client)}
    assert rows[team.name] == "1"
    assert [value for value in rows.values() if value] == ["1"]
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 of these teams has exemptions in force (1 capability in all)" in page


def test_a_deleted_result_leaves_the_page_at_once(
    client, org_admin, organization, django_capture_on_commit_callbacks
):
    client.force_login(org_admin)
    team = Team.objects.filter(organization=organization, latest_result__isnull=False).first()
    before = {row[0]: row for row in ranking(client)}
    older = Result.objects.filter(team=team).order_by("submitted_at").first()
    assert older != team.latest_result  # not the newest computation: that moved the key before
    with django_capture_on_commit_callbacks(execute=True):
        team.latest_result.assessment.delete()
    after = {row[0]: row for row in ranking(client)}
    assert after[team.name][2] == f"{older.index:.1f}"
    assert before[team.name][2] != after[team.name][2] or before[team.name] != after[team.name]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Two teams swap names: the same names in all, on other teams.
        (("Alpha", "Beta"), ("Beta", "Alpha")),
        # Text moved across the boundary of two fields, separators and quotes included.
        (("a,b", "c"), ("a", "b,c")),
        (("it's", "x'"), ("it", "s'x'")),
    ],
)
def test_names_that_change_places_change_the_key(org_admin, organization, first, second):
    from assessments.dashboards.cache import page_key

    one, two = Team.objects.filter(organization=organization).order_by("pk")[:2]

    def key_with(names):
        for team, name in zip((one, two), names, strict=True):
            team.name = f"{name} (moving)"  # names are unique in an organisation
            team.save()
        for team, name in zip((one, two), names, strict=True):
            team.name = name
            team.save()
        return page_key(name="overview", user=org_admin, query="")

    assert key_with(first) != key_with(second)
    assert key_with(first) == key_with(first)


def test_a_renamed_organisation_shows_its_new_name_at_once(client, org_admin, organization):
    """The ranking names each team's organisation when the page shows several."""
    from assessments.dashboards.cache import page_key

    before = page_key(name="overview", user=org_admin, query="")
    organization.name = "Renamed Organisation"
    organization.save()
    assert page_key(name="overview", user=org_admin, query="") != before
