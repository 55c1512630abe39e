"""The campaign page's chart, a plotly figure from plain data, built like those of `charts`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .charts import _BASE_LAYOUT

# Done, exempt and not yet: colour, and a pattern so the stack also reads in grey.
STATES = (
    ("done", "Done", "#009E73", ""),
    ("exempt", "Exempt", "#56B4E9", "."),
    ("not_yet", "Not yet", "#D55E00", "/"),
)


def campaign_progress_figure(days: Sequence[Mapping[str, Any]], *, deadline: str) -> dict[str, Any]:
    """Teams done, exempt and not yet on each day of a campaign, stacked, with the deadline.

    ``days``: ``{"day": iso date, "done": int, "exempt": int, "not_yet": int}``, oldest first.
    """
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "stackgroup": "teams",
            "name": name,
            "x": [d["day"] for d in days],
            "y": [d[key] for d in days],
            # A team's state changes on a day and holds until the next change: steps, not slopes.
            "line": {"color": colour, "shape": "hv", "width": 1},
            "fillcolor": colour,
            "fillpattern": {
                "shape": pattern,
                "bgcolor": colour,
                "fgcolor": "#ffffff",
                "fgopacity": 0.5,
            },
            "hovertemplate": f"{name}: %{{y}} teams<br>%{{x|%d %b %Y}}<extra></extra>",
        }
        for key, name, colour, pattern in STATES
    ]
    most = max((d["done"] + d["exempt"] + d["not_yet"] for d in days), default=0)
    deadline_line = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": deadline,
        "x1": deadline,
        "y0": 0,
        "y1": 1,
        "line": {"color": "#cf222e", "dash": "dash", "width": 2},
    }
    layout = {
        **_BASE_LAYOUT,
        "xaxis": {"type": "date", "title": {"text": "Day"}},
        # Whole teams only: a small campaign's axis would otherwise read 0.5 teams.
        "yaxis": {"title": {"text": "Teams"}, "rangemode": "tozero", "dtick": max(1, most // 6)},
        "shapes": [deadline_line],
        "annotations": [
            {
                "x": deadline,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "Deadline",
                "showarrow": False,
                "yanchor": "bottom",
            }
        ],
        "legend": {"orientation": "h", "y": -0.25, "traceorder": "normal"},
        "height": 380,
    }
    return {"data": traces, "layout": layout}
