"""Every read used by views and the API, split by subject; owns filtering by tenancy and
prefetching. Callers import from here (`from assessments import selectors`), not from the
modules, so a read can move between modules without touching them. Two subjects keep their
own namespace: the organisation dashboards (`selectors.dashboards`) and the results export
(`selectors.export`)."""

from .assessments import (
    answer_for_question,
    answer_list_for_assessment,
    answers_for_assessment,
    assessment_get_for_user,
    assessment_list_for_team,
    assessment_list_with_answer_count,
    team_has_open_draft,
)
from .audit import audit_event_list, audit_events_for_user, audit_teams_for_user
from .debt import (
    TeamDebtItem,
    debt_statement_as_of_submission,
    debt_statement_for_team,
    organization_debt_statement,
)
from .evidence import (
    evidence_for_team,
    evidence_hints_for_team,
    evidence_sources_for_team,
    recent_scan_coverage,
)
from .exemptions import (
    ExemptionOverview,
    ReadingWithExemptions,
    exemption_counts_for_team,
    exemption_get_for_user,
    exemption_list,
    exemption_list_for_user,
    exemption_overview_for_user,
    exemption_requests_to_decide,
    exemptions_active_count_by_team,
    exemptions_active_for_team,
    exemptions_waiting_for_team,
    result_with_exemptions,
)
from .repositories import (
    RepositoryWithLastScan,
    repository_get_for_user,
    repository_get_unscoped,
    repository_list_for_team,
    repository_list_with_latest_scan,
    scan_list,
    scan_list_for_repository,
)
from .results import (
    dimension_index_history_for_team,
    organization_median_dimension_index,
    previous_result,
    result_for_assessment,
    result_history_for_team,
    result_history_until,
    results_with_assessments,
)
from .sso import (
    group_mapping_rule_list,
    group_mapping_rules_for_user,
    organizations_administered_by,
    teams_administered_by,
)
from .teams import (
    ASSESSMENT_DUE_AFTER,
    TeamOverview,
    membership_list_for_team,
    organization_admin_of,
    team_get_for_user,
    team_list_with_member_count,
    team_manager_names,
    team_overview_for_user,
)
from .tokens import api_token_get_for_user, api_token_list_for_user

__all__ = [
    "group_mapping_rule_list",
    "group_mapping_rules_for_user",
    "organizations_administered_by",
    "teams_administered_by",
    "ASSESSMENT_DUE_AFTER",
    "ExemptionOverview",
    "ReadingWithExemptions",
    "RepositoryWithLastScan",
    "TeamDebtItem",
    "TeamOverview",
    "answer_for_question",
    "answer_list_for_assessment",
    "answers_for_assessment",
    "api_token_get_for_user",
    "api_token_list_for_user",
    "audit_event_list",
    "audit_events_for_user",
    "audit_teams_for_user",
    "assessment_get_for_user",
    "assessment_list_for_team",
    "assessment_list_with_answer_count",
    "debt_statement_as_of_submission",
    "debt_statement_for_team",
    "dimension_index_history_for_team",
    "evidence_for_team",
    "evidence_hints_for_team",
    "evidence_sources_for_team",
    "exemption_counts_for_team",
    "exemption_get_for_user",
    "exemption_list",
    "exemption_list_for_user",
    "exemption_overview_for_user",
    "exemption_requests_to_decide",
    "exemptions_active_count_by_team",
    "exemptions_active_for_team",
    "exemptions_waiting_for_team",
    "membership_list_for_team",
    "organization_admin_of",
    "organization_debt_statement",
    "organization_median_dimension_index",
    "previous_result",
    "recent_scan_coverage",
    "repository_get_for_user",
    "repository_get_unscoped",
    "repository_list_for_team",
    "repository_list_with_latest_scan",
    "result_for_assessment",
    "result_history_for_team",
    "result_history_until",
    "result_with_exemptions",
    "results_with_assessments",
    "scan_list",
    "scan_list_for_repository",
    "team_get_for_user",
    "team_has_open_draft",
    "team_list_with_member_count",
    "team_manager_names",
    "team_overview_for_user",
]
