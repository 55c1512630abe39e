"""The organisation's debt statement: every open gap of the matching teams, with interest."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

from django.utils import timezone

from ... import charts, maturity, selectors
from .base import (
    Cell,
    DashboardPage,
    Table,
    dashboard_url,
    dimension_title,
    tables_by_name,
)

DEBT_PAGE_SIZE = 50
# The page shows the teams owing the most; the download lists every team.
DEBT_TEAMS_SHOWN = 25


class Debt(DashboardPage):
    """The organisation's debt statement: every open gap of the matching teams, with interest.

    The sums come from one pass over the gaps (`selectors.organization_debt_summary`); only
    the gaps a page shows are sorted out and written as rows.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.today = timezone.localdate()

    @cached_property
    def debt(self) -> selectors.OrganizationDebt:
        return selectors.organization_debt_summary(
            user=self.user, filters=self.filters, catalogue=self.catalogue, today=self.today
        )

    @property
    def total(self) -> maturity.DebtTotal:
        sums = self.debt.total
        principal, interest = round(sums.principal, 2), round(sums.interest, 2)
        return maturity.DebtTotal(sums.gaps, principal, interest, round(principal + interest, 2))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.debt.total.gaps / DEBT_PAGE_SIZE))

    @property
    def page(self) -> int:
        return min(self.filters.page, self.pages)

    @cached_property
    def buckets(self) -> list[dict[str, Any]]:
        """Open gaps by days outstanding: read by the table and by the chart."""
        return [
            {
                "label": label,
                "items": sums.gaps,
                "principal": round(sums.principal, 2),
                "interest": round(sums.interest, 2),
            }
            for label, sums in self.debt.by_age.items()
        ]

    def age_table(self) -> Table:
        rows = [
            (
                Cell(b["label"]),
                Cell(str(b["items"])),
                Cell(f"{b['principal']:.1f}"),
                Cell(f"{b['interest']:.1f}"),
            )
            for b in self.buckets
        ]
        return Table(
            "debt-age",
            "Open gaps by days outstanding",
            ("Days outstanding", "Open gaps", "Principal (effort-days)", "Interest (effort-days)"),
            rows,
        )

    def teams_table(self) -> Table:
        teams = self.debt.teams
        summary = sorted(
            self.debt.by_team.items(), key=lambda kv: (-kv[1].interest, teams[kv[0]].name)
        )
        caption = "Debt per team"
        if not self.everything and len(summary) > DEBT_TEAMS_SHOWN:
            caption = f"Debt per team: the {DEBT_TEAMS_SHOWN} of {len(summary)} owing the most"
            summary = summary[:DEBT_TEAMS_SHOWN]
        rows = []
        for team_id, sums in summary:
            team = teams[team_id]
            rows.append(
                (
                    Cell(team.name, self.team_url(team.slug)),
                    Cell(str(sums.gaps)),
                    Cell(f"{sums.principal:.1f}"),
                    Cell(f"{sums.interest:.1f}"),
                    Cell(f"{sums.principal + sums.interest:.1f}"),
                    Cell(str(sums.oldest_days)),
                )
            )
        return Table(
            "debt-teams",
            caption,
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
        summary = sorted(self.debt.by_capability.items(), key=lambda kv: (-kv[1].interest, kv[0]))
        rows = [
            (
                Cell(self.catalogue.capability(key).title, self._capability_link(key)),
                Cell(self._dimension(key)),
                Cell(str(sums.gaps)),
                Cell(f"{sums.interest:.1f}"),
            )
            for key, sums in summary
        ]
        return Table(
            "debt-capabilities",
            "Debt per capability",
            ("Capability", "Dimension", "Teams owing it", "Interest (effort-days)"),
            rows,
        )

    def items_table(self) -> Table:
        if self.everything:
            shown = self.debt.largest()
        else:
            shown = self.debt.largest(start=(self.page - 1) * DEBT_PAGE_SIZE, count=DEBT_PAGE_SIZE)
        rows = []
        for owed in shown:
            team, item = self.debt.teams[owed.team_id], owed.item
            rows.append(
                (
                    Cell(team.name, self.team_url(team.slug)),
                    Cell(item.title),
                    Cell(self._dimension(item.capability)),
                    Cell(item.debt_title),
                    Cell(item.first_seen.isoformat()),
                    Cell(str(item.days_outstanding)),
                    Cell(f"{item.principal:.1f}"),
                    Cell(f"{item.interest:.2f}"),
                    Cell(f"{round(item.principal + item.interest, 2):.2f}"),
                )
            )
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
        return tables_by_name(
            self.age_table(), self.teams_table(), self.capabilities_table(), self.items_table()
        )

    def charts(self) -> dict[str, dict[str, Any]]:
        return {"age": charts.debt_age_figure(self.buckets)}

    def _dimension(self, capability: str) -> str:
        return dimension_title(self.catalogue, self.catalogue.capability(capability).dimension)

    def _capability_link(self, capability: str) -> str:
        return dashboard_url("dashboard_debt", self.filters, capability=capability, page=1)
