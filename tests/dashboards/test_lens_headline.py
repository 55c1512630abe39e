"""The headline model on the overview and the home page: Google's levels by default;
Microsoft's, with Google's beside them, when the organisation chooses it."""

import pytest
from django.urls import reverse

from assessments.models import HeadlineLens, Organization, Result, Team

from ..test_lens_pages import text_of
from .conftest import add_teams
from .html_tables import html_tables


@pytest.fixture
def organization(org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    add_teams(organization, 5, months=2)
    return organization


def _lead_with_microsoft(organization):
    organization.headline_lens = HeadlineLens.MICROSOFT
    organization.save(update_fields=["headline_lens"])


def test_by_default_the_overview_leads_with_googles_levels(client, org_admin, organization):
    client.force_login(org_admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Microsoft levels across the organisation" not in body
    assert html_tables(body)["ranking"][0][:3] == ["Team", "Level", "Index"]


def test_with_microsoft_as_the_headline_the_overview_shows_its_levels_and_googles_beside(
    client, org_admin, organization
):
    client.force_login(org_admin)
    client.get(reverse("dashboard"))  # cached with Google's headline first
    _lead_with_microsoft(organization)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Microsoft levels across the organisation" in body
    assert "Google's levels across the organisation" in body
    tables = html_tables(body)
    latest = Result.objects.filter(
        pk__in=Team.objects.filter(organization=organization).values("latest_result")
    )
    counts = {row[0]: int(row[2]) for row in tables["microsoft-levels"][1:]}
    assert sum(counts.values()) == latest.count()
    for level in range(5):
        assert counts[str(level)] == latest.filter(microsoft_level=level).count()
    ranking = tables["ranking"]
    assert ranking[0][:4] == ["Team", "Microsoft level", "Google level", "Index"]
    by_team = {row[0]: row for row in ranking[1:]}
    for result in latest.select_related("team"):
        row = by_team[result.team.name]
        assert row[1:3] == [str(result.microsoft_level), str(result.overall_level)]
    csv = client.get(reverse("dashboard_csv", args=["microsoft-levels"]))
    assert csv.status_code == 200


def test_the_home_page_shows_the_headline_models_level(client, org_admin, organization):
    client.force_login(org_admin)
    team = Team.objects.filter(organization=organization).exclude(latest_result=None).first()
    result = team.latest_result
    assert "Microsoft level" not in text_of(client.get(reverse("home")).content.decode())
    _lead_with_microsoft(organization)
    body = text_of(client.get(reverse("home")).content.decode())
    assert f"Microsoft level {result.microsoft_level} / 4" in body
    assert f"Google: level {result.overall_level}" in body


def test_with_microsoft_as_the_headline_the_overview_still_does_not_grow_with_the_teams(
    client, org_admin, organization
):
    from .test_query_count import OVERVIEW_QUERIES, count_queries

    _lead_with_microsoft(organization)
    client.force_login(org_admin)
    small = count_queries(client, reverse("dashboard"))
    add_teams(organization, 60, first=6, months=1)
    assert count_queries(client, reverse("dashboard")) == small <= OVERVIEW_QUERIES
