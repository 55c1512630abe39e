"""Reads for the organisation dashboards, each a fixed number of queries whatever the team count.

Everything starts from `visible_teams(user)`, the tenancy rule: an organisation admin gets every
team of the organisation, a member only their own teams. From those teams:

* the latest result per team is a correlated subquery (the team's most recent submitted
  assessment with a result, in the period: one short scan of the (team, status, submitted_at)
  index per team), read once per page; the aggregates after it filter by those primary keys
  rather than running the subquery again in each of them;
* counts, averages and gaps are aggregated by the database (GROUP BY, filtered COUNT);
* only bounded lists come back as rows: one page of the ranking, the heatmap of that page, the
  trend lines of that page. The CSV downloads ask for every row on purpose.

A dimension's level is derived from the result's capability rows with the engine's rule (see
maturity/scoring.py): level 0 while a required capability of level 0 or 1 is unmet, level 1
while one of level 2 is unmet, else level 2. Optional capabilities never gate a level.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, TruncMonth

from .. import maturity
from ..access import visible_teams
from ..models import (
    Assessment,
    AssessmentStatus,
    Organization,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
    Team,
    TeamTag,
)
from .filters import DashboardFilters

PAGE_SIZE = 25
QUARTER = dt.timedelta(days=90)
DEFAULT_CRITICALITY = "non_critical"


# --- Building blocks ----------------------------------------------------------------------


@functools.cache
def optional_capability_keys() -> frozenset[str]:
    return frozenset(c.key for c in maturity.load_catalogue().capabilities if c.optional)


def dimension_capability_keys(dimension: str) -> list[str]:
    return [c.key for c in maturity.load_catalogue().capabilities_in(dimension)]


def dashboard_teams(*, user, filters: DashboardFilters) -> QuerySet[Team]:
    """The visible teams that match the filters: organisation, every tag, chosen teams."""
    teams = visible_teams(user)
    if filters.organization:
        teams = teams.filter(organization__slug=filters.organization)
    if filters.teams:
        teams = teams.filter(slug__in=filters.teams)
    for tag in filters.tags:
        teams = teams.filter(Exists(TeamTag.objects.filter(team=OuterRef("pk"), name=tag)))
    return teams


def _in_period(filters: DashboardFilters, prefix: str = "") -> Q:
    condition = Q()
    if filters.period_start:
        condition &= Q(**{f"{prefix}submitted_at__gte": filters.period_start})
    if filters.period_end:
        condition &= Q(**{f"{prefix}submitted_at__lt": filters.period_end})
    return condition


@dataclass(frozen=True)
class Latest:
    """Each matching team's latest result: ids read once, so every aggregate after it filters
    results by primary key instead of running a subquery per team again."""

    team_ids: tuple[int, ...]
    result_ids: tuple[int, ...]

    @property
    def results(self) -> QuerySet[Result]:
        return Result.objects.filter(pk__in=self.result_ids)


def latest_for_user(*, user, filters: DashboardFilters, period: bool = True) -> Latest:
    """The latest result (in the period) of each matching team, narrowed by the level filter.

    One query (two with a level filter), whatever the number of teams. Without a period, each
    team's `latest_result` (kept current as results are written) answers with a plain join;
    a period searches each team's history for its newest result inside it.
    """
    teams = dashboard_teams(user=user, filters=filters)
    if not period or not (filters.period_start or filters.period_end):
        pairs = list(
            teams.filter(latest_result__isnull=False).values_list("pk", "latest_result_id")
        )
    else:
        pairs = _latest_in_period(teams, filters)
    if filters.level is not None and pairs:
        pairs = list(
            Result.objects.filter(pk__in=[result_id for _, result_id in pairs])
            .filter(*_level_conditions(filters.level, filters.dimension))
            .values_list("assessment__team_id", "pk")
        )
    return Latest(tuple(t for t, _ in pairs), tuple(r for _, r in pairs))


def _latest_in_period(teams: QuerySet[Team], filters: DashboardFilters) -> list[tuple[int, int]]:
    latest = (
        Assessment.objects.filter(
            _in_period(filters),
            team=OuterRef("pk"),
            status=AssessmentStatus.SUBMITTED,
            result__isnull=False,
        )
        # Newest first along the (team, status, submitted_at) index: one short backward scan.
        .order_by("-submitted_at")
        .values("result__id")[:1]
    )
    return [
        (team_id, result_id)
        for team_id, result_id in teams.annotate(period_result_id=Subquery(latest)).values_list(
            "pk", "period_result_id"
        )
        if result_id is not None
    ]


def latest_results(*, user, filters: DashboardFilters, period: bool = True) -> QuerySet[Result]:
    """Each matching team's latest result (in the period), narrowed by the level filter."""
    return latest_for_user(user=user, filters=filters, period=period).results


def _unmet_required(dimension: str) -> QuerySet[ResultCapability]:
    return ResultCapability.objects.filter(
        result=OuterRef("pk"), dimension_key=dimension, met=False
    ).exclude(capability_key__in=optional_capability_keys())


def _level_conditions(level: int, dimension: str) -> list:
    if not dimension:
        return [Q(overall_level=level)]
    below_one = Exists(_unmet_required(dimension).filter(required_level__lte=1))
    any_unmet = Exists(_unmet_required(dimension))
    if level == 0:
        return [below_one]
    if level == 1:
        return [~below_one, any_unmet]
    return [~any_unmet]


# --- Overview -----------------------------------------------------------------------------


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
        Result.objects.filter(_in_period(filters, "assessment__"), assessment__team_id__in=team_ids)
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
        Result.objects.filter(_in_period(filters, "assessment__"), assessment__team__in=team_ids)
        .order_by("assessment__team", "assessment__submitted_at", "pk")
        .values_list("assessment__team_id", "assessment__submitted_at", "overall_level", "index")
    )
    history: dict[int, list[HistoryPoint]] = defaultdict(list)
    for team_id, submitted_at, level, index in rows:
        history[team_id].append(HistoryPoint(team_id, submitted_at, level, index))
    return history


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- Filter choices -----------------------------------------------------------------------


def filter_choices_for_user(*, user) -> tuple[list[tuple[str, str]], list[str]]:
    """The organisations and tags the user's teams have, for the filter form (two queries)."""
    teams = visible_teams(user)
    organizations = list(
        Organization.objects.filter(pk__in=teams.values("organization_id"))
        .order_by("name")
        .values_list("slug", "name")
    )
    tags = list(
        TeamTag.objects.filter(team__in=teams)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return organizations, tags


def team_choices_for_user(*, user) -> list[tuple[str, str]]:
    """(slug, name) of every visible team, for choosing teams to compare."""
    rows = (
        visible_teams(user)
        .order_by("organization__name", "name")
        .values_list("slug", "name", "organization__name")
    )
    rows = list(rows)
    several = len({org for _, _, org in rows}) > 1
    return [(slug, f"{name} ({org})" if several else name) for slug, name, org in rows]


# --- Compare ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedTeam:
    result_id: int
    team_id: int
    name: str
    slug: str
    submitted_at: dt.datetime
    level: int
    index: float
    target_level: int
    dimension_index: dict[str, float]
    dimension_levels: dict[str, int]


def compared_teams(*, user, filters: DashboardFilters) -> list[ComparedTeam]:
    """The chosen teams' latest results in the period, in the order they were chosen."""
    chosen = DashboardFilters(
        teams=filters.teams, date_from=filters.date_from, date_to=filters.date_to
    )
    results = latest_results(user=user, filters=chosen)
    snapshot_result = KeyTransform("result", "snapshot")
    rows = results.values(
        "pk",
        "assessment__team_id",
        "assessment__team__name",
        "assessment__team__slug",
        "assessment__submitted_at",
        "overall_level",
        "index",
        "target_level",
        dimension_index=KeyTransform("dimension_index", snapshot_result),
        dimension_levels=KeyTransform("dimension_levels", snapshot_result),
    )
    teams = [
        ComparedTeam(
            result_id=row["pk"],
            team_id=row["assessment__team_id"],
            name=row["assessment__team__name"],
            slug=row["assessment__team__slug"],
            submitted_at=row["assessment__submitted_at"],
            level=row["overall_level"],
            index=row["index"],
            target_level=row["target_level"],
            dimension_index=row["dimension_index"] or {},
            dimension_levels=row["dimension_levels"] or {},
        )
        for row in rows
    ]
    order = {slug: position for position, slug in enumerate(filters.teams)}
    return sorted(teams, key=lambda t: order.get(t.slug, len(order)))


# --- Organisation debt --------------------------------------------------------------------


@dataclass(frozen=True)
class DebtRow:
    team_name: str
    team_slug: str
    capability: str
    first_seen: dt.datetime
    criticality: str


def organization_debt(*, user, filters: DashboardFilters) -> list[DebtRow]:
    """Every open, non-optional roadmap step of the matching teams: the organisation's debt.

    Two queries: the teams' criticality from their latest result, and the open steps. The
    steps are the teams' roadmaps now, so the period does not apply; the level filter reads
    each team's latest result.
    """
    results = latest_results(user=user, filters=filters, period=False)
    criticality = dict(
        results.values_list(
            "assessment__team_id",
            KeyTextTransform("criticality", KeyTransform("target", "snapshot")),
        )
    )
    steps = RoadmapStep.objects.filter(
        team__in=results.values("assessment__team"), status=RoadmapStepStatus.OPEN
    ).exclude(capability_key__in=optional_capability_keys())
    if filters.dimension:
        steps = steps.filter(capability_key__in=dimension_capability_keys(filters.dimension))
    if filters.capability:
        steps = steps.filter(capability_key=filters.capability)
    rows = steps.order_by("first_seen", "team__name", "capability_key").values_list(
        "team_id", "team__name", "team__slug", "capability_key", "first_seen"
    )
    return [
        DebtRow(name, slug, key, first_seen, criticality.get(team_id) or DEFAULT_CRITICALITY)
        for team_id, name, slug, key, first_seen in rows
    ]
