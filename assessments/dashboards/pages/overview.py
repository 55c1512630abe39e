"""The organisation overview: levels, the ranking, grades, trends and common gaps."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

from django.utils import timezone

from ... import charts
from ...maturity.lenses import microsoft_lens
from ...selectors import dashboards as dashboard_selectors
from ..filters import DashboardFilters
from .base import (
    Cell,
    DashboardPage,
    Table,
    capability_choices,
    capability_title,
    dashboard_url,
    date_text,
    day_text,
    dimension_choices,
    dimension_title,
    grade_text,
    index_text,
    progress_text,
    tables_by_name,
)


class Overview(DashboardPage):
    """The organisation overview."""

    @cached_property
    def latest(self) -> dashboard_selectors.Latest:
        return dashboard_selectors.latest_for_user(user=self.user, filters=self.filters)

    @property
    def results(self) -> dashboard_selectors.LatestResults:
        return self.latest.results

    @cached_property
    def standing(self) -> dashboard_selectors.Standing:
        return dashboard_selectors.standing(
            results=self.results,
            dimension=self.filters.dimension,
            exemptions_on=timezone.localdate(),
        )

    @property
    def headline(self) -> str:
        """The model the page leads with: Microsoft's when every organisation in view chose it
        (see `filters.headline_of`), else Google's."""
        return self.filters.headline

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
        results = self.latest.result_ids if self.everything else [r.result_id for r in self.rows]
        return dashboard_selectors.capability_grades(
            results=results, dimension=self.filters.dimension
        )

    @property
    def gaps(self) -> list[dashboard_selectors.Gap]:
        return self.standing.gaps

    @cached_property
    def average(self) -> list[dashboard_selectors.MonthAverage]:
        return dashboard_selectors.index_average_by_month(
            user=self.user, latest=self.latest, filters=self.filters
        )

    @cached_property
    def history(self) -> dict[int, list[dashboard_selectors.HistoryPoint]]:
        team_ids = self.latest.team_ids if self.everything else [r.team_id for r in self.rows]
        return dashboard_selectors.index_history(team_ids=team_ids, filters=self.filters)

    @cached_property
    def trend_points(self) -> dict[int, list[tuple[str, int, float]]]:
        """(day, level, index) of each result in `history`, by team: the table and the chart
        show the same days, each written once."""
        return {
            team_id: [(day_text(p.day), p.level, p.index) for p in points]
            for team_id, points in self.history.items()
        }

    @property
    def exemptions(self) -> dict[int, int]:
        """Capabilities exempted today, per matching team that has any (read with the
        standing, one row per team)."""
        return self.standing.exemptions or {}

    @property
    def exempted_teams(self) -> int:
        return len(self.exemptions)

    @property
    def exempted_capabilities(self) -> int:
        return sum(self.exemptions.values())

    @property
    def capabilities(self) -> list[tuple[str, str]]:
        return capability_choices(self.catalogue, self.filters.dimension)

    # Tables ---------------------------------------------------------------------------

    def levels_table(self) -> Table:
        rows = []
        for key, title in [("overall", "Overall"), *dimension_choices(self.catalogue)]:
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

    def microsoft_levels_table(self) -> Table:
        counts = self.standing.microsoft or {}
        rows = [
            (
                Cell(str(level.number)),
                Cell(level.title),
                Cell(
                    str(counts.get(level.number, 0)),
                    dashboard_url("dashboard", self.filters, microsoft_level=level.number, page=1),
                ),
            )
            for level in microsoft_lens().levels
        ]
        return Table(
            "microsoft-levels",
            "Teams at each level of Microsoft's MLOps maturity model",
            ("Microsoft level", "Title", "Teams"),
            rows,
        )

    def ranking_table(self) -> Table:
        today = timezone.localdate()
        microsoft = self.headline == "microsoft"
        rows = []
        for row in self.rows:
            days = ""
            if row.oldest_debt:
                days = str((today - timezone.localtime(row.oldest_debt).date()).days)
            lead: tuple[Cell, ...] = ()
            if microsoft:
                level = "" if row.microsoft_level is None else str(row.microsoft_level)
                lead = (Cell(level, self.result_url(row.assessment_id)),)
            rows.append(
                (
                    Cell(row.team_name, self.team_url(row.team_slug)),
                    *lead,
                    Cell(str(row.level), self.result_url(row.assessment_id)),
                    Cell(index_text(row.index), self.result_url(row.assessment_id)),
                    Cell("" if row.delta is None else f"{row.delta:+.1f}"),
                    Cell(str(row.target_level)),
                    Cell(progress_text(row)),
                    Cell(str(row.open_steps)),
                    Cell(date_text(row.oldest_debt)),
                    Cell(days),
                    Cell(dimension_title(self.catalogue, row.weakest_dimension)),
                    Cell(date_text(row.submitted_at)),
                    Cell(str(self.exemptions.get(row.team_id, ""))),
                )
            )
        return Table(
            "ranking",
            "Ranking of the teams",
            (
                "Team",
                *(("Microsoft level", "Google level") if microsoft else ("Level",)),
                "Index",
                "Change since last quarter",
                "Target level",
                "Next level: capabilities in place",
                "Open roadmap steps",
                "Oldest debt since",
                "Oldest debt, days",
                "Weakest dimension",
                "Last assessed",
                "Exemptions in force",
            ),
            rows,
        )

    def heatmap_table(self) -> Table:
        keys = [key for key, _ in self.capabilities]
        capabilities = self.capabilities
        # A thousand cells of a dozen kinds: the selector shares one grade per kind, so each
        # kind's cell is written once, found by the grade's identity (None: not graded).
        shown: dict[int, Cell] = {}
        rows = []
        for row in self.rows:
            grades = self.grades.get(row.result_id, {})
            cells = [Cell(row.team_name, self.team_url(row.team_slug))]
            for key in keys:
                grade = grades.get(key)
                cell = shown.get(id(grade))
                if cell is None:
                    cell = shown[id(grade)] = Cell(grade_text(grade))
                cells.append(cell)
            rows.append(tuple(cells))
        return Table(
            "heatmap",
            "Grade of each capability per team (1 automated, 0.5 partly or by hand, 0 absent, "
            "? not answered)",
            ("Team", *(title for _, title in capabilities)),
            rows,
        )

    def trends_table(self) -> Table:
        # Teams share days and levels: one cell per distinct text.
        plain: dict[str, Cell] = {}
        rows = []
        for row in self.rows:
            team = Cell(row.team_name, self.team_url(row.team_slug))
            for day, level, index in self.trend_points.get(row.team_id, ()):
                texts = (day, str(level), index_text(index))
                cells = [plain.get(text) or plain.setdefault(text, Cell(text)) for text in texts]
                rows.append((team, *cells))
        return Table(
            "trends",
            "Maturity index of each assessment",
            ("Team", "Submitted", "Level", "Index"),
            rows,
        )

    def average_table(self) -> Table:
        rows = [
            (Cell(m.month.strftime("%Y-%m")), Cell(str(m.assessments)), Cell(index_text(m.index)))
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
                    Cell(dimension_title(self.catalogue, capability.dimension)),
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
        return tables_by_name(
            self.levels_table(),
            self.microsoft_levels_table(),
            self.ranking_table(),
            self.heatmap_table(),
            self.trends_table(),
            self.average_table(),
            self.gaps_table(),
        )

    # Charts ---------------------------------------------------------------------------

    def charts(self) -> dict[str, dict[str, Any]]:
        capabilities = self.capabilities
        teams = [{"name": r.team_name, "link": self.result_url(r.assessment_id)} for r in self.rows]
        grades = []
        for row in self.rows:
            cells = self.grades.get(row.result_id, {})
            grades.append([_grade_value(cells.get(key)) for key, _ in capabilities])
        series = [
            {
                "name": row.team_name,
                "link": self.team_url(row.team_slug),
                "points": [
                    (day, index) for day, _, index in self.trend_points.get(row.team_id, ())
                ],
            }
            for row in self.rows
        ]
        gaps = [
            {
                "title": capability_title(self.catalogue, gap.capability),
                "teams": gap.teams,
                "link": self._gap_link(gap.capability),
            }
            for gap in self.gaps[:12]
        ]
        dimensions = dimension_choices(self.catalogue)
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
        # The levels table and chart link the same cells: each link is built once per page.
        if (key, level) not in self._links:
            dimension = "" if key == "overall" else key
            self._links[key, level] = dashboard_url(
                "dashboard", self.filters, level=level, dimension=dimension, page=1
            )
        return self._links[key, level]

    def _gap_link(self, capability: str) -> str:
        if capability not in self._links:
            self._links[capability] = self._debt_link(capability)
        return self._links[capability]

    @cached_property
    def _links(self) -> dict[object, str]:
        return {}

    def _debt_link(self, capability: str) -> str:
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
