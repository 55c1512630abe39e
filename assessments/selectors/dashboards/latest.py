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

import functools
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from ... import maturity
from ...access import visible_teams
from ...dashboards.filters import DashboardFilters
from ...models import Assessment, AssessmentStatus, Result, ResultCapability, Team, TeamTag

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


def in_period(filters: DashboardFilters, prefix: str = "") -> Q:
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
            in_period(filters),
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
