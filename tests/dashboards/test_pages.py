"""What the dashboard pages show: every chart with its data, drill-down links, empty states,
and an organisation debt statement that adds up the teams' own bills."""

import json
import re

import pytest
from django.urls import reverse

from assessments import selectors as team_selectors
from assessments.dashboards.filters import DashboardFilters
from assessments.dashboards.pages import Debt
from assessments.models import Organization, Team

from .conftest import add_teams
from .html_tables import html_tables

JSON_BLOCK = re.compile(r'<script id="(figure-[a-z]+)" type="application/json">(.*?)</script>')


def figures(body: str) -> dict[str, dict]:
    return {key: json.loads(payload) for key, payload in JSON_BLOCK.findall(body)}


@pytest.fixture
def organization(org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    add_teams(organization, 6, months=5)
    return organization


@pytest.fixture
def admin_client(client, org_admin, organization):
    client.force_login(org_admin)
    return client


def test_the_overview_draws_every_chart_from_local_plotly(admin_client):
    response = admin_client.get(reverse("dashboard"))
    body = response.content.decode()
    assert set(figures(body)) == {"figure-levels", "figure-heatmap", "figure-trends", "figure-gaps"}
    for key in figures(body):
        assert f'data-dashboard-figure="{key}"' in body
    assert '<script src="/static/vendor/plotly/plotly.min.js"></script>' in body
    assert '<script src="/static/js/dashboard.js"></script>' in body
    assert "cdn" not in body.lower()
    assert 'href="/static/css/dashboard.css"' in body


def test_chart_elements_and_table_rows_drill_down_to_results_and_team_pages(
    admin_client, organization
):
    body = admin_client.get(reverse("dashboard")).content.decode()
    latest = {
        team.slug: team.assessments.filter(result__isnull=False).order_by("-submitted_at").first()
        for team in Team.objects.filter(organization=organization)
    }
    assessed = {slug: assessment for slug, assessment in latest.items() if assessment}
    team_pages = {reverse("team_detail", args=[slug]) for slug in assessed}
    latest_results = {reverse("assessment_result", args=[a.pk]) for a in assessed.values()}
    charts = figures(body)
    heatmap_links = set(charts["figure-heatmap"]["data"][0]["meta"]["links"])
    line_links = {t["meta"]["link"] for t in charts["figure-trends"]["data"] if "meta" in t}
    # A heatmap row is one result: it opens the page that explains its grades.
    assert heatmap_links == latest_results
    # A trend line is a team over time: it opens the team.
    assert line_links == team_pages
    for link in heatmap_links | line_links:
        assert f'<a href="{link}">' in body  # the ranking rows link there too
        assert admin_client.get(link).status_code == 200


def test_level_bars_drill_down_to_the_teams_at_that_level(admin_client):
    body = admin_client.get(reverse("dashboard")).content.decode()
    level_1 = figures(body)["figure-levels"]["data"][1]
    assert level_1["name"] == "Level 1"
    overall, first_dimension = level_1["meta"]["links"][:2]
    assert overall == "/dashboard/?level=1"
    assert first_dimension == "/dashboard/?level=1&dimension=code_environment"


def test_gap_bars_drill_down_to_who_owes_the_capability(admin_client):
    body = admin_client.get(reverse("dashboard")).content.decode()
    gaps = figures(body)["figure-gaps"]["data"][0]
    link = gaps["meta"]["links"][0]
    assert link.startswith("/dashboard/debt/?capability=")
    debt = admin_client.get(link)
    assert debt.status_code == 200
    items = html_tables(debt.content.decode())["debt-items"][1:]
    assert items
    assert {row[1] for row in items} == {gaps["y"][0]}


def test_a_user_without_teams_sees_empty_dashboards_not_errors(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    for name in ("dashboard", "dashboard_debt", "dashboard_compare"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    assert "0 teams" in client.get(reverse("dashboard")).content.decode()


def test_the_navigation_links_to_the_dashboard(admin_client):
    body = admin_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dashboard")}"' in body


def test_the_org_debt_of_a_team_is_the_teams_own_debt_statement(org_admin, organization):
    page = Debt(user=org_admin, filters=DashboardFilters(), everything=True)
    checked = 0
    for team in Team.objects.filter(organization=organization):
        own = {
            i.capability: (i.first_seen, i.days_outstanding, i.interest)
            for i in team_selectors.debt_statement_for_team(team=team, today=page.today)
        }
        org = {
            owed.item.capability: (
                owed.item.first_seen,
                owed.item.days_outstanding,
                owed.item.interest,
            )
            for owed in page.debt.largest()
            if page.debt.teams[owed.team_id].slug == team.slug
        }
        assert org == own, team.slug
        if own:
            sums = page.debt.by_team[team.pk]
            assert sums.gaps == len(own)
            assert sums.interest == pytest.approx(sum(i[2] for i in own.values()))
            assert sums.oldest_days == max(i[1] for i in own.values())
        checked += bool(own)
    assert checked, "some team should owe something"


def test_the_debt_totals_add_up_the_items(admin_client, org_admin):
    page = Debt(user=org_admin, filters=DashboardFilters(), everything=True)
    total = page.total
    gaps = page.debt.largest()
    assert total.items == len(gaps)
    assert total.interest == pytest.approx(sum(o.item.interest for o in gaps), abs=0.01)
    by_age = sum(b["items"] for b in page.buckets)
    assert by_age == total.items
    body = admin_client.get(reverse("dashboard_debt")).content.decode()
    assert f"<dd>{total.items}</dd>" in body


def test_the_compare_page_overlays_the_chosen_teams(admin_client, organization):
    slugs = list(
        Team.objects.filter(organization=organization, assessments__isnull=False)
        .distinct()
        .values_list("slug", flat=True)[:3]
    )
    body = admin_client.get(reverse("dashboard_compare"), {"team": slugs}).content.decode()
    radar = figures(body)["figure-radar"]
    assert [t["meta"]["link"] for t in radar["data"]] == [
        reverse("team_detail", args=[s]) for s in slugs
    ]
    assert len(figures(body)["figure-trends"]["data"]) == 3
    capabilities = html_tables(body)["compare-capabilities"]
    assert len(capabilities[0]) == 3 + 3  # capability, dimension, level, then one per team


def test_compare_names_a_chosen_team_without_results(admin_client, organization, team):
    other = Team.objects.filter(organization=organization, assessments__isnull=False)[0]
    body = admin_client.get(
        reverse("dashboard_compare"), {"team": [other.slug, team.slug]}
    ).content.decode()
    assert "No submitted assessment for: Fraud Detection." in body


def test_the_ranking_says_how_far_each_team_is_from_its_next_level(admin_client, organization):
    from assessments.models import Result

    body = admin_client.get(reverse("dashboard")).content.decode()
    ranking = html_tables(body)["ranking"]
    header, rows = ranking[0], ranking[1:]
    column = header.index("Next level: capabilities in place")
    expected = set()
    for result in Result.objects.filter(assessment__team__organization=organization):
        progress = result.snapshot["result"]["next_level_progress"]
        if progress is not None:
            expected.add(f"{progress['in_place']} of {progress['total']}")
    shown = {row[column] for row in rows if row[column]}
    assert shown
    assert shown <= expected


def test_table_columns_of_figures_are_marked_numeric_and_text_columns_are_not():
    from assessments.dashboards.pages import Cell, Table

    table = Table(
        key="demo",
        caption="Teams",
        columns=("Team", "Index", "Change", "Tags"),
        rows=[
            (Cell("Churn"), Cell("97.9"), Cell("+4.1"), Cell("area:crm")),
            (Cell("Fraud"), Cell(""), Cell("-2.0"), Cell("area:risk")),
        ],
    )
    html = str(table)

    assert '<th scope="col" class="num">Index</th>' in html
    assert '<th scope="col" class="num">Change</th>' in html
    assert '<th scope="col">Tags</th>' in html
    assert '<td class="num">97.9</td>' in html
    assert "<td>area:crm</td>" in html
