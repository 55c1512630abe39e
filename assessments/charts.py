"""Plotly figures from plain data (lists and dicts in, figure dicts out); no queries, no Django.

Figures are plain dicts in plotly's JSON schema rather than `plotly.graph_objects` instances:
validating a graph object costs milliseconds per trace, which a dashboard of dozens of traces
pays on every request. The tests validate every builder's output against plotly's schema.

Rules every builder follows:

* User text (team names, mostly) is HTML-escaped here. plotly.js reads a few HTML tags in
  labels, hover text and legends; escaped, a name like ``<b>`` or ``</script>`` shows as text.
  User text never goes into a ``hovertemplate``, where ``%{...}`` would be read as a field.
* Colour is never the only signal: bars carry patterns and text, heatmap cells their grade.
* Drill-down links travel in the trace's ``meta`` (``link`` for the whole trace, ``links`` per
  point); static/js/dashboard.js follows them on click.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
DASHES = ("solid", "dot", "dash", "dashdot")
LEVEL_COLOURS = {0: "#D55E00", 1: "#E69F00", 2: "#0072B2"}
LEVEL_PATTERNS = {0: "/", 1: ".", 2: ""}
# Grades 0, 0.5 and 1 from light to dark, so the heatmap also reads in grey.
GRADE_SCALE = [[0.0, "#f1eef6"], [0.5, "#74a9cf"], [1.0, "#034e7b"]]
GRADE_TEXT = {0.0: "0", 0.5: "½", 1.0: "1"}
UNKNOWN_TEXT = "?"
GRADE_LEGEND = "(1 automated, ½ partly or by hand, 0 absent, ? not answered)"

_BASE_LAYOUT = {
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
    "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "hoverlabel": {"align": "left"},
}

Dimension = tuple[str, str]  # (key, title)


def text(value: Any) -> str:
    """User text as plotly shows it literally: `<`, `>` and `&` escaped as entities."""
    return html.escape(str(value), quote=False)


def radar_figure(
    dimensions: Sequence[Dimension],
    series: Sequence[Mapping[str, Any]],
    *,
    range_max: float = 100,
    value_label: str = "index",
) -> dict[str, Any]:
    """One closed polygon per series over the dimensions.

    ``series``: ``{"name": str, "values": {dimension_key: number or None}}``, optionally
    ``"link"`` (drill-down URL) and ``"dash": True`` for a reference series such as a previous
    assessment or the organisation's median. A missing value is drawn as 0 and said in hover.
    """
    titles = [text(title) for _, title in dimensions]
    traces = []
    for position, item in enumerate(series):
        values = [item["values"].get(key) for key, _ in dimensions]
        shown = [0 if v is None else v for v in values]
        hover = [
            f"{text(item['name'])}<br>{title}: "
            + ("no data" if v is None else f"{value_label} {_number(v)}")
            for title, v in zip(titles, values, strict=True)
        ]
        colour = PALETTE[position % len(PALETTE)]
        trace = {
            "type": "scatterpolar",
            "name": text(item["name"]),
            # Closing the polygon: repeat the first point.
            "r": [*shown, shown[0]] if shown else [],
            "theta": [*titles, titles[0]] if titles else [],
            "hovertext": [*hover, hover[0]] if hover else [],
            "hoverinfo": "text",
            "fill": "none" if item.get("dash") else "toself",
            "opacity": 0.85,
            "mode": "lines+markers",
            "line": {"color": colour, "dash": "dash" if item.get("dash") else "solid"},
            "marker": {"symbol": _symbol(position)},
        }
        if item.get("link"):
            trace["meta"] = {"link": item["link"]}
        traces.append(trace)
    layout = {
        **_BASE_LAYOUT,
        "polar": {"radialaxis": {"range": [0, range_max], "angle": 90, "tickangle": 90}},
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.15},
        "margin": {"l": 70, "r": 70, "t": 40, "b": 40},
    }
    return {"data": traces, "layout": layout}


def level_distribution_figure(
    dimensions: Sequence[Dimension],
    counts: Mapping[str, Mapping[int, int]],
    *,
    links: Mapping[tuple[str, int], str] | None = None,
) -> dict[str, Any]:
    """Teams at level 0, 1 and 2, overall and per dimension, as stacked horizontal bars.

    ``counts`` maps ``"overall"`` and each dimension key to ``{level: number of teams}``;
    ``links`` maps ``(key, level)`` to the page listing those teams.
    """
    rows = [("overall", "Overall"), *dimensions]
    labels = [text(title) for _, title in rows]
    links = links or {}
    traces = []
    for level in (0, 1, 2):
        values = [counts.get(key, {}).get(level, 0) for key, _ in rows]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"Level {level}",
                "y": labels,
                "x": values,
                "text": [str(v) if v else "" for v in values],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "hovertext": [
                    f"{label}: {v} team{'s' if v != 1 else ''} at level {level}"
                    for label, v in zip(labels, values, strict=True)
                ],
                "hoverinfo": "text",
                "marker": {
                    "color": LEVEL_COLOURS[level],
                    "pattern": {
                        "shape": LEVEL_PATTERNS[level],
                        "fgcolor": "#ffffff",
                        "fillmode": "overlay",
                    },
                },
                "meta": {"links": [links.get((key, level), "") for key, _ in rows]},
            }
        )
    layout = {
        **_BASE_LAYOUT,
        "barmode": "stack",
        "xaxis": {"title": {"text": "Teams"}, "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "y": -0.2, "traceorder": "normal"},
        "height": 120 + 34 * len(rows),
    }
    return {"data": traces, "layout": layout}


def heatmap_figure(
    teams: Sequence[Mapping[str, Any]],
    capabilities: Sequence[Dimension],
    grades: Sequence[Sequence[float | None]],
) -> dict[str, Any]:
    """Teams (rows) by capabilities (columns), each cell its grade as a colour *and* a label.

    ``teams``: ``{"name": str, "link": url}`` in display order; ``grades[i][j]`` is team i's
    grade for capability j: 0, 0.5, 1, or None when not answered (shown as "?").
    """
    names = _unique([text(t["name"]) for t in teams])
    titles = _unique([text(title) for _, title in capabilities])
    trace = {
        "type": "heatmap",
        "x": titles,
        "y": names,
        "z": [[0 if g is None else g for g in row] for row in grades],
        "zmin": 0,
        "zmax": 1,
        "colorscale": GRADE_SCALE,
        "text": [
            [UNKNOWN_TEXT if g is None else GRADE_TEXT.get(g, _number(g)) for g in row]
            for row in grades
        ],
        "texttemplate": "%{text}",
        # One template for every cell keeps the payload small; names come in as %{y}.
        "hovertemplate": "%{y}<br>%{x}: %{text}<br>" + GRADE_LEGEND + "<extra></extra>",
        "xgap": 1,
        "ygap": 1,
        "colorbar": {
            "title": {"text": "Grade"},
            "tickvals": [0, 0.5, 1],
            "ticktext": ["0 absent", "½ partly", "1 automated"],
        },
        "meta": {"links": [t.get("link", "") for t in teams]},
    }
    layout = {
        **_BASE_LAYOUT,
        # Categories always: a team named "2024" must not turn the axis into numbers.
        "xaxis": {"type": "category", "side": "top", "tickangle": -45, "automargin": True},
        "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
        "height": 260 + 26 * len(teams),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    }
    return {"data": [trace], "layout": layout}


def trend_figure(
    series: Sequence[Mapping[str, Any]],
    *,
    average: Sequence[tuple[str, float]] = (),
    average_name: str = "Organisation average",
    legend_below: bool = False,
    markers: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The maturity index over time: one line per team, and the average as a thick line.

    ``markers``: ``[(iso date, label), ...]`` drawn as labelled vertical lines, such as the
    first result computed on a new catalogue version.

    ``series``: ``{"name": str, "points": [(iso date, index), ...], "link": url}``, with
    ``"hidden": True`` for a line shown only when its legend entry is clicked;
    ``average``: ``[(iso date, index), ...]``.
    """
    traces = []
    for position, item in enumerate(series):
        xs = [x for x, _ in item["points"]]
        ys = [y for _, y in item["points"]]
        trace = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": text(item["name"]),
            "x": xs,
            "y": ys,
            "line": {
                "color": PALETTE[position % len(PALETTE)],
                "width": 1.5,
                "dash": DASHES[(position // len(PALETTE)) % len(DASHES)],
            },
            "marker": {"size": 5, "symbol": _symbol(position)},
            "hovertemplate": "%{fullData.name}<br>%{x|%d %b %Y}: index %{y:.1f}<extra></extra>",
        }
        if item.get("link"):
            trace["meta"] = {"link": item["link"]}
        if item.get("hidden"):
            trace["visible"] = "legendonly"
        traces.append(trace)
    if average:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": text(average_name),
                "x": [x for x, _ in average],
                "y": [y for _, y in average],
                "line": {"color": "#1b1f24", "width": 4},
                "marker": {"size": 8, "symbol": "diamond"},
                "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: index %{y:.1f}<extra></extra>",
            }
        )
    layout = {
        **_BASE_LAYOUT,
        "xaxis": {"type": "date", "title": {"text": "Submitted"}},
        "yaxis": {"range": [0, 100], "title": {"text": "Maturity index (0-100)"}},
        # Below the plot, a legend leaves a phone's narrow plot its whole width.
        "legend": {"orientation": "h", "y": -0.3} if legend_below else {"orientation": "v"},
        "height": 480 if legend_below else 420,
    }
    if markers:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#57606a", "width": 1, "dash": "dot"},
            }
            for x, _ in markers
        ]
        layout["annotations"] = [
            {
                "x": x,
                "xref": "x",
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "text": text(label),
                "showarrow": False,
                "font": {"size": 11},
            }
            for x, label in markers
        ]
    return {"data": traces, "layout": layout}


def gaps_figure(gaps: Sequence[Mapping[str, Any]], *, total_teams: int) -> dict[str, Any]:
    """The most common gaps: how many teams miss each capability their target level needs.

    ``gaps``: ``{"title": str, "teams": int, "link": url}``, most common first.
    """
    titles = [text(g["title"]) for g in gaps]
    values = [g["teams"] for g in gaps]
    shares = [f"{round(100 * v / total_teams)}%" if total_teams else "" for v in values]
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": "Teams missing it",
        "y": titles,
        "x": values,
        "text": [f"{v} ({share})" for v, share in zip(values, shares, strict=True)],
        "textposition": "auto",
        "hovertext": [
            f"{title}: missing in {v} of {total_teams} teams"
            for title, v in zip(titles, values, strict=True)
        ],
        "hoverinfo": "text",
        "marker": {"color": PALETTE[0]},
        "meta": {"links": [g.get("link", "") for g in gaps]},
    }
    layout = {
        **_BASE_LAYOUT,
        "xaxis": {"title": {"text": "Teams missing the capability"}, "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "showlegend": False,
        "height": 120 + 28 * max(len(gaps), 1),
    }
    return {"data": [trace], "layout": layout}


def debt_age_figure(buckets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Open debt by age: items and accrued interest per age bucket (two bars per bucket).

    ``buckets``: ``{"label": str, "items": int, "interest": float}``, youngest first.
    """
    labels = [text(b["label"]) for b in buckets]
    items = [b["items"] for b in buckets]
    interest = [b["interest"] for b in buckets]
    traces = [
        {
            "type": "bar",
            "name": "Open gaps",
            "offsetgroup": "items",
            "x": labels,
            "y": items,
            "text": [str(v) for v in items],
            "textposition": "auto",
            "marker": {"color": PALETTE[0]},
            "hovertemplate": "%{x}: %{y} open gaps<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Interest (effort-days)",
            "offsetgroup": "interest",
            "x": labels,
            "y": interest,
            "yaxis": "y2",
            "text": [_number(v) for v in interest],
            "textposition": "auto",
            "marker": {
                "color": PALETTE[5],
                "pattern": {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"},
            },
            "hovertemplate": "%{x}: %{y:.1f} effort-days of interest<extra></extra>",
        },
    ]
    layout = {
        **_BASE_LAYOUT,
        "barmode": "group",
        "xaxis": {"title": {"text": "Days outstanding"}},
        "yaxis": {"title": {"text": "Open gaps"}, "rangemode": "tozero"},
        "yaxis2": {
            "title": {"text": "Interest (effort-days)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
        },
        "legend": {"orientation": "h", "y": -0.25},
        "height": 380,
        "margin": {"l": 60, "r": 70, "t": 30, "b": 60},
    }
    return {"data": traces, "layout": layout}


def _unique(labels: list[str]) -> list[str]:
    """Labels made distinct with a counter, so two teams of the same name stay two rows."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _symbol(position: int) -> str:
    symbols = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
    return symbols[position % len(symbols)]
