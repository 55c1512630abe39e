"""Debt statement: a team's open gaps as a credit-card bill.

"Machine learning is the high-interest credit card of technical debt" (Sculley et al.). Each
gap still open in the latest assessment is a debt item:

* ``first_seen``: the date of the first assessment in the gap's *current* unbroken run of
  being open. A gap closed and later reopened is new debt; its old history is paid off.
* ``principal``: the effort to close the gap, in effort-days (the catalogue's effort size).
* ``interest``: ``principal * ((1 + r) ** months - 1)``, compounded monthly over the days
  outstanding (``months = days / 30.44``, fractional, so the bill grows a little every day),
  with a monthly rate ``r`` set by business criticality: 1% for a proof of concept, 2% for a
  non-critical model, 5% for a critical one. Old gaps on critical models cost the most, as
  workarounds pile up around them; a proof of concept barely accrues anything.

Items are sorted by interest, largest first, then by age and key for a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from .catalogue import Catalogue, load_catalogue
from .results import MaturityResult

MONTHLY_INTEREST_RATE = {"proof_of_concept": 0.01, "non_critical": 0.02, "critical": 0.05}
DAYS_PER_MONTH = 365.2425 / 12


@dataclass(frozen=True)
class DebtItem:
    capability: str
    title: str
    debt_kind: str
    debt_title: str
    level: int
    first_seen: date
    days_outstanding: int
    principal: float  # effort-days to close the gap
    interest: float  # effort-days accrued on top, from age and criticality

    @property
    def balance(self) -> float:
        return round(self.principal + self.interest, 2)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["first_seen"] = self.first_seen.isoformat()
        data["balance"] = self.balance
        return data


@dataclass(frozen=True)
class DebtTotal:
    items: int
    principal: float
    interest: float
    balance: float

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def accrued_interest(principal: float, days: int, criticality: str) -> float:
    """Interest on ``principal`` effort-days after ``days``, compounded monthly."""
    rate = _rate(criticality)
    months = max(days, 0) / DAYS_PER_MONTH
    # A positive base to a real power is a float; typeshed types float ** float loosely.
    growth: float = (1 + rate) ** months
    return round(principal * (growth - 1), 2)


def debt_statement(
    history: Sequence[tuple[date, Iterable[str] | MaturityResult]],
    *,
    criticality: str,
    today: date,
    catalogue: Catalogue | None = None,
    target_level: int | None = None,
) -> list[DebtItem]:
    """The open debt of a team from its chronologically ordered assessments.

    Each history entry is ``(date, gaps)`` where gaps is a set of unmet capability keys or a
    MaturityResult (whose non-optional unmet capabilities are the gaps). ``target_level``
    limits the bill to capabilities required at or below it: what a team does not need is not
    debt. ``catalogue`` defaults to the bundled one.
    """
    _rate(criticality)
    catalogue = catalogue or load_catalogue()
    entries = [(_as_date(when), _gaps(catalogue, gaps)) for when, gaps in history]
    if not entries:
        return []
    for (earlier, _), (later, _) in pairwise(entries):
        if later < earlier:
            raise ValueError(f"history is not in date order: {later} comes after {earlier}")
    today = _as_date(today)
    if today < entries[-1][0]:
        raise ValueError(f"today ({today}) is before the latest assessment ({entries[-1][0]})")

    items = [
        debt_item(
            catalogue,
            key,
            first_seen=_start_of_open_run(entries, key),
            today=today,
            criticality=criticality,
        )
        for key in entries[-1][1]
        if target_level is None or catalogue.capability(key).level <= target_level
    ]
    items.sort(key=lambda item: (-item.interest, -item.days_outstanding, item.capability))
    return items


def debt_item(
    catalogue: Catalogue, capability_key: str, *, first_seen: date, today: date, criticality: str
) -> DebtItem:
    """The bill of one gap open since ``first_seen``: whoever knows when a gap opened (a
    replayed history, or a stored roadmap step) prices it the same way."""
    capability = catalogue.capability(capability_key)
    days = max((today - first_seen).days, 0)
    debt = catalogue.debt_kind(capability.debt)
    return DebtItem(
        capability=capability_key,
        title=capability.title,
        debt_kind=debt.key,
        debt_title=debt.title,
        level=capability.level,
        first_seen=first_seen,
        days_outstanding=days,
        principal=capability.effort_days,
        interest=accrued_interest(capability.effort_days, days, criticality),
    )


def debt_total(items: Iterable[DebtItem]) -> DebtTotal:
    items = list(items)
    principal = round(sum(i.principal for i in items), 2)
    interest = round(sum(i.interest for i in items), 2)
    return DebtTotal(len(items), principal, interest, round(principal + interest, 2))


def _start_of_open_run(entries: list[tuple[date, frozenset[str]]], key: str) -> date:
    first_seen = entries[-1][0]
    for when, gaps in reversed(entries):
        if key not in gaps:
            break
        first_seen = when
    return first_seen


def _gaps(catalogue: Catalogue, gaps: Iterable[str] | MaturityResult) -> frozenset[str]:
    if isinstance(gaps, MaturityResult):
        return gaps.gaps
    keys = frozenset(gaps)
    for key in sorted(keys):
        if not catalogue.has_capability(key):
            raise ValueError(f"history names unknown capability {key!r}")
    return keys


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _rate(criticality: str) -> float:
    try:
        return MONTHLY_INTEREST_RATE[criticality]
    except KeyError:
        raise ValueError(
            f"criticality {criticality!r} must be one of {', '.join(MONTHLY_INTEREST_RATE)}"
        ) from None
