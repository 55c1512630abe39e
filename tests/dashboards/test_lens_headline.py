"""The headline model on the overview and the home page: Google's levels by default;
Microsoft's, with Google's beside them, when the organisation chooses it."""

import pytest
from django.urls import reverse

from assessments.models import HeadlineLens, Organization, Result, Team
from assessments.services.results import latest_results_copy

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


def _latest(organization):
    return Result.objects.filter(
        pk__in=Team.objects.filter(organization=organization).values("latest_result")
    )


def _microsoft_level_set(results, level):
    """Give these results Microsoft's `level`, and their teams' latest copies with them, as
    `result_compute` writes both."""
    Result.objects.filter(pk__in=[r.pk for r in results]).update(microsoft_level=level)
    latest_results_copy(team_ids=[r.team_id for r in results])


def test_with_microsoft_as_the_headline_the_ranking_sorts_by_microsofts_level(
    client, org_admin, organization
):
    _lead_with_microsoft(organization)
    # Make Microsoft's order differ from Google's: the Google level-0 team leads Microsoft's.
    latest = list(_latest(organization).order_by("overall_level", "index"))
    _microsoft_level_set([latest[0]], 4)
    _microsoft_level_set(latest[1:], 1)
    client.force_login(org_admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Sorted by Microsoft level, then Google level and index" in body
    ranking = html_tables(body)["ranking"]
    microsoft = [int(row[1]) for row in ranking[1:]]
    assert microsoft == sorted(microsoft, reverse=True)
    assert ranking[1][0] == latest[0].team.name
    google = [int(row[2]) for row in ranking[2:]]  # ties on Microsoft's level: Google's next
    assert google == sorted(google, reverse=True)


def test_by_default_the_ranking_still_sorts_by_googles_level(client, org_admin, organization):
    latest = list(_latest(organization).order_by("overall_level", "index"))
    _microsoft_level_set([latest[0]], 4)
    client.force_login(org_admin)
    response = client.get(reverse("dashboard"))
    levels = [int(row[1]) for row in html_tables(response.content.decode())["ranking"][1:]]
    assert levels == sorted(levels, reverse=True)
    assert "microsoft_level" not in response.context["form"].fields


def test_with_microsoft_as_the_headline_the_level_filter_reads_microsofts_level(
    client, org_admin, organization
):
    _lead_with_microsoft(organization)
    latest = list(_latest(organization).select_related("team"))
    _microsoft_level_set(latest[:2], 3)
    _microsoft_level_set(latest[2:], 0)
    client.force_login(org_admin)
    response = client.get(reverse("dashboard"), {"microsoft_level": "3"})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.fields["microsoft_level"].label, form.fields["level"].label) == (
        "Microsoft level",
        "Google level",
    )
    names = {row[0] for row in html_tables(response.content.decode())["ranking"][1:]}
    assert names == {r.team.name for r in latest[:2]}
    # Each count of Microsoft's levels table lists those teams.
    assert f'href="{reverse("dashboard")}?microsoft_level=3"' in (
        client.get(reverse("dashboard")).content.decode()
    )


def test_a_microsoft_level_out_of_range_is_a_clear_error(client, org_admin, organization):
    _lead_with_microsoft(organization)
    client.force_login(org_admin)
    response = client.get(reverse("dashboard"), {"microsoft_level": "5"})
    assert response.status_code == 400
    assert "The Microsoft level must be 0, 1, 2, 3 or 4, not “5”." in response.content.decode()


def test_the_microsoft_level_filter_does_not_grow_with_the_teams(client, org_admin, organization):
    from .test_query_count import OVERVIEW_QUERIES, count_queries

    _lead_with_microsoft(organization)
    client.force_login(org_admin)
    query = {"microsoft_level": "0", "sort": "level"}
    small = count_queries(client, reverse("dashboard"), query)
    add_teams(organization, 60, first=6, months=1)
    assert count_queries(client, reverse("dashboard"), query) == small <= OVERVIEW_QUERIES


def test_the_headline_is_microsofts_only_when_every_organisation_in_view_chose_it():
    from assessments.dashboards.filters import headline_of

    both = {"acme": "microsoft", "globex": "google"}
    assert headline_of(both) == "google"
    assert headline_of(both, "acme") == "microsoft"
    assert headline_of(both, "globex") == "google"
    assert headline_of({"acme": "microsoft"}) == "microsoft"
    assert headline_of({}) == "google"


def test_compare_shows_microsofts_level_beside_googles_and_the_eu_readiness_counts(
    client, org_admin, organization
):
    teams = list(Team.objects.filter(organization=organization).exclude(latest_result=None)[:2])
    client.force_login(org_admin)
    query = {"team": [t.slug for t in teams]}
    table = html_tables(client.get(reverse("dashboard_compare"), query).content.decode())
    summary = table["compare-summary"]
    assert summary[0][:3] == ["Team", "Google level", "Microsoft level"]
    assert summary[0][5:8] == [
        "EU AI Act: articles supported",
        "EU AI Act: partly",
        "EU AI Act: missing",
    ]
    for row in summary[1:]:
        result = next(t for t in teams if t.name == row[0]).latest_result
        statuses = list(result.eu_ai_act_articles.values())
        assert row[1:3] == [str(result.overall_level), str(result.microsoft_level)]
        assert row[5:8] == [str(statuses.count(s)) for s in ("supported", "partly", "missing")]
    _lead_with_microsoft(organization)
    summary = html_tables(client.get(reverse("dashboard_compare"), query).content.decode())
    assert summary["compare-summary"][0][:3] == ["Team", "Microsoft level", "Google level"]


def test_the_debt_page_says_which_model_its_levels_are_in(client, org_admin, organization):
    client.force_login(org_admin)
    body = text_of(client.get(reverse("dashboard_debt")).content.decode())
    assert "target level needs in Google's model (levels 0-2)" in body
    assert "the Microsoft level filter" not in body
    _lead_with_microsoft(organization)
    response = client.get(reverse("dashboard_debt"), {"microsoft_level": "0"})
    assert response.status_code == 200
    assert "the Microsoft level filter Microsoft's (0-4)" in text_of(response.content.decode())
