"""The campaign chart is valid plotly and stacks the three states with the deadline."""

import plotly.graph_objects as go

from assessments.campaign_chart import campaign_progress_figure


def test_the_chart_stacks_done_exempt_and_not_yet_with_the_deadline():
    days = [
        {"day": "2026-01-05", "done": 1, "exempt": 0, "not_yet": 2},
        {"day": "2026-01-06", "done": 2, "exempt": 1, "not_yet": 0},
    ]
    figure = campaign_progress_figure(days, deadline="2026-03-31")
    go.Figure(figure)
    assert [t["name"] for t in figure["data"]] == ["Done", "Exempt", "Not yet"]
    assert [t["y"] for t in figure["data"]] == [[1, 2], [0, 1], [2, 0]]
    assert figure["layout"]["shapes"][0]["x0"] == "2026-03-31"
    assert figure["layout"]["yaxis"]["dtick"] == 1


def test_an_empty_chart_is_still_valid():
    go.Figure(campaign_progress_figure([], deadline="2026-03-31"))
