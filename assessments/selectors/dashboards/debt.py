"""The organisation's debt: every open gap of the matching teams."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models.functions import TruncDate
from django.utils import timezone

from ...dashboards.filters import DashboardFilters
from ...models import RoadmapStep, RoadmapStepStatus
from .latest import dimension_capability_keys, latest_results, optional_capability_keys

DEFAULT_CRITICALITY = "non_critical"

# --- Organisation debt --------------------------------------------------------------------


# A tuple, not a dataclass: an organisation of thousands of teams owes tens of thousands.
class DebtRow(NamedTuple):
    team_name: str
    team_slug: str
    capability: str
    first_seen: dt.date  # in the current time zone
    criticality: str


def organization_debt(*, user, filters: DashboardFilters) -> list[DebtRow]:
    """Every open, non-optional roadmap step of the matching teams: the organisation's debt.

    Two queries: the teams' criticality from their latest result, and the open steps. The
    steps are the teams' roadmaps now, so the period does not apply; the level filter reads
    each team's latest result.
    """
    results = latest_results(user=user, filters=filters, period=False)
    criticality = dict(results.values_list("team_id", "criticality"))
    steps = RoadmapStep.objects.filter(
        team__in=results.values("team_id"), status=RoadmapStepStatus.OPEN
    ).exclude(capability_key__in=optional_capability_keys())
    if filters.dimension:
        steps = steps.filter(capability_key__in=dimension_capability_keys(filters.dimension))
    if filters.capability:
        steps = steps.filter(capability_key=filters.capability)
    rows = steps.order_by("first_seen", "team__name", "capability_key").values_list(
        "team_id",
        "team__name",
        "team__slug",
        "capability_key",
        # The day in the current time zone, by the database: tens of thousands of rows.
        TruncDate("first_seen", tzinfo=timezone.get_current_timezone()),
    )
    return [
        DebtRow(name, slug, key, first_seen, criticality.get(team_id) or DEFAULT_CRITICALITY)
        for team_id, name, slug, key, first_seen in rows
    ]
