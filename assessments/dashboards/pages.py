"""What each dashboard page shows: its tables and the plain data of its charts.

Tables feed both the HTML page and the CSV downloads, so a download is the table behind the
chart, cell for cell (the page shows one page of the longer tables, the CSV every row). Data
is read lazily, so a CSV download only runs the queries of its own table.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from .. import charts, maturity, selectors
from ..selectors import dashboards as dashboard_selectors
from .filters import DashboardFilters

DEBT_PAGE_SIZE = 50
AGE_BUCKETS = ((30, "0-30 days"), (90, "31-90 days"), (180, "91-180 days"), (365, "181-365 days"))
OLDEST_BUCKET = "over a year"


@dataclass(frozen=True)
class Cell:
    text: str
    link: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]

    def csv_rows(self) -> list[list[str]]:
        return [list(self.columns), *([cell.text for cell in row] for row in self.rows)]

    def __str__(self) -> str:
        # Templates call str() before escaping: hand them the already safe HTML.
        return self.__html__()

    def __html__(self) -> str:
        """The table as HTML, every text escaped; the first cell of a row is its header.

        Built here rather than in a template loop, with the standard library's escape (what
        Django's escape calls): a page has a few thousand cells, and this renders them in a
        millisecond or two instead of tens.
        """
        key = escape(self.key)
        numeric = self._numeric_columns()
        parts = [
            f'<div class="table-scroll" role="region" aria-labelledby="{key}-caption" '
            f'tabindex="0"><table class="table data-table dashboard-table" id="{key}-table">'
            f'<caption id="{key}-caption">{escape(self.caption)}</caption><thead><tr>',
            *(
                f'<th scope="col"{_NUM if position in numeric else ""}>{escape(column)}</th>'
                for position, column in enumerate(self.columns)
            ),
            "</tr></thead><tbody>",
        ]
        for row in self.rows:
            parts.append("<tr>")
            for position, cell in enumerate(row):
                content = escape(cell.text)
                if cell.link:
                    content = f'<a href="{escape(cell.link)}">{content}</a>'
                if position == 0:
                    parts.append(f'<th scope="row">{content}</th>')
                else:
                    parts.append(f"<td{_NUM if position in numeric else ''}>{content}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        if not self.rows:
            parts.append('<p class="empty">Nothing matches these filters.</p>')
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every text and link is escaped above

    def _numeric_columns(self) -> set[int]:
        """Columns (after the row headers) whose every filled cell is a number: right-aligned."""
        return {
            position
            for position in range(1, len(self.columns))
            if any(row[position].text for row in self.rows)
            and all(_NUMBER.fullmatch(row[position].text or "0") for row in self.rows)
        }


# A figure as the tables print it: "12", "-3.5", "+4.1", "97.9%".
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
_NUM = ' class="num"'


def _by_name(*tables: Table) -> dict[str, Table]:
    """Tables by a name templates can use: `debt-age` becomes `debt_age`."""
    return {table.key.replace("-", "_"): table for table in tables}


def team_url(slug: str) -> str:
    return reverse("team_detail", args=[slug])


def result_url(assessment_id: int) -> str:
    """The result page explains a level and every grade behind it: where figures drill down."""
    return reverse("assessment_result", args=[assessment_id])


def dashboard_url(name: str, filters: DashboardFilters, **changes) -> str:
    """The page `name` with these filters in its query string, `changes` applied."""
    url = reverse(name)
    query = filters.query(**changes)
    return f"{url}?{query}" if query else url


def _date(value: dt.datetime | None) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def _index(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _grade(cell: dashboard_selectors.GradeCell | None) -> str:
    if cell is None:
        return ""
    if cell.grade is None:
        return charts.UNKNOWN_TEXT
    return f"{cell.grade:g}"


def _dimensions(catalogue) -> list[tuple[str, str]]:
    return [(d.key, d.title) for d in catalogue.dimensions]


def _capabilities(catalogue, dimension: str = "") -> list[tuple[str, str]]:
    capabilities = catalogue.capabilities_in(dimension) if dimension else catalogue.capabilities
    return [(c.key, c.title) for c in capabilities]


def _progress(row) -> str:
    """ "20 of 23" on the way to the next level; blank at the highest level."""
    if row.next_level_total is None:
        return ""
    return f"{row.next_level_in_place} of {row.next_level_total}"


def _dimension_title(catalogue, key: str) -> str:
    try:
        return catalogue.dimension(key).title
    except KeyError:
        return key


def _capability_title(catalogue, key: str) -> str:
    return catalogue.capability(key).title if catalogue.has_capability(key) else key


# --- Overview -----------------------------------------------------------------------------


class _Page:
    """What every dashboard page holds: who looks, with which filters, against which catalogue.

    `everything=True` (the CSV downloads) reads every matching row instead of one page.
    """

    def __init__(self, *, user, filters: DashboardFilters, everything: bool = False):
        self.user = user
        self.filters = filters
        self.everything = everything
        self.catalogue = maturity.load_catalogue()
        # One reverse() per team, however many rows and chart points link to it.
        self.team_url = functools.lru_cache(maxsize=None)(team_url)


class Overview(_Page):
    """The organisation overview."""

    @cached_property
    def latest(self) -> dashboard_selectors.Latest:
        return dashboard_selectors.latest_for_user(user=self.user, filters=self.filters)

    @property
    def results(self):
        return self.latest.results

    @cached_property
    def standing(self) -> dashboard_selectors.Standing:
        return dashboard_selectors.standing(results=self.results, dimension=self.filters.dimension)

    @property
    def distribution(self) -> dict[str, dict[int, int]]:
        return self.standing.distribution

    @property
    def total(self) -> int:
        return sum(self.distribution["overall"].values())

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / dashboard_selectors.PAGE_SIZE))

    @property
    def page(self) -> int:
        return min(self.filters.page, self.pages)

    @cached_property
    def rows(self) -> list[dashboard_selectors.RankingRow]:
        if self.everything:
            return dashboard_selectors.ranking(
                results=self.results, filters=self.filters, limit=None
            )
        offset = (self.page - 1) * dashboard_selectors.PAGE_SIZE
        return dashboard_selectors.ranking(
            results=self.results, filters=self.filters, offset=offset
        )

    @cached_property
    def grades(self) -> dict[int, dict[str, dashboard_selectors.GradeCell]]:
        results = self.results if self.everything else [r.result_id for r in self.rows]
        return dashboard_selectors.capability_grades(
            results=results, dimension=self.filters.dimension
        )

    @property
    def gaps(self) -> list[dashboard_selectors.Gap]:
        return self.standing.gaps

    @cached_property
    def average(self) -> list[dashboard_selectors.MonthAverage]:
        return dashboard_selectors.index_average_by_month(
            team_ids=self.latest.team_ids, filters=self.filters
        )

    @cached_property
    def history(self) -> dict[int, list[dashboard_selectors.HistoryPoint]]:
        team_ids = self.latest.team_ids if self.everything else [r.team_id for r in self.rows]
        return dashboard_selectors.index_history(team_ids=team_ids, filters=self.filters)

    @property
    def capabilities(self) -> list[tuple[str, str]]:
        return _capabilities(self.catalogue, self.filters.dimension)

    # Tables ---------------------------------------------------------------------------

    def levels_table(self) -> Table:
        rows = []
        for key, title in [("overall", "Overall"), *_dimensions(self.catalogue)]:
            counts = self.distribution.get(key, {})
            cells = [Cell(title)]
            for level in (0, 1, 2):
                cells.append(Cell(str(counts.get(level, 0)), self._level_link(key, level)))
            rows.append(tuple(cells))
        return Table(
            "levels",
            "Teams at each level, overall and per dimension",
            ("Dimension", "Level 0", "Level 1", "Level 2"),
            rows,
        )

    def ranking_table(self) -> Table:
        today = timezone.localdate()
        rows = []
        for row in self.rows:
            days = ""
            if row.oldest_debt:
                days = str((today - timezone.localtime(row.oldest_debt).date()).days)
            rows.append(
                (
                    Cell(row.team_name, self.team_url(row.team_slug)),
                    Cell(str(row.level), result_url(row.assessment_id)),
                    Cell(_index(row.index), result_url(row.assessment_id)),
                    Cell("" if row.delta is None else f"{row.delta:+.1f}"),
                    Cell(str(row.target_level)),
                    Cell(_progress(row)),
                    Cell(str(row.open_steps)),
                    Cell(_date(row.oldest_debt)),
                    Cell(days),
                    Cell(_dimension_title(self.catalogue, row.weakest_dimension)),
                    Cell(_date(row.submitted_at)),
                )
            )
        return Table(
            "ranking",
            "Ranking of the teams",
            (
                "Team",
                "Level",
                "Index",
                "Change since last quarter",
                "Target level",
                "Next level: capabilities in place",
                "Open roadmap steps",
                "Oldest debt since",
                "Oldest debt, days",
                "Weakest dimension",
                "Last assessed",
            ),
            rows,
        )

    def heatmap_table(self) -> Table:
        capabilities = self.capabilities
        rows = []
        for row in self.rows:
            grades = self.grades.get(row.result_id, {})
            rows.append(
                (
                    Cell(row.team_name, self.team_url(row.team_slug)),
                    *(Cell(_grade(grades.get(key))) for key, _ in capabilities),
                )
            )
        return Table(
            "heatmap",
            "Grade of each capability per team (1 automated, 0.5 partly or by hand, 0 absent, "
            "? not answered)",
            ("Team", *(title for _, title in capabilities)),
            rows,
        )

    def trends_table(self) -> Table:
        rows = []
        for row in self.rows:
            for point in self.history.get(row.team_id, ()):
                rows.append(
                    (
                        Cell(row.team_name, self.team_url(row.team_slug)),
                        Cell(_date(point.submitted_at)),
                        Cell(str(point.level)),
                        Cell(_index(point.index)),
                    )
                )
        return Table(
            "trends",
            "Maturity index of each assessment",
            ("Team", "Submitted", "Level", "Index"),
            rows,
        )

    def average_table(self) -> Table:
        rows = [
            (Cell(m.month.strftime("%Y-%m")), Cell(str(m.assessments)), Cell(_index(m.index)))
            for m in self.average
        ]
        return Table(
            "average",
            "Average maturity index of the assessments submitted each month",
            ("Month", "Assessments", "Average index"),
            rows,
        )

    def gaps_table(self) -> Table:
        total = self.total
        rows = []
        for gap in self.gaps:
            capability = self.catalogue.capability(gap.capability)
            rows.append(
                (
                    Cell(capability.title, self._gap_link(gap.capability)),
                    Cell(_dimension_title(self.catalogue, capability.dimension)),
                    Cell(str(capability.level)),
                    Cell(str(gap.teams)),
                    Cell(f"{round(100 * gap.teams / total)}%" if total else ""),
                )
            )
        return Table(
            "gaps",
            "Capabilities the teams' target levels need and they miss",
            ("Capability", "Dimension", "Required at level", "Teams missing it", "Share of teams"),
            rows,
        )

    def tables(self) -> dict[str, Table]:
        return _by_name(
            self.levels_table(),
            self.ranking_table(),
            self.heatmap_table(),
            self.trends_table(),
            self.average_table(),
            self.gaps_table(),
        )

    # Charts ---------------------------------------------------------------------------

    def charts(self) -> dict[str, dict]:
        capabilities = self.capabilities
        teams = [{"name": r.team_name, "link": result_url(r.assessment_id)} for r in self.rows]
        grades = []
        for row in self.rows:
            cells = self.grades.get(row.result_id, {})
            grades.append([_grade_value(cells.get(key)) for key, _ in capabilities])
        series = [
            {
                "name": row.team_name,
                "link": self.team_url(row.team_slug),
                "points": [
                    (_date(p.submitted_at), p.index) for p in self.history.get(row.team_id, ())
                ],
            }
            for row in self.rows
        ]
        gaps = [
            {
                "title": _capability_title(self.catalogue, gap.capability),
                "teams": gap.teams,
                "link": self._gap_link(gap.capability),
            }
            for gap in self.gaps[:12]
        ]
        dimensions = _dimensions(self.catalogue)
        links = {
            (key, level): self._level_link(key, level)
            for key, _ in [("overall", ""), *dimensions]
            for level in (0, 1, 2)
        }
        return {
            "levels": charts.level_distribution_figure(dimensions, self.distribution, links=links),
            "heatmap": charts.heatmap_figure(teams, capabilities, grades),
            "trends": charts.trend_figure(
                series, average=[(m.month.isoformat(), m.index) for m in self.average]
            ),
            "gaps": charts.gaps_figure(gaps, total_teams=self.total),
        }

    def _level_link(self, key: str, level: int) -> str:
        dimension = "" if key == "overall" else key
        return dashboard_url("dashboard", self.filters, level=level, dimension=dimension, page=1)

    def _gap_link(self, capability: str) -> str:
        return dashboard_url(
            "dashboard_debt",
            DashboardFilters(
                organization=self.filters.organization,
                tags=self.filters.tags,
                capability=capability,
            ),
        )


def _grade_value(cell: dashboard_selectors.GradeCell | None) -> float | None:
    return None if cell is None else cell.grade


# --- Organisation debt --------------------------------------------------------------------


@dataclass(frozen=True)
class DebtItemRow:
    team_name: str
    team_slug: str
    capability: str
    title: str
    dimension: str
    debt_title: str
    first_seen: dt.date
    days: int
    principal: float
    interest: float

    @property
    def balance(self) -> float:
        return round(self.principal + self.interest, 2)


class Debt(_Page):
    """The organisation's debt statement: every open gap of the matching teams, with interest."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.today = timezone.localdate()

    @cached_property
    def items(self) -> list[DebtItemRow]:
        items = []
        dimension_of = functools.cache(
            lambda key: _dimension_title(self.catalogue, self.catalogue.capability(key).dimension)
        )
        for owed in selectors.organization_debt_statement(
            user=self.user, filters=self.filters, catalogue=self.catalogue, today=self.today
        ):
            item = owed.item
            items.append(
                DebtItemRow(
                    team_name=owed.team_name,
                    team_slug=owed.team_slug,
                    capability=item.capability,
                    title=item.title,
                    dimension=dimension_of(item.capability),
                    debt_title=item.debt_title,
                    first_seen=item.first_seen,
                    days=item.days_outstanding,
                    principal=item.principal,
                    interest=item.interest,
                )
            )
        items.sort(key=lambda i: (-i.interest, -i.days, i.team_name, i.capability))
        return items

    @property
    def total(self) -> maturity.DebtTotal:
        items = self.items
        principal = round(sum(i.principal for i in items), 2)
        interest = round(sum(i.interest for i in items), 2)
        return maturity.DebtTotal(len(items), principal, interest, round(principal + interest, 2))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / DEBT_PAGE_SIZE))

    @property
    def page(self) -> int:
        return min(self.filters.page, self.pages)

    def buckets(self) -> list[dict]:
        sums = {label: [0, 0.0, 0.0] for label in [*(b for _, b in AGE_BUCKETS), OLDEST_BUCKET]}
        for item in self.items:
            label = next((b for limit, b in AGE_BUCKETS if item.days <= limit), OLDEST_BUCKET)
            sums[label][0] += 1
            sums[label][1] += item.principal
            sums[label][2] += item.interest
        return [
            {"label": label, "items": n, "principal": round(p, 2), "interest": round(i, 2)}
            for label, (n, p, i) in sums.items()
        ]

    def age_table(self) -> Table:
        rows = [
            (
                Cell(b["label"]),
                Cell(str(b["items"])),
                Cell(f"{b['principal']:.1f}"),
                Cell(f"{b['interest']:.1f}"),
            )
            for b in self.buckets()
        ]
        return Table(
            "debt-age",
            "Open gaps by days outstanding",
            ("Days outstanding", "Open gaps", "Principal (effort-days)", "Interest (effort-days)"),
            rows,
        )

    def teams_table(self) -> Table:
        by_team: dict[tuple[str, str], list[DebtItemRow]] = defaultdict(list)
        for item in self.items:
            by_team[(item.team_name, item.team_slug)].append(item)
        summary = sorted(
            by_team.items(), key=lambda kv: (-sum(i.interest for i in kv[1]), kv[0][0])
        )
        rows = []
        for (name, slug), items in summary:
            principal = sum(i.principal for i in items)
            interest = sum(i.interest for i in items)
            rows.append(
                (
                    Cell(name, self.team_url(slug)),
                    Cell(str(len(items))),
                    Cell(f"{principal:.1f}"),
                    Cell(f"{interest:.1f}"),
                    Cell(f"{principal + interest:.1f}"),
                    Cell(str(max(i.days for i in items))),
                )
            )
        return Table(
            "debt-teams",
            "Debt per team",
            (
                "Team",
                "Open gaps",
                "Principal (effort-days)",
                "Interest (effort-days)",
                "Balance (effort-days)",
                "Oldest gap, days",
            ),
            rows,
        )

    def capabilities_table(self) -> Table:
        by_capability: dict[str, list[DebtItemRow]] = defaultdict(list)
        for item in self.items:
            by_capability[item.capability].append(item)
        summary = sorted(
            by_capability.items(), key=lambda kv: (-sum(i.interest for i in kv[1]), kv[0])
        )
        rows = [
            (
                Cell(items[0].title, self._capability_link(key)),
                Cell(items[0].dimension),
                Cell(str(len(items))),
                Cell(f"{sum(i.interest for i in items):.1f}"),
            )
            for key, items in summary
        ]
        return Table(
            "debt-capabilities",
            "Debt per capability",
            ("Capability", "Dimension", "Teams owing it", "Interest (effort-days)"),
            rows,
        )

    def items_table(self) -> Table:
        items = self.items
        if not self.everything:
            start = (self.page - 1) * DEBT_PAGE_SIZE
            items = items[start : start + DEBT_PAGE_SIZE]
        rows = [
            (
                Cell(i.team_name, self.team_url(i.team_slug)),
                Cell(i.title),
                Cell(i.dimension),
                Cell(i.debt_title),
                Cell(i.first_seen.isoformat()),
                Cell(str(i.days)),
                Cell(f"{i.principal:.1f}"),
                Cell(f"{i.interest:.2f}"),
                Cell(f"{i.balance:.2f}"),
            )
            for i in items
        ]
        return Table(
            "debt-items",
            "Open gaps, largest interest first",
            (
                "Team",
                "Capability",
                "Dimension",
                "Kind of debt",
                "First seen",
                "Days outstanding",
                "Principal (effort-days)",
                "Interest (effort-days)",
                "Balance (effort-days)",
            ),
            rows,
        )

    def tables(self) -> dict[str, Table]:
        return _by_name(
            self.age_table(), self.teams_table(), self.capabilities_table(), self.items_table()
        )

    def charts(self) -> dict[str, dict]:
        return {"age": charts.debt_age_figure(self.buckets())}

    def _capability_link(self, capability: str) -> str:
        return dashboard_url("dashboard_debt", self.filters, capability=capability, page=1)


# --- Compare ------------------------------------------------------------------------------


class Compare(_Page):
    """Two to six teams side by side: latest results, capabilities and trends."""

    @cached_property
    def teams(self) -> list[dashboard_selectors.ComparedTeam]:
        return dashboard_selectors.compared_teams(user=self.user, filters=self.filters)

    @cached_property
    def grades(self) -> dict[int, dict[str, dashboard_selectors.GradeCell]]:
        return dashboard_selectors.capability_grades(results=[t.result_id for t in self.teams])

    @cached_property
    def history(self) -> dict[int, list[dashboard_selectors.HistoryPoint]]:
        return dashboard_selectors.index_history(
            team_ids=[t.team_id for t in self.teams], filters=self.filters
        )

    def missing(self, choices: dict[str, str]) -> list[str]:
        """Names of chosen teams without a result in the period."""
        found = {t.slug for t in self.teams}
        return [choices.get(slug, slug) for slug in self.filters.teams if slug not in found]

    def summary_table(self) -> Table:
        rows = [
            (
                Cell(t.name, self.team_url(t.slug)),
                Cell(str(t.level)),
                Cell(_index(t.index)),
                Cell(str(t.target_level)),
                Cell(_date(t.submitted_at)),
            )
            for t in self.teams
        ]
        return Table(
            "compare-summary",
            "Latest result of each team",
            ("Team", "Level", "Index", "Target level", "Assessed"),
            rows,
        )

    def dimensions_table(self) -> Table:
        rows = [
            (
                Cell(title),
                *(
                    Cell(f"{_index(t.dimension_index.get(key))} (level {t.dimension_levels[key]})")
                    if key in t.dimension_levels
                    else Cell("")
                    for t in self.teams
                ),
            )
            for key, title in _dimensions(self.catalogue)
        ]
        return Table(
            "compare-dimensions",
            "Index (and level) of each dimension",
            ("Dimension", *(t.name for t in self.teams)),
            rows,
        )

    def capabilities_table(self) -> Table:
        rows = []
        for capability in self.catalogue.capabilities:
            rows.append(
                (
                    Cell(capability.title),
                    Cell(_dimension_title(self.catalogue, capability.dimension)),
                    Cell(str(capability.level)),
                    *(
                        Cell(_grade(self.grades.get(t.result_id, {}).get(capability.key)))
                        for t in self.teams
                    ),
                )
            )
        return Table(
            "compare-capabilities",
            "Grade of each capability (1 automated, 0.5 partly or by hand, 0 absent, "
            "? not answered)",
            ("Capability", "Dimension", "Required at level", *(t.name for t in self.teams)),
            rows,
        )

    def trends_table(self) -> Table:
        rows = [
            (
                Cell(t.name, self.team_url(t.slug)),
                Cell(_date(p.submitted_at)),
                Cell(str(p.level)),
                Cell(_index(p.index)),
            )
            for t in self.teams
            for p in self.history.get(t.team_id, ())
        ]
        return Table(
            "compare-trends",
            "Maturity index of each assessment",
            ("Team", "Submitted", "Level", "Index"),
            rows,
        )

    def tables(self) -> dict[str, Table]:
        return _by_name(
            self.summary_table(),
            self.dimensions_table(),
            self.capabilities_table(),
            self.trends_table(),
        )

    def charts(self) -> dict[str, dict]:
        radar = charts.radar_figure(
            _dimensions(self.catalogue),
            [
                {"name": t.name, "values": t.dimension_index, "link": self.team_url(t.slug)}
                for t in self.teams
            ],
        )
        trends = charts.trend_figure(
            [
                {
                    "name": t.name,
                    "link": self.team_url(t.slug),
                    "points": [
                        (_date(p.submitted_at), p.index) for p in self.history.get(t.team_id, ())
                    ],
                }
                for t in self.teams
            ]
        )
        return {"radar": radar, "trends": trends}


# Every downloadable table: the page that builds it and the method that does.
CSV_TABLES = {
    "levels": (Overview, "levels_table"),
    "ranking": (Overview, "ranking_table"),
    "heatmap": (Overview, "heatmap_table"),
    "trends": (Overview, "trends_table"),
    "average": (Overview, "average_table"),
    "gaps": (Overview, "gaps_table"),
    "debt-age": (Debt, "age_table"),
    "debt-teams": (Debt, "teams_table"),
    "debt-capabilities": (Debt, "capabilities_table"),
    "debt-items": (Debt, "items_table"),
    "compare-summary": (Compare, "summary_table"),
    "compare-dimensions": (Compare, "dimensions_table"),
    "compare-capabilities": (Compare, "capabilities_table"),
    "compare-trends": (Compare, "trends_table"),
}
