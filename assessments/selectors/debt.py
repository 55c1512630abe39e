"""The debt statement: one read for the result page, the API and the organisation dashboard.

A team's bill comes from replaying its results (`maturity.debt_statement`): the result page
bills it today, the API as it stood when an assessment was submitted. The organisation
dashboard cannot replay every team's history on each request, so it reads when each open gap
was first seen from the teams' stored roadmap steps; each item is still priced by the same
`maturity.debt_item`, so a team's line on the dashboard is its own statement. Dates are local
dates, as the bill's "today" is.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

from django.utils import timezone

from .. import maturity
from ..access import UserOrAnonymous
from ..dashboards.filters import DashboardFilters
from ..maturity.debt import MONTHLY_INTEREST_RATE
from ..maturity.versions import load_catalogue_version
from ..models import Result, Team
from .dashboards.debt import (
    DEFAULT_CRITICALITY,
    Bill,
    DebtTeam,
    OpenGaps,
    PricedBill,
    debt_bills,
    debt_by_team,
    gaps_of_bills,
    organization_open_gaps,
)
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


AGE_BUCKETS = ((30, "0-30 days"), (90, "31-90 days"), (180, "91-180 days"), (365, "181-365 days"))
OLDEST_BUCKET = "over a year"


class OwedGap(NamedTuple):
    """One open gap of a team, priced."""

    team_id: int
    item: maturity.DebtItem


@dataclass
class Sums:
    gaps: int = 0
    principal: float = 0.0
    interest: float = 0.0
    oldest_days: int = 0

    def add(self, item: maturity.DebtItem, count: int = 1) -> None:
        self.gaps += count
        self.principal += item.principal * count
        self.interest += item.interest * count
        self.oldest_days = max(self.oldest_days, item.days_outstanding)


@dataclass
class OrganizationDebt:
    """The organisation's debt summed by team, by capability, by age and in total.

    Tens of thousands of gaps share a few hundred bills (capability, day first seen,
    criticality): each bill is priced once here, and the database counts the gaps per bill,
    sums the prices per team and sorts out only the gaps a page shows (see
    selectors/dashboards/debt.py).
    """

    teams: dict[int, DebtTeam]
    total: Sums = field(default_factory=Sums)
    by_team: dict[int, Sums] = field(default_factory=dict)
    by_capability: dict[str, Sums] = field(default_factory=dict)
    by_age: dict[str, Sums] = field(
        default_factory=lambda: {label: Sums() for label in (*_bucket_labels(), OLDEST_BUCKET)}
    )
    gaps: OpenGaps | None = None
    priced: dict[Bill, maturity.DebtItem] = field(default_factory=dict)
    counts: dict[Bill, int] = field(default_factory=dict)  # gaps per bill

    def largest(self, *, start: int = 0, count: int | None = None) -> list[OwedGap]:
        """Gaps by interest (then days outstanding, team name, capability and team), largest
        first: `count` of them from `start`, or all of them.

        Bills that tie on interest and days outstanding make one run of the order, sorted
        within by team name, capability and team: the runs covering the page are found from
        the bills' counts, and only their gaps are read."""
        if self.gaps is None:
            return []
        stop = None if count is None else start + count
        runs = groupby(
            sorted(self.priced.items(), key=lambda kv: (-kv[1].interest, -kv[1].days_outstanding)),
            key=lambda kv: (kv[1].interest, kv[1].days_outstanding),
        )
        shown: list[Bill] = []
        position = 0  # gaps in the runs before this one
        first = None  # position of the first run shown
        for _, run in runs:
            bills = [bill for bill, _ in run]
            size = sum(self.counts[bill] for bill in bills)
            if position + size > start:
                first = position if first is None else first
                shown.extend(bills)
            position += size
            if stop is not None and position >= stop:
                break
        if first is None:
            return []
        gaps = sorted(
            gaps_of_bills(self.gaps, shown),
            key=lambda gap: (
                -self.priced[gap[1]].interest,
                -self.priced[gap[1]].days_outstanding,
                gap[2],
                gap[1].capability,
                gap[0],
            ),
        )
        page = gaps[start - first : None if stop is None else stop - first]
        return [OwedGap(team_id, self.priced[bill]) for team_id, bill, _ in page]

    def prices(self) -> list[PricedBill]:
        """Every bill with its price, as the database sums them."""
        return [
            PricedBill(bill, item.principal, item.interest, item.days_outstanding)
            for bill, item in self.priced.items()
        ]


def _bucket_labels() -> tuple[str, ...]:
    return tuple(label for _, label in AGE_BUCKETS)


def _bucket(days: int) -> str:
    # A plain loop: called once per bill, hundreds of times a page.
    for limit, label in AGE_BUCKETS:
        if days <= limit:
            return label
    return OLDEST_BUCKET


def organization_debt_summary(
    *, user: UserOrAnonymous, filters: DashboardFilters, catalogue: maturity.Catalogue, today: date
) -> OrganizationDebt:
    """Every open gap of the teams the dashboard filters match, priced on `today` with each
    team's criticality and summed; gaps of capabilities the catalogue no longer has are left
    out. Three queries: the teams, the bills, the sums per team; a page of the largest gaps
    reads one more."""
    gaps = organization_open_gaps(user=user, filters=filters)
    debt = OrganizationDebt(teams=gaps.teams, gaps=gaps)
    for bill, count in debt_bills(gaps):
        if not catalogue.has_capability(bill.capability):
            continue
        debt.counts[bill] = count
        item = debt.priced[bill] = maturity.debt_item(
            catalogue,
            bill.capability,
            first_seen=bill.first_seen,
            today=today,
            criticality=bill.criticality
            if bill.criticality in MONTHLY_INTEREST_RATE
            else DEFAULT_CRITICALITY,
        )
        debt.total.add(item, count)
        debt.by_capability.setdefault(item.capability, Sums()).add(item, count)
        debt.by_age[_bucket(item.days_outstanding)].add(item, count)
    if debt.priced:
        debt.by_team = {
            team_id: Sums(*sums) for team_id, sums in debt_by_team(gaps, debt.prices()).items()
        }
    return debt
