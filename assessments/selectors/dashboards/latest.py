"""Reads for the organisation dashboards, each a fixed number of queries whatever the team count.

Everything starts from `visible_teams(user)`, the tenancy rule: an organisation admin gets every
team of the organisation, a member only their own teams. From those teams:

* the latest result per team is its `LatestResult`, the narrow copy of its small columns kept
  current as results are written (one short row per team, never the history of wide results);
  in a period, a correlated subquery (the team's most recent result submitted in the period:
  one short scan of the results' (team, submitted_at) index per team), read once per page.
  The aggregates after it embed the former as a subquery, the latter as ids;
* counts and averages are aggregated by the database (filtered COUNT, GROUP BY) from the
  results' small columns, never from their snapshots; common gaps are counted from each
  result's short list of gaps;
* only bounded lists come back as rows: one page of the ranking, the heatmap of that page, the
  trend lines of that page. The CSV downloads ask for every row on purpose.

A dimension's level is the engine's own (stored on each result as `dimension_levels`, see
maturity/scoring.py): filtering and counting by it reads one small column per team.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from ... import maturity
from ...access import UserOrAnonymous, visible_teams
from ...dashboards.filters import DashboardFilters
from ...models import LatestResult, Result, RoadmapStepStatus, Team, TeamTag

# --- Building blocks ----------------------------------------------------------------------


@functools.cache
def optional_capability_keys() -> frozenset[str]:
    return frozenset(c.key for c in maturity.load_catalogue().capabilities if c.optional)


def open_debt() -> Q:
    """The roadmap steps that are debt: open, and not optional (a recommended step is owed to
    nobody). Every reader of the debt filters with this one condition."""
    return Q(status=RoadmapStepStatus.OPEN) & ~Q(capability_key__in=optional_capability_keys())


def dimension_capability_keys(dimension: str) -> list[str]:
    return [c.key for c in maturity.load_catalogue().capabilities_in(dimension)]


def dashboard_teams(*, user: UserOrAnonymous, filters: DashboardFilters) -> QuerySet[Team]:
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


# Each matching team's latest result: its narrow copy, or (in a period) the result itself. Both
# carry the same small columns under the same names.
LatestResults = QuerySet[LatestResult] | QuerySet[Result]


def result_id_field(results: LatestResults) -> str:
    """The name under which these rows hold their result's id."""
    return "result_id" if results.model is LatestResult else "pk"


@dataclass(frozen=True)
class Latest:
    """Each matching team's latest result, as queries that the aggregates after it embed."""

    results: LatestResults

    @property
    def team_ids(self) -> QuerySet[Any, Any]:
        ids: QuerySet[Any, Any] = self.results.values("team_id")
        return ids

    @property
    def result_ids(self) -> QuerySet[Any, Any]:
        ids: QuerySet[Any, Any] = self.results.values(result_id_field(self.results))
        return ids


def latest_for_user(
    *, user: UserOrAnonymous, filters: DashboardFilters, period: bool = True
) -> Latest:
    """The latest result (in the period) of each matching team, narrowed by the level filters
    (Google's, overall or in a dimension, and Microsoft's).

    Without a period, the matching teams' `LatestResult` rows (kept current as results are
    written): no query runs here, and the database joins them into each aggregate instead of
    receiving thousands of ids. A period searches each team's history for its newest result
    inside it, once (one query), and the aggregates filter by those ids.
    """
    teams = dashboard_teams(user=user, filters=filters)
    results: LatestResults
    if not period or not (filters.period_start or filters.period_end):
        results = LatestResult.objects.filter(team__in=teams)
    else:
        results = Result.objects.filter(pk__in=_latest_in_period(teams, filters))
    if filters.level is not None:
        results = results.filter(*_level_conditions(filters.level, filters.dimension))
    if filters.microsoft_level is not None:
        # Microsoft's model has no levels per dimension: its overall level, whatever the
        # dimension chosen (a small column written with each result).
        results = results.filter(microsoft_level=filters.microsoft_level)
    return Latest(results)


def _latest_in_period(teams: QuerySet[Team], filters: DashboardFilters) -> list[int]:
    latest = (
        Result.objects.filter(in_period(filters), team=OuterRef("pk"))
        # Newest first along the results' (team, submitted_at) index: one short backward scan.
        .order_by("-submitted_at")
        .values("pk")[:1]
    )
    return [
        result_id
        for result_id in teams.annotate(period_result_id=Subquery(latest)).values_list(
            "period_result_id", flat=True
        )
        if result_id is not None
    ]


def latest_results(
    *, user: UserOrAnonymous, filters: DashboardFilters, period: bool = True
) -> QuerySet[Result]:
    """Each matching team's latest result (in the period), narrowed by the level filter: the
    results themselves, for pages that read more than the small columns."""
    latest = latest_for_user(user=user, filters=filters, period=period)
    if latest.results.model is Result:
        return latest.results
    return Result.objects.filter(pk__in=latest.result_ids)


def _level_conditions(level: int, dimension: str) -> list[Q]:
    if not dimension:
        return [Q(overall_level=level)]
    return [Q(**{f"dimension_levels__{dimension}": level})]
