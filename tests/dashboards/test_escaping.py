"""Team names are user text: shown as text in tables, hover labels and legends, never as markup,
and the JSON the charts read stays inert inside its <script type="application/json"> block."""

import json
import re

import pytest
from django.urls import reverse

from assessments.models import Team

from .conftest import give_history
from .html_tables import html_tables

HOSTILE = "<script>alert(1)</script>"
CLOSER = "</script><img src=x onerror=alert(2)>"
JSON_BLOCK = re.compile(
    r'<script id="(figure-[a-z]+)" type="application/json">(.*?)</script>', re.DOTALL
)


@pytest.fixture
def hostile_teams(team, other_team_member):
    team.name = HOSTILE
    team.save()
    other = Team.objects.get(slug="search")
    other.name = CLOSER
    other.save()
    give_history(team)
    give_history(other, start=0.0, end=0.2)
    return team, other


@pytest.fixture
def admin_client(client, org_admin, hostile_teams):
    client.force_login(org_admin)
    return client


PAGES = {
    "overview": lambda: reverse("dashboard"),
    "debt": lambda: reverse("dashboard_debt"),
    "compare": lambda: reverse("dashboard_compare") + "?team=fraud-detection&team=search",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_names_with_markup_render_as_text_in_tables(admin_client, page):
    body = admin_client.get(PAGES[page]()).content.decode()
    assert HOSTILE not in body
    assert "<img src=x" not in body
    cells = {cell for rows in html_tables(body).values() for row in rows for cell in row}
    assert HOSTILE in cells  # the parser decodes entities: the text is there, as text
    assert CLOSER in cells


@pytest.mark.parametrize("page", ["overview", "compare"])
def test_the_chart_json_stays_inert_and_names_reach_plotly_escaped(admin_client, page):
    body = admin_client.get(PAGES[page]()).content.decode()
    blocks = JSON_BLOCK.findall(body)
    assert blocks
    names = set()
    for _, payload in blocks:
        # json_script escapes <, > and &: nothing in the block can close it or open a tag.
        assert "<" not in payload
        assert ">" not in payload
        figure = json.loads(payload)
        for trace in figure["data"]:
            names.add(trace.get("name"))
            names.update(json.dumps(trace.get("hovertext", "")).split('"'))
        names.update(str(y) for trace in figure["data"] for y in trace.get("y", []))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in names  # legends, axis labels
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in names
    assert HOSTILE not in names
    assert CLOSER not in names


def test_hover_labels_hold_the_escaped_name(admin_client):
    body = admin_client.get(reverse("dashboard")).content.decode()
    heatmap = json.loads(dict(JSON_BLOCK.findall(body))["figure-heatmap"])["data"][0]
    # Hover shows the row's name (%{y}); the template itself holds no user text.
    assert "%{y}" in heatmap["hovertemplate"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in heatmap["y"]
    assert HOSTILE not in heatmap["y"]
    trends = json.loads(dict(JSON_BLOCK.findall(body))["figure-trends"])["data"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in {t["name"] for t in trends}


def test_the_compare_picker_lists_names_as_text(admin_client):
    body = admin_client.get(reverse("dashboard_compare")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</option>" in body
    assert HOSTILE not in body


def test_pages_carry_no_inline_script_or_style(admin_client):
    """A Content Security Policy without 'unsafe-inline' must not break the dashboards."""
    for page in PAGES.values():
        body = admin_client.get(page()).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert 'type="application/json"' in tag or "src=" in tag, tag
        for tag in re.findall(r"<[a-zA-Z][^>]*>", body):
            assert not re.search(r"\s(style|on[a-z]+)=", tag), tag


@pytest.mark.parametrize(
    "value",
    [
        {"name": "</script><script>alert(1)</script>", "x": ["<b>", "a & b", "c > d"]},
        {"ünïcode": "“quotes” \u2028 line", "n": [1, 0.5, None, True]},
        [],
    ],
)
@pytest.mark.parametrize("element_id", ["figure-levels", 'a"<id>', ""])
def test_the_chart_json_is_djangos_json_script_byte_for_byte(value, element_id):
    from django.utils.html import json_script

    from assessments.templatetags.maturity import chart_json

    assert chart_json(value, element_id) == json_script(value, element_id or None)
