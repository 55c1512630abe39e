"""Every read used by views and the API, split by subject; owns filtering by tenancy and
prefetching. Callers import from here (`from assessments import selectors`), not from the
modules, so a read can move between modules without touching them. The organisation
dashboards' reads are `selectors.dashboards`."""

from .assessments import answers_for_assessment, assessment_get_for_user, assessment_list_for_team
from .evidence import (
    evidence_for_team,
    evidence_hints_for_team,
    evidence_sources_for_team,
    recent_scan_coverage,
)
from .repositories import (
    repository_get_for_user,
    repository_list_for_team,
    scan_list_for_repository,
)
from .results import (
    debt_statement_for_team,
    dimension_index_history_for_team,
    organization_median_dimension_index,
    previous_result,
    result_history_for_team,
)
from .teams import (
    ASSESSMENT_DUE_AFTER,
    TeamOverview,
    organization_admin_of,
    team_get_for_user,
    team_manager_names,
    team_overview_for_user,
)

__all__ = [
    "ASSESSMENT_DUE_AFTER",
    "TeamOverview",
    "answers_for_assessment",
    "assessment_get_for_user",
    "assessment_list_for_team",
    "debt_statement_for_team",
    "dimension_index_history_for_team",
    "evidence_for_team",
    "evidence_hints_for_team",
    "evidence_sources_for_team",
    "organization_admin_of",
    "organization_median_dimension_index",
    "previous_result",
    "recent_scan_coverage",
    "repository_get_for_user",
    "repository_list_for_team",
    "result_history_for_team",
    "scan_list_for_repository",
    "team_get_for_user",
    "team_manager_names",
    "team_overview_for_user",
]
