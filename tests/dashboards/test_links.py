"""A page's links, reversed once and filled in, are the links reverse() writes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from assessments.dashboards.filters import DashboardFilters
from assessments.dashboards.pages.base import DashboardPage, dashboard_url, result_url, team_url


@pytest.fixture
def page():
    return DashboardPage(user=AnonymousUser(), filters=DashboardFilters())


@pytest.mark.parametrize("slug", ["search", "team-1_b", "A9"])
def test_a_teams_link_is_the_reversed_one(page, slug):
    assert page.team_url(slug) == team_url(slug) == f"/teams/{slug}/"


@pytest.mark.parametrize("slug", ["ünïcode", "a b", "x/y", ""])
def test_what_is_no_slug_is_refused_as_reverse_refuses_it(page, slug):
    with pytest.raises(NoReverseMatch):
        team_url(slug)
    with pytest.raises(NoReverseMatch):
        page.team_url(slug)


@pytest.mark.parametrize("assessment_id", [1, 42, 918273645, 10**12])
def test_a_results_link_is_the_reversed_one(page, assessment_id):
    assert page.result_url(assessment_id) == result_url(assessment_id)


def test_links_follow_the_script_prefix():
    before = get_script_prefix()
    try:
        set_script_prefix("/sub/")
        page = DashboardPage(user=AnonymousUser(), filters=DashboardFilters())
        filters = DashboardFilters(level=1, tags=("a&b",))
        assert dashboard_url("dashboard", filters, page=2) == (
            reverse("dashboard") + "?tag=a%26b&level=1&page=2"
        )
        assert reverse("dashboard").startswith("/sub/")
        assert page.team_url("search") == team_url("search") == "/sub/teams/search/"
    finally:
        set_script_prefix(before)
    assert dashboard_url("dashboard", DashboardFilters()) == reverse("dashboard")
