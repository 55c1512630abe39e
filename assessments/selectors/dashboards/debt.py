"""The organisation's debt: every open gap of the matching teams, as compact rows."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models.functions import TruncDate
from django.utils import timezone

from ...access import UserOrAnonymous
from ...dashboards.filters import DashboardFilters
from ...models import RoadmapStep, RoadmapStepStatus, Team
from .latest import dimension_capability_keys, latest_for_user, optional_capability_keys

DEFAULT_CRITICALITY = "non_critical"


class DebtTeam(NamedTuple):
    name: str
    slug: str
    criticality: str


class OrganizationDebtRows(NamedTuple):
    """Open gaps as (team id, capability key, first seen) tuples, and the teams they name.

    An organisation of thousands of teams owes tens of thousands of gaps: rows are plain
    tuples of three small values, read without joins, and each team's name, slug and
    criticality are read once. `gaps` are ordered by team id: each team's are one run.
    """

    gaps: list[tuple[int, str, dt.date]]  # first seen: the day in the current time zone
    teams: dict[int, DebtTeam]


def organization_debt(*, user: UserOrAnonymous, filters: DashboardFilters) -> OrganizationDebtRows:
    """Every open, non-optional roadmap step of the matching teams: the organisation's debt.

    Two queries: the teams with their criticality (their latest result's, kept on the team),
    and the open steps. The steps are the teams' roadmaps now, so the period does not apply;
    the level filter reads each team's latest result.
    """
    # The teams with a latest result, as a subquery of the team table when no level narrows
    # them: it spares reading the results only to find their teams.
    team_ids = latest_for_user(user=user, filters=filters, period=False).team_ids
    teams = {
        team_id: DebtTeam(name, slug, criticality or DEFAULT_CRITICALITY)
        for team_id, name, slug, criticality in Team.objects.filter(pk__in=team_ids)
        .order_by()
        .values_list("pk", "name", "slug", "criticality")
    }
    steps = RoadmapStep.objects.filter(team__in=team_ids, status=RoadmapStepStatus.OPEN).exclude(
        capability_key__in=optional_capability_keys()
    )
    if filters.dimension:
        steps = steps.filter(capability_key__in=dimension_capability_keys(filters.dimension))
    if filters.capability:
        steps = steps.filter(capability_key=filters.capability)
    gaps = list(
        # By team, so that a team's gaps are one run of rows (summed as a slice).
        steps.order_by("team_id").values_list(
            "team_id",
            "capability_key",
            # The day in the current time zone, by the database.
            TruncDate("first_seen", tzinfo=timezone.get_current_timezone()),
        )
    )
    return OrganizationDebtRows(gaps, teams)
