"""The organisation's debt: every open gap of the matching teams, as compact rows."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models.functions import TruncDate
from django.utils import timezone

from ...dashboards.filters import DashboardFilters
from ...models import RoadmapStep, RoadmapStepStatus, Team
from .latest import dimension_capability_keys, latest_results, optional_capability_keys

DEFAULT_CRITICALITY = "non_critical"


class DebtTeam(NamedTuple):
    name: str
    slug: str
    criticality: str


class OrganizationDebtRows(NamedTuple):
    """Open gaps as (team id, capability key, first seen) tuples, and the teams they name.

    An organisation of thousands of teams owes tens of thousands of gaps: rows are plain
    tuples of three small values, read without joins or sorting, and each team's name, slug
    and criticality are read once.
    """

    gaps: list[tuple[int, str, dt.date]]  # first seen: the day in the current time zone
    teams: dict[int, DebtTeam]


def organization_debt(*, user, filters: DashboardFilters) -> OrganizationDebtRows:
    """Every open, non-optional roadmap step of the matching teams: the organisation's debt.

    Two queries: the teams with their criticality from their latest result, and the open
    steps. The steps are the teams' roadmaps now, so the period does not apply; the level
    filter reads each team's latest result.
    """
    results = latest_results(user=user, filters=filters, period=False)
    teams = {
        team_id: DebtTeam(name, slug, criticality or DEFAULT_CRITICALITY)
        for team_id, name, slug, criticality in Team.objects.filter(
            pk__in=results.values("team_id")
        ).values_list("pk", "name", "slug", "latest_result__criticality")
    }
    steps = RoadmapStep.objects.filter(
        team__in=results.values("team_id"), status=RoadmapStepStatus.OPEN
    ).exclude(capability_key__in=optional_capability_keys())
    if filters.dimension:
        steps = steps.filter(capability_key__in=dimension_capability_keys(filters.dimension))
    if filters.capability:
        steps = steps.filter(capability_key=filters.capability)
    gaps = list(
        steps.order_by().values_list(
            "team_id",
            "capability_key",
            # The day in the current time zone, by the database.
            TruncDate("first_seen", tzinfo=timezone.get_current_timezone()),
        )
    )
    return OrganizationDebtRows(gaps, teams)
