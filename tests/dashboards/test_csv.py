"""Each CSV download is the table behind its chart, cell for cell, with every matching row."""

import pytest
from django.urls import reverse

from assessments.dashboards.views import csv_cell
from assessments.models import Organization, Team

from .conftest import add_teams
from .html_tables import csv_rows, html_tables


@pytest.fixture
def admin_client(client, org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    # Synthetic teams are seeded by the organisation's slug; a fixed one keeps the data (and the
    # open debt these tables need) the same whichever tests ran before.
    organization.slug = "csv-downloads"
    organization.save(update_fields=["slug"])
    add_teams(organization, 6, months=4)
    client.force_login(org_admin)
    return client


@pytest.mark.parametrize(
    ("page", "query", "tables"),
    [
        ("dashboard", {}, ["levels", "ranking", "heatmap", "trends", "average", "gaps"]),
        ("dashboard", {"dimension": "data", "sort": "name"}, ["ranking", "heatmap", "gaps"]),
        ("dashboard_debt", {}, ["debt-age", "debt-teams", "debt-capabilities", "debt-items"]),
    ],
)
def test_the_download_equals_the_table_on_the_page(admin_client, page, query, tables):
    body = admin_client.get(reverse(page), query).content.decode()
    shown = html_tables(body)
    for table in tables:
        response = admin_client.get(reverse("dashboard_csv", args=[table]), query)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="{table}.csv"' in response["Content-Disposition"]
        rows = csv_rows(response.content)
        if table in ("debt-items", "debt-teams"):
            # The page lists the open gaps 50 at a time and the teams owing the most; the
            # download has all of them.
            assert len(rows) >= len(shown[table])
            rows = rows[: len(shown[table])]
        assert rows == shown[table], table
        assert len(shown[table]) > 1, f"{table} should not be empty in this fixture"


def test_the_compare_downloads_equal_the_compare_tables(admin_client):
    slugs = list(Team.objects.exclude(assessments=None).values_list("slug", flat=True)[:3])
    query = {"team": slugs}
    shown = html_tables(admin_client.get(reverse("dashboard_compare"), query).content.decode())
    for table in (
        "compare-summary",
        "compare-dimensions",
        "compare-capabilities",
        "compare-trends",
    ):
        response = admin_client.get(reverse("dashboard_csv", args=[table]), query)
        assert csv_rows(response.content) == shown[table], table


def test_the_ranking_download_has_every_team_not_only_the_page(admin_client, org_admin):
    organization = Organization.objects.get(memberships__user=org_admin)
    add_teams(organization, 24, first=50, months=1)
    shown = html_tables(admin_client.get(reverse("dashboard")).content.decode())["ranking"]
    downloaded = csv_rows(admin_client.get(reverse("dashboard_csv", args=["ranking"])).content)
    assert len(shown) == 1 + 25
    assert len(downloaded) == 1 + 30
    assert downloaded[: len(shown)] == shown


def test_an_unknown_table_is_not_found(admin_client):
    assert admin_client.get("/dashboard/csv/passwords.csv").status_code == 404


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("-1.5", "-1.5"),
        ("+2.0", "+2.0"),
        ("Fraud Detection", "Fraud Detection"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_a_leading_quote(value, written):
    assert csv_cell(value) == written


def test_a_team_named_like_a_formula_is_downloaded_as_text(admin_client, team):
    from .conftest import give_history

    team.name = "=1+1"
    team.save()
    give_history(team)
    rows = csv_rows(admin_client.get(reverse("dashboard_csv", args=["ranking"])).content)
    assert [row[0] for row in rows if "1+1" in row[0]] == ["'=1+1"]


def test_the_debt_page_shows_the_teams_owing_the_most_and_the_download_every_team(
    admin_client, monkeypatch
):
    from assessments.dashboards.pages import debt

    everyone = csv_rows(admin_client.get(reverse("dashboard_csv", args=["debt-teams"])).content)[1:]
    assert len(everyone) > 3
    monkeypatch.setattr(debt, "DEBT_TEAMS_SHOWN", 3)
    body = admin_client.get(reverse("dashboard_debt")).content.decode()
    shown = html_tables(body)["debt-teams"][1:]
    assert [row[0] for row in shown] == [row[0] for row in everyone[:3]]
    assert f"the 3 of {len(everyone)} owing the most" in body
