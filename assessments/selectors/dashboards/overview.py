"""The overview dashboard: levels, the ranking, grades, common gaps and trends."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from ... import maturity
from ...dashboards.filters import DashboardFilters
from ...models import (
    Assessment,
    AssessmentStatus,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
)
from .latest import in_period, optional_capability_keys

PAGE_SIZE = 25
QUARTER = dt.timedelta(days=90)


@dataclass(frozen=True)
class RankingRow:
    result_id: int
    assessment_id: int
    team_id: int
    team_name: str
    team_slug: str
    organization: str
    submitted_at: dt.datetime
    level: int
    index: float
    previous_index: float | None
    target_level: int
    weakest_dimension: str
    open_steps: int
    oldest_debt: dt.datetime | None
    next_level_in_place: int | None = None
    next_level_total: int | None = None

    @property
    def delta(self) -> float | None:
        if self.previous_index is None:
            return None
        return round(self.index - self.previous_index, 1)


def level_distribution(*, results: QuerySet[Result]) -> dict[str, dict[int, int]]:
    """Teams per level, overall and per dimension: {"overall": {0: n, 1: n, 2: n}, dim: {...}}.

    Two aggregate queries. Per dimension the database counts, among the latest results, those
    with an unmet required capability of level <= 1 (level 0) and those with any (below 2).
    """
    overall = results.aggregate(
        **{f"level_{n}": Count("pk", filter=Q(overall_level=n)) for n in (0, 1, 2)}
    )
    counts = {"overall": {n: overall[f"level_{n}"] for n in (0, 1, 2)}}
    total = sum(counts["overall"].values())
    rows = (
        ResultCapability.objects.filter(result__in=results, met=False)
        .exclude(capability_key__in=optional_capability_keys())
        .values("dimension_key")
        .annotate(
            below_one=Count("result", distinct=True, filter=Q(required_level__lte=1)),
            below_two=Count("result", distinct=True),
        )
        .order_by()
    )
    by_dimension = {row["dimension_key"]: row for row in rows}
    for dimension in maturity.load_catalogue().dimensions:
        row = by_dimension.get(dimension.key, {"below_one": 0, "below_two": 0})
        counts[dimension.key] = {
            0: row["below_one"],
            1: row["below_two"] - row["below_one"],
            2: total - row["below_two"],
        }
    return counts


SORT_ORDERS = {
    "level": ("-overall_level", "-index", "team_name", "pk"),
    "index": ("-index", "team_name", "pk"),
    "delta": (F("delta").desc(nulls_last=True), "team_name", "pk"),
    "steps": ("-open_steps", "team_name", "pk"),
    "debt": (F("oldest_debt").asc(nulls_last=True), "team_name", "pk"),
    "name": ("team_name", "pk"),
}


def ranking(
    *,
    results: QuerySet[Result],
    filters: DashboardFilters,
    offset: int = 0,
    limit: int | None = PAGE_SIZE,
) -> list[RankingRow]:
    """One page of the ranking (every row when `limit` is None), in one query.

    The change since last quarter compares with the team's latest result at least 90 days
    before the end of the period (or today). Open steps and the oldest debt are the team's
    roadmap now; the oldest debt leaves out optional (recommended) steps, which are not debt.
    """
    team = OuterRef("assessment__team")
    previous = (
        Assessment.objects.filter(
            team=team,
            status=AssessmentStatus.SUBMITTED,
            result__isnull=False,
            submitted_at__lte=filters.as_of - QUARTER,
        )
        .order_by("-submitted_at")
        .values("result__index")[:1]
    )
    open_steps = RoadmapStep.objects.filter(team=team, status=RoadmapStepStatus.OPEN).order_by()
    open_count = open_steps.values("team").annotate(n=Count("pk")).values("n")
    oldest = (
        open_steps.exclude(capability_key__in=optional_capability_keys())
        .values("team")
        .annotate(first=Min("first_seen"))
        .values("first")
    )
    rows = (
        results.annotate(
            team_id=F("assessment__team_id"),
            team_name=F("assessment__team__name"),
            team_slug=F("assessment__team__slug"),
            organization_name=F("assessment__team__organization__name"),
            submitted=F("assessment__submitted_at"),
            previous_index=Subquery(previous),
            delta=F("index") - F("previous_index"),
            open_steps=Coalesce(Subquery(open_count), Value(0)),
            oldest_debt=Subquery(oldest),
        )
        .order_by(*SORT_ORDERS.get(filters.sort, SORT_ORDERS["level"]))
        .values(
            "pk",
            "assessment_id",
            "team_id",
            "team_name",
            "team_slug",
            "organization_name",
            "submitted",
            "overall_level",
            "index",
            "previous_index",
            "target_level",
            "weakest_dimension",
            "open_steps",
            "oldest_debt",
            "snapshot__result__next_level_progress__in_place",
            "snapshot__result__next_level_progress__total",
        )
    )
    if limit is not None:
        rows = rows[offset : offset + limit]
    elif offset:
        rows = rows[offset:]
    return [
        RankingRow(
            result_id=row["pk"],
            assessment_id=row["assessment_id"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            team_slug=row["team_slug"],
            organization=row["organization_name"],
            submitted_at=row["submitted"],
            level=row["overall_level"],
            index=row["index"],
            previous_index=row["previous_index"],
            target_level=row["target_level"],
            weakest_dimension=row["weakest_dimension"],
            open_steps=row["open_steps"],
            oldest_debt=row["oldest_debt"],
            next_level_in_place=row["snapshot__result__next_level_progress__in_place"],
            next_level_total=row["snapshot__result__next_level_progress__total"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class GradeCell:
    grade: float | None  # None: not answered
    met: bool
    source: str


def capability_grades(
    *, results: QuerySet[Result] | list[int], dimension: str = ""
) -> dict[int, dict[str, GradeCell]]:
    """{result id: {capability key: grade}} for the given results (ids or a queryset)."""
    rows = ResultCapability.objects.filter(result__in=results)
    if dimension:
        rows = rows.filter(dimension_key=dimension)
    grades: dict[int, dict[str, GradeCell]] = defaultdict(dict)
    for result_id, key, grade, met, source in rows.values_list(
        "result_id", "capability_key", "grade", "met", "source"
    ).order_by():
        grades[result_id][key] = GradeCell(None if source == "none" else grade, met, source)
    return grades


@dataclass(frozen=True)
class Gap:
    capability: str
    teams: int


def common_gaps(*, results: QuerySet[Result], dimension: str = "") -> list[Gap]:
    """Capabilities the teams' target levels need and they miss, most common first."""
    rows = ResultCapability.objects.filter(
        result__in=results, met=False, required_level__lte=F("result__target_level")
    ).exclude(capability_key__in=optional_capability_keys())
    if dimension:
        rows = rows.filter(dimension_key=dimension)
    rows = (
        rows.values("capability_key")
        .annotate(teams=Count("pk"))
        .order_by("-teams", "capability_key")
    )
    return [Gap(row["capability_key"], row["teams"]) for row in rows]


@dataclass(frozen=True)
class MonthAverage:
    month: dt.date
    assessments: int
    index: float


def index_average_by_month(
    *, team_ids: Sequence[int], filters: DashboardFilters
) -> list[MonthAverage]:
    """The average index of the results the given teams submitted each month in the period."""
    rows = (
        Result.objects.filter(in_period(filters, "assessment__"), assessment__team_id__in=team_ids)
        .annotate(month=TruncMonth("assessment__submitted_at"))
        .values("month")
        # Assessments rather than distinct teams: no DISTINCT lets the database hash-aggregate.
        .annotate(average=Avg("index"), assessments=Count("pk"))
        .order_by("month")
    )
    return [
        MonthAverage(_as_date(row["month"]), row["assessments"], round(row["average"], 1))
        for row in rows
    ]


@dataclass(frozen=True)
class HistoryPoint:
    team_id: int
    submitted_at: dt.datetime
    level: int
    index: float


def index_history(
    *, team_ids: list[int] | QuerySet, filters: DashboardFilters
) -> dict[int, list[HistoryPoint]]:
    """Every result of the given teams in the period, oldest first, grouped by team."""
    rows = (
        Result.objects.filter(in_period(filters, "assessment__"), assessment__team__in=team_ids)
        .order_by("assessment__team", "assessment__submitted_at", "pk")
        .values_list("assessment__team_id", "assessment__submitted_at", "overall_level", "index")
    )
    history: dict[int, list[HistoryPoint]] = defaultdict(list)
    for team_id, submitted_at, level, index in rows:
        history[team_id].append(HistoryPoint(team_id, submitted_at, level, index))
    return history


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
