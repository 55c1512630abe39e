"""The overview's trends: the monthly average index and each team's results over time."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateField, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from ...access import UserOrAnonymous
from ...dashboards.filters import DashboardFilters
from ...models import OrganizationMonth, Result, Team
from ..organizations import organizations_administered
from .latest import Latest, in_period


@dataclass(frozen=True)
class MonthAverage:
    month: dt.date
    assessments: int
    index: float


def index_average_by_month(
    *, user: UserOrAnonymous, latest: Latest, filters: DashboardFilters
) -> list[MonthAverage]:
    """The average index of the results the matching teams submitted each month in the period.

    When the filters leave whole organisations (no tag, team or level narrowing, whole months),
    the organisations the user administers are read from their monthly counts, kept as results
    are written (`OrganizationMonth`): a row per month instead of every result in the history.
    Only teams outside them (a member's own teams) are aggregated from their results.
    """
    whole = _whole_organizations(user, filters)
    if whole is None:
        return _averages(_result_months(latest.team_ids, filters))
    counted = OrganizationMonth.objects.filter(organization_id__in=whole)
    if filters.date_from:
        counted = counted.filter(month__gte=filters.date_from)
    if filters.date_to:
        counted = counted.filter(month__lte=filters.date_to)
    counted_months = (
        counted.values("month")
        .annotate(assessments=Sum("assessments"), total=Sum("index_sum"))
        .values_list("month", "assessments", "total")
        .order_by()
    )
    # Teams the user sees outside them (as a member): usually none. Read in the same query as
    # the monthly counts, first, so its month column's conversion (a truncated moment made a
    # date) reads both parts.
    others = Team.objects.filter(pk__in=latest.team_ids).exclude(organization_id__in=whole)
    return _averages(
        _result_months_query(others.values("pk"), filters).union(counted_months, all=True)
    )


def _whole_organizations(user: UserOrAnonymous, filters: DashboardFilters) -> Any:
    """The ids (a subquery) of the organisations the page shows whole, or None when a filter
    narrows the teams or cuts a month (the monthly counts cannot answer then)."""
    narrowed = filters.tags or filters.teams or filters.level is not None
    cut = (filters.date_from and filters.date_from.day != 1) or (
        filters.date_to and (filters.date_to + dt.timedelta(days=1)).day != 1
    )
    if narrowed or filters.microsoft_level is not None or cut:
        return None
    organizations = organizations_administered(user=user)
    if filters.organization:
        organizations = organizations.filter(slug=filters.organization)
    return organizations.values("pk")


def _result_months(
    team_ids: Sequence[int] | QuerySet[Any, Any], filters: DashboardFilters
) -> list[tuple[dt.date, int, float]]:
    """(month, results, index sum) of the given teams' results in the period."""
    return list(_result_months_query(team_ids, filters))


def _result_months_query(
    team_ids: Sequence[int] | QuerySet[Any, Any], filters: DashboardFilters
) -> QuerySet[Any, Any]:
    rows: QuerySet[Any, Any] = (
        Result.objects.filter(in_period(filters), team_id__in=team_ids)
        .annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        .values("month")
        # Assessments rather than distinct teams: no DISTINCT lets the database hash-aggregate.
        # COUNT(*), not of the key: the (team, submitted_at) index holds every column read here,
        # so the database answers from the index without visiting the results' wide rows.
        .annotate(assessments=Count("*"), total=Sum("index"))
        .values_list("month", "assessments", "total")
        .order_by()
    )
    return rows


def _averages(months: Iterable[tuple[dt.date, int, float]]) -> list[MonthAverage]:
    assessments: Counter[dt.date] = Counter()
    totals: defaultdict[dt.date, float] = defaultdict(float)
    for month, count, total in months:
        assessments[month] += count
        totals[month] += total
    return [
        MonthAverage(month, assessments[month], round(totals[month] / assessments[month], 1))
        for month in sorted(assessments)
        if assessments[month]
    ]


@dataclass(frozen=True)
class HistoryPoint:
    team_id: int
    # The day submitted in the site's time zone; null only for results older than the column.
    day: dt.date | None
    level: int
    index: float


def index_history(
    *, team_ids: list[int] | QuerySet[Any, Any], filters: DashboardFilters
) -> dict[int, list[HistoryPoint]]:
    """Every result of the given teams in the period, oldest first, grouped by team.

    The pages show the day of each result, not its moment: the database reads it in the site's
    time zone (as `date_text` writes a moment), so hundreds of moments are not parsed only to
    be cut to their day."""
    rows = (
        Result.objects.filter(in_period(filters), team_id__in=team_ids)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_default_timezone()))
        .order_by("team_id", "submitted_at", "pk")
        .values_list("team_id", "day", "overall_level", "index")
    )
    history: dict[int, list[HistoryPoint]] = defaultdict(list)
    for team_id, day, level, index in rows:
        history[team_id].append(HistoryPoint(team_id, day, level, index))
    return history
