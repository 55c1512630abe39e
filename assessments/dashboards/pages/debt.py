"""The organisation's debt statement: every open gap of the matching teams, with interest."""

from __future__ import annotations

import datetime as dt
import functools
import math
from functools import cached_property
from typing import NamedTuple

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
AGE_BUCKETS = ((30, "0-30 days"), (90, "31-90 days"), (180, "91-180 days"), (365, "181-365 days"))
OLDEST_BUCKET = "over a year"


# A tuple, not a dataclass: one per open gap of the organisation, tens of thousands of them.
class DebtItemRow(NamedTuple):
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


class Debt(DashboardPage):
    """The organisation's debt statement: every open gap of the matching teams, with interest."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.today = timezone.localdate()

    @cached_property
    def items(self) -> list[DebtItemRow]:
        items = []
        dimension_of = functools.cache(
            lambda key: dimension_title(self.catalogue, self.catalogue.capability(key).dimension)
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

    @cached_property
    def buckets(self) -> list[dict]:
        """Open gaps by days outstanding: read by the table and by the chart."""
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
            for b in self.buckets
        ]
        return Table(
            "debt-age",
            "Open gaps by days outstanding",
            ("Days outstanding", "Open gaps", "Principal (effort-days)", "Interest (effort-days)"),
            rows,
        )

    def teams_table(self) -> Table:
        # One pass with running sums: an organisation owes tens of thousands of gaps.
        by_team: dict[tuple[str, str], list] = {}
        for item in self.items:
            sums = by_team.setdefault((item.team_name, item.team_slug), [0, 0.0, 0.0, 0])
            sums[0] += 1
            sums[1] += item.principal
            sums[2] += item.interest
            sums[3] = max(sums[3], item.days)
        summary = sorted(by_team.items(), key=lambda kv: (-kv[1][2], kv[0][0]))
        caption = "Debt per team"
        if not self.everything and len(summary) > DEBT_TEAMS_SHOWN:
            caption = f"Debt per team: the {DEBT_TEAMS_SHOWN} of {len(summary)} owing the most"
            summary = summary[:DEBT_TEAMS_SHOWN]
        rows = []
        for (name, slug), (count, principal, interest, days) in summary:
            rows.append(
                (
                    Cell(name, self.team_url(slug)),
                    Cell(str(count)),
                    Cell(f"{principal:.1f}"),
                    Cell(f"{interest:.1f}"),
                    Cell(f"{principal + interest:.1f}"),
                    Cell(str(days)),
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
        by_capability: dict[str, list] = {}
        for item in self.items:
            sums = by_capability.setdefault(item.capability, [item, 0, 0.0])
            sums[1] += 1
            sums[2] += item.interest
        summary = sorted(by_capability.items(), key=lambda kv: (-kv[1][2], kv[0]))
        rows = [
            (
                Cell(first.title, self._capability_link(key)),
                Cell(first.dimension),
                Cell(str(count)),
                Cell(f"{interest:.1f}"),
            )
            for key, (first, count, interest) in summary
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
        return tables_by_name(
            self.age_table(), self.teams_table(), self.capabilities_table(), self.items_table()
        )

    def charts(self) -> dict[str, dict]:
        return {"age": charts.debt_age_figure(self.buckets)}

    def _capability_link(self, capability: str) -> str:
        return dashboard_url("dashboard_debt", self.filters, capability=capability, page=1)
