"""Two to six teams side by side: latest results, capabilities and trends."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ... import charts
from ...maturity.versions import load_catalogue_version, versions_sentence
from ...selectors import dashboards as dashboard_selectors
from .base import (
    Cell,
    DashboardPage,
    Table,
    date_text,
    day_text,
    dimension_choices,
    dimension_title,
    grade_text,
    index_text,
    tables_by_name,
)


class Compare(DashboardPage):
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

    def versions(self) -> str:
        """A sentence when the teams' results were computed on different catalogue versions."""
        return versions_sentence([(t.name, t.catalogue_version) for t in self.teams])

    def missing(self, choices: dict[str, str]) -> list[str]:
        """Names of chosen teams without a result in the period."""
        found = {t.slug for t in self.teams}
        return [choices.get(slug, slug) for slug in self.filters.teams if slug not in found]

    @property
    def headline(self) -> str:
        """Microsoft's model leads when every compared team's organisation chose it."""
        chosen = {t.headline for t in self.teams}
        return "microsoft" if chosen == {"microsoft"} else "google"

    def summary_table(self) -> Table:
        """Google's level and Microsoft's side by side, the headline model's first, and how
        many EU AI Act articles the team's practice supports."""
        microsoft_first = self.headline == "microsoft"
        rows = []
        for t in self.teams:
            levels = [Cell(str(t.level)), Cell(_optional(t.microsoft_level))]
            if microsoft_first:
                levels.reverse()
            rows.append(
                (
                    Cell(t.name, self.team_url(t.slug)),
                    *levels,
                    Cell(index_text(t.index)),
                    Cell(str(t.target_level)),
                    *(Cell(_optional(t.eu_ai_act_count(s))) for s in EU_AI_ACT_COLUMNS),
                    Cell(date_text(t.submitted_at)),
                )
            )
        levels_columns = ["Google level", "Microsoft level"]
        if microsoft_first:
            levels_columns.reverse()
        return Table(
            "compare-summary",
            "Latest result of each team, in Google's and Microsoft's models, and EU AI Act "
            "readiness (articles of the Act the team's practice supports)",
            (
                "Team",
                *levels_columns,
                "Index",
                "Target level (Google)",
                *EU_AI_ACT_COLUMNS.values(),
                "Assessed",
            ),
            rows,
        )

    def dimensions_table(self) -> Table:
        rows = [
            (
                Cell(title),
                *(Cell(_dimension_cell(t, key)) for t in self.teams),
            )
            for key, title in dimension_choices(self.catalogue)
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
                    Cell(dimension_title(self.catalogue, capability.dimension)),
                    Cell(str(capability.level)),
                    *(
                        Cell(grade_text(self.grades.get(t.result_id, {}).get(capability.key)))
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
                Cell(day_text(p.day)),
                Cell(str(p.level)),
                Cell(index_text(p.index)),
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
        return tables_by_name(
            self.summary_table(),
            self.dimensions_table(),
            self.capabilities_table(),
            self.trends_table(),
        )

    def charts(self) -> dict[str, dict[str, Any]]:
        # A dimension none of the teams has a figure for (not applicable to any of them) would
        # be drawn at 0, read as missing: it is left off, and the table says why.
        drawn = [
            (key, title)
            for key, title in dimension_choices(self.catalogue)
            if any(key in t.dimension_index for t in self.teams)
        ]
        radar = charts.radar_figure(
            drawn,
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
                    "points": [(day_text(p.day), p.index) for p in self.history.get(t.team_id, ())],
                }
                for t in self.teams
            ]
        )
        return {"radar": radar, "trends": trends}


# The EU AI Act readiness counts shown per team, by article status.
EU_AI_ACT_COLUMNS = {
    "supported": "EU AI Act: articles supported",
    "partly": "EU AI Act: partly",
    "missing": "EU AI Act: missing",
}


def _optional(value: int | None) -> str:
    """A figure, or blank for a result stored before the lenses."""
    return "" if value is None else str(value)


def _dimension_cell(team: dashboard_selectors.ComparedTeam, key: str) -> str:
    if key in team.dimension_levels:
        return f"{index_text(team.dimension_index.get(key))} (level {team.dimension_levels[key]})"
    # Stored results leave out the dimensions not applicable to the team (see `Result`); a
    # dimension the result's own catalogue lacks is simply empty.
    if team.catalogue_version and _has_dimension(team.catalogue_version, key):
        return "not applicable"
    return ""


def _has_dimension(version: str, key: str) -> bool:
    return any(d.key == key for d in load_catalogue_version(version).dimensions)
