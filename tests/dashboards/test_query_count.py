"""The dashboards do not N+1: the number of queries stays the same as the organisation grows.

Each test counts the queries of a page, grows the data, and counts again (PostHog's "does not
N+1" tests). The database aggregates; a page never runs a query per team.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Organization, Team

from .conftest import add_teams
from .html_tables import html_tables

# Session (read from the database on a session's first request, from the cache afterwards) and
# user; the cache key (the visible teams with the data fingerprint); the filter choices
# (organisations and tags, one query); the standing of the matching teams (levels, gaps and
# exemptions); the ranking; the heatmap's grades; the trends; the monthly average. A cached
# page, asked for again, needs only the user and the key.
OVERVIEW_QUERIES = 9
# Session, user, key and filter choices; the teams, the bills, the sums per team, and the gaps
# of the page's bills.
DEBT_QUERIES = 8
# Session and user; the team choices; the chosen teams' results, their grades and their trends.
COMPARE_QUERIES = 6
CACHED_QUERIES = 2


def count_queries(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200, response.content.decode()[:2000]
    return len(captured.captured_queries)


@pytest.fixture
def organization(org_admin):
    return Organization.objects.get(memberships__user=org_admin)


@pytest.mark.parametrize(
    "query",
    [{}, {"dimension": "cicd", "level": "0", "sort": "delta"}, {"sort": "debt", "page": "2"}],
    ids=["unfiltered", "dimension-level", "second-page"],
)
def test_the_overview_runs_as_many_queries_for_200_teams_as_for_10(
    client, org_admin, organization, query
):
    add_teams(organization, 10, months=2)
    client.force_login(org_admin)
    with_10 = count_queries(client, reverse("dashboard"), query)
    add_teams(organization, 190, first=11, months=1)
    assert Team.objects.filter(organization=organization).count() > 200
    with_200 = count_queries(client, reverse("dashboard"), query)
    assert with_10 == with_200
    assert with_200 <= OVERVIEW_QUERIES


def test_the_overview_with_a_tag_filter_does_not_grow_either(client, org_admin, organization):
    add_teams(organization, 12, months=1)
    tag = Team.objects.filter(organization=organization, tags__name__startswith="unit:")[0]
    tag = tag.tags.get(name__startswith="unit:").name
    client.force_login(org_admin)
    small = count_queries(client, reverse("dashboard"), {"tag": tag})
    add_teams(organization, 60, first=13, months=1)
    assert count_queries(client, reverse("dashboard"), {"tag": tag}) == small


def test_the_debt_statement_does_not_grow_with_the_teams(client, org_admin, organization):
    add_teams(organization, 5, months=2)
    client.force_login(org_admin)
    small = count_queries(client, reverse("dashboard_debt"))
    add_teams(organization, 60, first=6, months=2)
    assert count_queries(client, reverse("dashboard_debt")) == small
    assert small <= DEBT_QUERIES


def test_comparing_six_teams_costs_what_comparing_two_does(client, org_admin, organization):
    slugs = [t.slug for t in add_teams(organization, 6, months=3)]
    client.force_login(org_admin)
    two = count_queries(client, reverse("dashboard_compare"), {"team": slugs[:2]})
    six = count_queries(client, reverse("dashboard_compare"), {"team": slugs})
    assert two == six
    assert six <= COMPARE_QUERIES


@pytest.mark.parametrize("table", ["ranking", "heatmap", "trends", "gaps", "debt-items"])
def test_downloads_do_not_grow_with_the_teams(client, org_admin, organization, table):
    add_teams(organization, 5, months=1)
    client.force_login(org_admin)
    url = reverse("dashboard_csv", args=[table])
    small = count_queries(client, url)
    add_teams(organization, 40, first=6, months=1)
    assert count_queries(client, url) == small


def test_a_cached_overview_runs_two_queries_for_10_teams_as_for_200(
    client, org_admin, organization, settings
):
    # As deployed with Redis: sessions come from the cache after their first request.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    add_teams(organization, 10, months=2)
    client.force_login(org_admin)
    first = html_tables(client.get(reverse("dashboard")).content.decode())
    with CaptureQueriesContext(connection) as captured:
        again = html_tables(client.get(reverse("dashboard")).content.decode())
    assert again == first
    assert len(captured.captured_queries) == CACHED_QUERIES
    add_teams(organization, 190, first=11, months=1)
    client.get(reverse("dashboard"))
    assert count_queries(client, reverse("dashboard")) == CACHED_QUERIES
