"""The debt statement: one read for the result page, the API and the organisation dashboard.

A team's bill comes from replaying its results (`maturity.debt_statement`): the result page
bills it today, the API as it stood when an assessment was submitted. The organisation
dashboard cannot replay every team's history on each request, so it reads when each open gap
was first seen from the teams' stored roadmap steps; each item is still priced by the same
`maturity.debt_item`, so a team's line on the dashboard is its own statement. Dates are local
dates, as the bill's "today" is.
"""

import functools
from datetime import date, datetime
from typing import NamedTuple

from django.utils import timezone

from .. import maturity
from ..access import UserOrAnonymous
from ..dashboards.filters import DashboardFilters
from ..maturity.debt import MONTHLY_INTEREST_RATE
from ..maturity.versions import load_catalogue_version
from ..models import Result, Team
from .dashboards import DEFAULT_CRITICALITY, organization_debt
from .results import result_history_for_team, result_history_until


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _submission_date(result: Result) -> date:
    """The local date the result's assessment was submitted."""
    submitted_at = result.assessment.submitted_at
    assert submitted_at is not None  # the database holds every submission to have a date
    return _local_date(submitted_at)


def _statement_from_history(
    history: list[Result], *, latest: Result, today: date
) -> list[maturity.DebtItem]:
    """The open gaps of `latest` priced on `today`, each first seen at the start of its current
    run of being open in `history` (oldest first). Criticality, target and catalogue come from
    `latest`: the bill is what the team owed as of that result."""
    target = latest.snapshot["target"]
    return maturity.debt_statement(
        [
            (
                _submission_date(r),
                maturity.MaturityResult.from_dict(r.snapshot["result"]),
            )
            for r in history
        ],
        criticality=target.get("criticality") or DEFAULT_CRITICALITY,
        catalogue=load_catalogue_version(latest.catalogue_version),
        today=today,
        target_level=target["level"],
    )


def debt_statement_for_team(*, team: Team, today: date | None = None) -> list[maturity.DebtItem]:
    """The team's open gaps with the date first seen, days outstanding and interest, today."""
    history = result_history_for_team(team=team)
    if not history:
        return []
    return _statement_from_history(history, latest=history[-1], today=today or timezone.localdate())


def debt_statement_as_of_submission(*, result: Result) -> tuple[date, list[maturity.DebtItem]]:
    """The team's debt statement as it stood when this result's assessment was submitted, and
    that date."""
    as_of = _submission_date(result)
    history = result_history_until(result=result)
    return as_of, _statement_from_history(history, latest=result, today=as_of)


# A tuple, not a dataclass: one per open gap of the organisation, tens of thousands of them.
class TeamDebtItem(NamedTuple):
    team_name: str
    team_slug: str
    item: maturity.DebtItem


def organization_debt_statement(
    *, user: UserOrAnonymous, filters: DashboardFilters, catalogue: maturity.Catalogue, today: date
) -> list[TeamDebtItem]:
    """Every open gap of the teams the dashboard filters match, priced on `today` with each
    team's criticality; gaps of capabilities the catalogue no longer has are left out."""

    # Teams share gaps opened on the same day: each distinct bill is priced once.
    @functools.cache
    def priced(capability: str, first_seen: date, criticality: str) -> maturity.DebtItem:
        if criticality not in MONTHLY_INTEREST_RATE:
            criticality = DEFAULT_CRITICALITY
        return maturity.debt_item(
            catalogue, capability, first_seen=first_seen, today=today, criticality=criticality
        )

    return [
        TeamDebtItem(
            row.team_name, row.team_slug, priced(row.capability, row.first_seen, row.criticality)
        )
        for row in organization_debt(user=user, filters=filters)
        if catalogue.has_capability(row.capability)
    ]
