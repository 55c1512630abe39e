"""The organisation's debt: every open gap of the matching teams, summed by the database.

An organisation of thousands of teams owes tens of thousands of gaps, but they share a few
hundred bills: a gap's price depends only on its capability, the day it was first seen and
its team's criticality. So the database counts the gaps per bill (`debt_bills`), the caller
prices each bill once with the domain's own `maturity.debt_item`, and the database sums those
prices per team (`debt_by_team`). The largest gaps are those of the dearest bills, known once
priced: a page reads only the gaps of the bills it shows (`gaps_of_bills`). No gap travels to
Python as a row except the ones a page shows.

The prices go back to the database as one JSON document read as a table (PostgreSQL's
`json_to_recordset`, SQLite's `json_each`): one parameter however many bills there are. As
plain `json`, read once: converting it to `jsonb` first cost the database more than reading it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ...access import UserOrAnonymous
from ...dashboards.filters import DashboardFilters
from ...models import RoadmapStep, Team
from .latest import dimension_capability_keys, latest_for_user, open_debt

DEFAULT_CRITICALITY = "non_critical"


class DebtTeam(NamedTuple):
    name: str
    slug: str
    criticality: str


class Bill(NamedTuple):
    """What prices a gap: its capability, the day first seen (in the current time zone) and
    its team's criticality as stored ("" for none: the caller decides what that means)."""

    capability: str
    first_seen: dt.date
    criticality: str


class PricedBill(NamedTuple):
    bill: Bill
    principal: float
    interest: float
    days_outstanding: int


class TeamDebtSums(NamedTuple):
    gaps: int
    principal: float
    interest: float
    oldest_days: int


@dataclass(frozen=True)
class OpenGaps:
    """The matching teams (each with its name, slug and criticality) and their open gaps, as
    a query of roadmap steps (with their `day` first seen and their team's stored
    `criticality`) not yet run."""

    teams: dict[int, DebtTeam]
    gaps: QuerySet[Any, Any]  # annotated steps, which the stubs cannot see


def organization_open_gaps(*, user: UserOrAnonymous, filters: DashboardFilters) -> OpenGaps:
    """Every open, non-optional roadmap step of the matching teams: the organisation's debt.

    One query now (the teams with their criticality, their latest result's, kept on the team);
    the gaps are read by the sums below. The steps are the teams' roadmaps now, so the period
    does not apply; the level filter reads each team's latest result.
    """
    # The teams with a latest result, as a subquery of their narrow copies: the results
    # themselves are not read to find their teams.
    team_ids = latest_for_user(user=user, filters=filters, period=False).team_ids
    teams = {
        team_id: DebtTeam(name, slug, criticality or DEFAULT_CRITICALITY)
        for team_id, name, slug, criticality in Team.objects.filter(pk__in=team_ids)
        .order_by()
        .values_list("pk", "name", "slug", "criticality")
    }
    steps = RoadmapStep.objects.filter(team__in=team_ids).filter(open_debt())
    if filters.dimension:
        steps = steps.filter(capability_key__in=dimension_capability_keys(filters.dimension))
    if filters.capability:
        steps = steps.filter(capability_key=filters.capability)
    gaps = steps.annotate(
        # The day in the current time zone, by the database.
        day=TruncDate("first_seen", tzinfo=timezone.get_current_timezone()),
        criticality=Coalesce(F("team__criticality"), Value("")),
    ).order_by()
    return OpenGaps(teams, gaps)


def debt_bills(gaps: OpenGaps) -> list[tuple[Bill, int]]:
    """Each bill the open gaps share, with how many gaps it prices (one grouped query)."""
    rows = (
        gaps.gaps.values("capability_key", "day", "criticality")
        .annotate(count=Count("*"))
        .values_list("capability_key", "day", "criticality", "count")
        .order_by()
    )
    return [(Bill(key, _as_date(day), criticality), count) for key, day, criticality, count in rows]


def debt_by_team(gaps: OpenGaps, priced: Iterable[PricedBill]) -> dict[int, TeamDebtSums]:
    """Each team's open gaps, principal, interest and oldest gap's days: one grouped query."""
    query, params = _priced_gaps(gaps, priced)
    sql = (
        f"WITH {query} SELECT gap.team_id, COUNT(*), SUM(bill.principal), SUM(bill.interest), "  # noqa: S608
        "MAX(bill.days) FROM gap JOIN bill ON "
        f"{_BILL_JOIN} GROUP BY gap.team_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            team_id: TeamDebtSums(count, _number(principal), _number(interest), days)
            for team_id, count, principal, interest, days in cursor.fetchall()
        }


def gaps_of_bills(gaps: OpenGaps, bills: Iterable[Bill]) -> list[tuple[int, Bill, str]]:
    """(team id, bill, team name) of every open gap priced by one of `bills`: one query, which
    reads only the gaps of those capabilities first seen on those days."""
    wanted = set(bills)
    rows = gaps.gaps.filter(
        capability_key__in={bill.capability for bill in wanted},
        day__in={bill.first_seen for bill in wanted},
    ).values_list("team_id", "capability_key", "day", "criticality", "team__name")
    found = (
        (team_id, Bill(key, _as_date(day), criticality), name)
        for team_id, key, day, criticality, name in rows
    )
    return [gap for gap in found if gap[1] in wanted]


_BILL_JOIN = (
    "gap.capability_key = bill.capability_key AND gap.day = bill.day "
    "AND gap.criticality = bill.criticality"
)


def _priced_gaps(gaps: OpenGaps, priced: Iterable[PricedBill]) -> tuple[str, list[Any]]:
    """The common table expressions `gap` (the open gaps' query) and `bill` (the prices, one
    JSON parameter read as a table), and their parameters."""
    columns = gaps.gaps.values("team_id", "capability_key", "day", "criticality")
    gap_sql, gap_params = columns.query.sql_with_params()
    document = json.dumps(
        [
            {
                "capability_key": p.bill.capability,
                "day": p.bill.first_seen.isoformat(),
                "criticality": p.bill.criticality,
                "principal": p.principal,
                "interest": p.interest,
                "days": p.days_outstanding,
            }
            for p in priced
        ]
    )
    if connection.vendor == "postgresql":
        bill = (
            "SELECT * FROM json_to_recordset(%s::json) AS b(capability_key text, day date, "
            "criticality text, principal numeric, interest numeric, days integer)"
        )
    else:
        bill = (
            "SELECT json_extract(value, '$.capability_key') AS capability_key, "
            "json_extract(value, '$.day') AS day, "
            "json_extract(value, '$.criticality') AS criticality, "
            "json_extract(value, '$.principal') AS principal, "
            "json_extract(value, '$.interest') AS interest, "
            "json_extract(value, '$.days') AS days FROM json_each(%s)"
        )
    if connection.vendor == "postgresql":
        # The prices materialised, read once. The gaps' query kept whole as a subquery (OFFSET 0
        # is PostgreSQL's fence): folded into the join, the planner, unable to estimate how
        # many prices there are, chose nested loops over every team and bill.
        return (
            # Both parts are SQL the ORM and this module wrote; every value is a parameter.
            f"gap AS (SELECT * FROM ({gap_sql}) AS fenced OFFSET 0), "  # noqa: S608
            f"bill AS MATERIALIZED ({bill})",
            [*gap_params, document],
        )
    return f"gap AS ({gap_sql}), bill AS ({bill})", [*gap_params, document]


def _as_date(value: dt.date | str) -> dt.date:
    # SQLite hands back the day as text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _number(value: Decimal | float | None) -> float:
    return float(value or 0)
