"""Chart builders: plain data in, figure dicts out, valid for plotly and safe for user text."""

import json

import plotly.graph_objects as go
import pytest

from assessments import charts

DIMENSIONS = [("data", "Data"), ("cicd", "CI/CD"), ("pipeline", "Training pipeline")]
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def valid(figure: dict) -> dict:
    """plotly.py validates every attribute: a typo in a builder fails here, not in a browser."""
    go.Figure(figure)
    json.dumps(figure)
    return figure


def all_text(figure: dict) -> str:
    return json.dumps(figure, ensure_ascii=False)


def test_the_radar_closes_each_polygon_and_keeps_dimension_order():
    figure = valid(
        charts.radar_figure(
            DIMENSIONS,
            [
                {"name": "Fraud", "values": {"data": 50, "cicd": 20, "pipeline": 80}},
                {"name": "Median", "values": {"data": 40}, "dash": True},
            ],
        )
    )
    fraud, median = figure["data"]
    assert fraud["r"] == [50, 20, 80, 50]
    assert fraud["theta"] == ["Data", "CI/CD", "Training pipeline", "Data"]
    assert median["line"]["dash"] == "dash"
    assert median["fill"] == "none"
    assert "no data" in median["hovertext"][1]
    assert fraud["marker"]["symbol"] != median["marker"]["symbol"]


def test_the_radar_accepts_what_the_team_result_page_passes():
    figure = valid(
        charts.radar_figure(DIMENSIONS, [{"name": "Fraud (this assessment)", "values": {}}])
    )
    assert figure["data"][0]["r"] == [0, 0, 0, 0]


def test_the_level_distribution_stacks_levels_with_counts_patterns_and_links():
    figure = valid(
        charts.level_distribution_figure(
            DIMENSIONS,
            {"overall": {0: 3, 1: 2, 2: 1}, "data": {0: 1, 1: 0, 2: 5}},
            links={("overall", 0): "/dashboard/?level=0"},
        )
    )
    level_0, level_1, level_2 = figure["data"]
    assert level_0["y"][:2] == ["Overall", "Data"]
    assert level_0["x"][:2] == [3, 1]
    assert level_1["text"][1] == ""  # no label on an empty segment
    assert level_0["text"][0] == "3"
    assert len({t["marker"]["pattern"]["shape"] for t in figure["data"]}) == 3
    assert level_0["meta"]["links"][0] == "/dashboard/?level=0"
    assert figure["layout"]["barmode"] == "stack"


def test_the_heatmap_writes_each_grade_in_its_cell():
    figure = valid(
        charts.heatmap_figure(
            [{"name": "A", "link": "/teams/a/"}, {"name": "2024", "link": "/teams/b/"}],
            [("ci", "CI on every change"), ("monitoring", "Monitoring")],
            [[1.0, 0.5], [0.0, None]],
        )
    )
    trace = figure["data"][0]
    assert trace["text"] == [["1", "½"], ["0", "?"]]
    assert trace["texttemplate"] == "%{text}"
    assert trace["z"] == [[1.0, 0.5], [0.0, 0]]
    assert "? not answered" in trace["hovertemplate"]
    assert trace["y"] == ["A", "2024"]
    assert figure["layout"]["yaxis"]["type"] == "category"
    assert trace["meta"]["links"] == ["/teams/a/", "/teams/b/"]


def test_two_teams_with_the_same_name_stay_two_heatmap_rows():
    figure = valid(
        charts.heatmap_figure(
            [{"name": "Search"}, {"name": "Search"}], [("ci", "CI")], [[1.0], [0.0]]
        )
    )
    assert figure["data"][0]["y"] == ["Search", "Search (2)"]


def test_trends_draw_one_line_per_team_and_a_thick_average():
    figure = valid(
        charts.trend_figure(
            [
                {"name": "A", "points": [("2026-01-01", 10), ("2026-02-01", 20)], "link": "/a"},
                {"name": "B", "points": [("2026-01-03", 30)]},
            ],
            average=[("2026-01-01", 20.0), ("2026-02-01", 20.0)],
        )
    )
    a, b, average = figure["data"]
    assert a["y"] == [10, 20]
    assert a["meta"] == {"link": "/a"}
    assert "meta" not in b
    assert average["name"] == "Organisation average"
    assert average["line"]["width"] > a["line"]["width"]


def test_many_trend_lines_differ_by_dash_or_marker_not_only_colour():
    series = [{"name": f"T{n}", "points": [("2026-01-01", n)]} for n in range(20)]
    traces = valid(charts.trend_figure(series))["data"]
    styles = {(t["line"]["color"], t["line"]["dash"], t["marker"]["symbol"]) for t in traces}
    assert len(styles) == 20


def test_gaps_show_counts_and_shares():
    figure = valid(
        charts.gaps_figure(
            [{"title": "Data validation gate", "teams": 3, "link": "/d"}], total_teams=4
        )
    )
    assert figure["data"][0]["text"] == ["3 (75%)"]
    assert figure["data"][0]["meta"]["links"] == ["/d"]
    assert valid(charts.gaps_figure([], total_teams=0))["data"][0]["x"] == []


def test_debt_by_age_puts_items_and_interest_side_by_side():
    figure = valid(
        charts.debt_age_figure(
            [
                {"label": "0-30 days", "items": 2, "interest": 0.5},
                {"label": "over a year", "items": 1, "interest": 9.25},
            ]
        )
    )
    items, interest = figure["data"]
    assert items["offsetgroup"] != interest["offsetgroup"]
    assert interest["yaxis"] == "y2"


@pytest.mark.parametrize(
    "build",
    [
        lambda name: charts.radar_figure(DIMENSIONS, [{"name": name, "values": {}}]),
        lambda name: charts.heatmap_figure([{"name": name}], [("ci", "CI")], [[1.0]]),
        lambda name: charts.trend_figure([{"name": name, "points": [("2026-01-01", 1)]}]),
        lambda name: charts.gaps_figure([{"title": name, "teams": 1}], total_teams=1),
    ],
    ids=["radar", "heatmap", "trends", "gaps"],
)
@pytest.mark.parametrize("name", [HOSTILE, "</script>", "<b>bold</b>", "%{x} & <br>"])
def test_user_text_is_escaped_in_legends_hover_labels_and_axes(build, name):
    figure = valid(build(name))
    text = all_text(figure)
    assert name not in text
    assert charts.text(name) in text
    for trace in figure["data"]:
        assert name not in trace.get("hovertemplate", "")


def test_escaping_leaves_plain_names_alone():
    assert charts.text("Fraud Detection") == "Fraud Detection"
    assert charts.text(HOSTILE) == ESCAPED
