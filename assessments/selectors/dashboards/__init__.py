"""Reads for the organisation dashboards, each a fixed number of queries whatever the team count.

The names are re-exported here so that pages read `dashboard_selectors.ranking(...)` without
knowing which module holds what.
"""

from .compare import ComparedTeam, compared_teams, filter_choices_for_user, team_choices_for_user
from .debt import DEFAULT_CRITICALITY, DebtTeam, OpenGaps, organization_open_gaps
from .freshness import dashboard_state
from .latest import (
    Latest,
    LatestResults,
    dashboard_teams,
    dimension_capability_keys,
    latest_for_user,
    latest_results,
    optional_capability_keys,
)
from .overview import (
    PAGE_SIZE,
    QUARTER,
    SORT_ORDERS,
    Gap,
    GradeCell,
    RankingRow,
    Standing,
    capability_grades,
    ranking,
    standing,
)
from .trends import HistoryPoint, MonthAverage, index_average_by_month, index_history

__all__ = [
    "DEFAULT_CRITICALITY",
    "PAGE_SIZE",
    "QUARTER",
    "SORT_ORDERS",
    "ComparedTeam",
    "DebtTeam",
    "OpenGaps",
    "Gap",
    "GradeCell",
    "HistoryPoint",
    "Latest",
    "LatestResults",
    "MonthAverage",
    "RankingRow",
    "Standing",
    "capability_grades",
    "compared_teams",
    "dashboard_state",
    "dashboard_teams",
    "dimension_capability_keys",
    "filter_choices_for_user",
    "index_average_by_month",
    "index_history",
    "latest_for_user",
    "latest_results",
    "optional_capability_keys",
    "organization_open_gaps",
    "ranking",
    "standing",
    "team_choices_for_user",
]
