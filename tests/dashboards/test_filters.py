"""Filters live in the URL: they narrow every chart and table, survive in every link, and a bad
value is a sentence on the page (status 400), never a server error."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from assessments.dashboards.filters import DashboardFilters
from assessments.models import Organization, Result, Team

from .conftest import NOW, add_teams
from .html_tables import html_tables


@pytest.fixture
def organization(org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    add_teams(organization, 8, months=3)
    return organization


@pytest.fixture
def admin_client(client, org_admin, organization):
    client.force_login(org_admin)
    return client


def ranked(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return [row[0] for row in html_tables(response.content.decode())["ranking"][1:]]


def test_a_tag_narrows_the_ranking_to_the_teams_with_it(admin_client, organization):
    tag = Team.objects.filter(organization=organization).first().tags.first().name
    expected = set(
        Team.objects.filter(organization=organization, tags__name=tag).values_list(
            "name", flat=True
        )
    )
    assert set(ranked(admin_client.get(reverse("dashboard"), {"tag": tag}))) == expected


def test_the_level_filter_keeps_the_teams_at_that_level(admin_client, organization):
    seen = []
    for level in (0, 1, 2):
        response = admin_client.get(reverse("dashboard"), {"level": level})
        rows = html_tables(response.content.decode())["ranking"][1:]
        assert {row[1] for row in rows} <= {str(level)}
        seen.extend(row[0] for row in rows)
    assert sorted(seen) == sorted(ranked(admin_client.get(reverse("dashboard"))))


def test_the_level_in_a_dimension_reads_that_dimensions_level(admin_client, organization):
    response = admin_client.get(reverse("dashboard"), {"dimension": "cicd", "level": 0})
    names = set(ranked(response))
    expected = set()
    for team in Team.objects.filter(
        organization=organization, assessments__isnull=False
    ).distinct():
        latest = Result.objects.filter(assessment__team=team).latest("assessment__submitted_at")
        if latest.snapshot["result"]["dimension_levels"]["cicd"] == 0:
            expected.add(team.name)
    assert expected, "the fixture should have a team at level 0 in CI/CD"
    assert names == expected
    # The capability charts follow the dimension: only CI/CD columns in the heatmap.
    heatmap = html_tables(response.content.decode())["heatmap"]
    assert "Unit tests of feature and model code" in heatmap[0]
    assert "Data validation gate" not in heatmap[0]


def test_the_date_range_reads_results_submitted_in_it(admin_client, organization):
    end = (NOW - dt.timedelta(days=40)).date()
    response = admin_client.get(reverse("dashboard"), {"date_to": end.isoformat()})
    rows = html_tables(response.content.decode())["ranking"][1:]
    assert rows
    assert all(row[-1] <= end.isoformat() for row in rows)
    trends = html_tables(response.content.decode())["trends"][1:]
    assert trends
    assert all(row[1] <= end.isoformat() for row in trends)
    later = (NOW + dt.timedelta(days=10)).date().isoformat()
    assert ranked(admin_client.get(reverse("dashboard"), {"date_from": later})) == []


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ({"level": "7"}, "The level must be 0, 1 or 2, not “7”."),
        ({"dimension": "vibes"}, "There is no dimension “vibes”; choose one from the list."),
        (
            {"date_from": "2025-13-01"},
            "The start date must be a date written as YYYY-MM-DD, for example 2025-01-31.",
        ),
        (
            {"date_from": "2026-03-01", "date_to": "2026-01-01"},
            "The start date (2026-03-01) comes after the end date (2026-01-01).",
        ),
        ({"sort": "vibes"}, "Teams can be sorted by level, index, delta, steps, debt, name"),
        ({"page": "0"}, "The page must be a whole number, 1 or more."),
        ({"page": "two"}, "The page must be a whole number, 1 or more."),
        ({"tag": "unit:nowhere"}, "No team you can see has the tag “unit:nowhere”."),
        ({"organization": "acme"}, "There is no organisation “acme” among the ones you can see."),
    ],
)
def test_a_bad_filter_is_a_clear_sentence_not_a_server_error(admin_client, query, sentence):
    response = admin_client.get(reverse("dashboard"), query)
    assert response.status_code == 400
    body = response.content.decode()
    assert sentence.replace("“", "&ldquo;") in body or sentence in body
    assert 'role="alert"' in body
    # The CSV downloads refuse the same values with the same sentence.
    download = admin_client.get(reverse("dashboard_csv", args=["ranking"]), query)
    assert download.status_code == 400
    assert sentence in download.content.decode()


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ({"capability": "vibes"}, "There is no capability “vibes”; choose one from the list."),
        ({"level": "-1"}, "The level must be 0, 1 or 2, not “-1”."),
    ],
)
def test_the_debt_statement_explains_bad_filters_too(admin_client, query, sentence):
    response = admin_client.get(reverse("dashboard_debt"), query)
    assert response.status_code == 400
    assert sentence in response.content.decode()


@pytest.mark.parametrize(
    ("teams", "sentence"),
    [
        (["x"], "There is no team “x” among the teams you can see."),
        (["synthetic-1"], "There is no team “synthetic-1” among the teams you can see."),
    ],
)
def test_compare_explains_unknown_teams(admin_client, teams, sentence):
    response = admin_client.get(reverse("dashboard_compare"), {"team": teams})
    assert response.status_code == 400
    assert sentence in response.content.decode()


def test_compare_needs_two_to_six_teams(admin_client, organization):
    slugs = list(Team.objects.filter(organization=organization).values_list("slug", flat=True))
    for chosen, status in ((slugs[:1], 400), (slugs[:2], 200), (slugs[:6], 200), (slugs[:7], 400)):
        response = admin_client.get(reverse("dashboard_compare"), {"team": chosen})
        assert response.status_code == status, chosen
        if status == 400:
            assert "Choose between 2 and 6 teams to compare" in response.content.decode()


def test_the_compare_page_without_a_choice_shows_the_picker(admin_client, organization):
    response = admin_client.get(reverse("dashboard_compare"))
    assert response.status_code == 200
    assert 'name="team"' in response.content.decode()
    assert 'role="alert"' not in response.content.decode()


def test_links_keep_the_filters(admin_client, organization):
    tag = Team.objects.filter(organization=organization).first().tags.first().name
    query = {"tag": tag, "date_from": (NOW - dt.timedelta(days=70)).date().isoformat()}
    body = admin_client.get(reverse("dashboard"), query).content.decode()
    csv_link = reverse("dashboard_csv", args=["ranking"]) + "?"
    start = body.index(csv_link)
    href = body[start : body.index('"', start)].replace("&amp;", "&")
    assert parse_qs(urlparse(href).query) == {"tag": [tag], "date_from": [query["date_from"]]}
    # The chosen values are selected in the form, so the page shows what it filters by.
    assert f'<option value="{tag}" selected>' in body


def test_level_links_drill_down_with_the_other_filters_kept():
    filters = DashboardFilters(tags=("unit:payments",), sort="index", page=3)
    query = parse_qs(filters.query(level=1, dimension="data", page=1))
    assert query == {
        "tag": ["unit:payments"],
        "level": ["1"],
        "dimension": ["data"],
        "sort": ["index"],
    }


def test_pages_beyond_the_last_show_the_last(admin_client, organization):
    response = admin_client.get(reverse("dashboard"), {"page": 99})
    assert response.status_code == 200
    assert len(ranked(response)) == 8


def test_the_ranking_pages_through_many_teams(admin_client, organization):
    add_teams(organization, 20, first=100, months=1)
    first = ranked(admin_client.get(reverse("dashboard"), {"sort": "name"}))
    second = ranked(admin_client.get(reverse("dashboard"), {"sort": "name", "page": 2}))
    assert len(first) == 25
    assert len(second) == 3
    assert not set(first) & set(second)
    body = admin_client.get(reverse("dashboard"), {"sort": "name"}).content.decode()
    assert "Page 1 of 2" in body
    assert "?sort=name&amp;page=2" in body
