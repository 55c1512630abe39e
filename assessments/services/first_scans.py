"""Imported repositories' first scans, released by fair share: while any organisation has
imported repositories waiting, the scans queued or running are kept to SCAN_WORKER_SLOTS (the
scan capacity of the workers), and each free slot goes to the waiting organisation with the
fewest scans in flight. Two organisations importing at once get half the slots each, a third
joining gets its third as slots free up, and an organisation importing alone gets all of them:
no worker idles while a repository waits (work-conserving max-min fairness).

Other scans (a repository connected by hand, a webhook, the schedule) are queued at once; they
wait behind at most SCAN_WORKER_SLOTS scans in the broker, never behind all 500 of an import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet

from ..models import Repository, Scan
from .scans import ACTIVE, scan_enqueue

# Any constant: the key of the PostgreSQL advisory lock that serialises releases.
RELEASE_LOCK_KEY = 0x6D6C_6D31

# A release policy: given the slots, the scans in flight and the repositories waiting per
# organisation, the organisations to release one first scan for, in the order to queue them.
ReleasePolicy = Callable[[int, Mapping[int, int], Mapping[int, int]], list[int]]


def fair_share_order(
    slots: int, in_flight: Mapping[int, int], waiting: Mapping[int, int]
) -> list[int]:
    """Fill the free slots one at a time, each to the waiting organisation with the fewest
    scans in flight (the lowest id on a tie). An organisation over its share (it had the
    workers to itself before others joined) gets nothing until the others have caught up, and
    nothing is taken back: its scans end within minutes."""
    free = slots - sum(in_flight.values())
    counts = {org: in_flight.get(org, 0) for org, count in waiting.items() if count > 0}
    left = {org: waiting[org] for org in counts}
    order: list[int] = []
    while free > 0 and counts:
        org = min(counts, key=lambda candidate: (counts[candidate], candidate))
        order.append(org)
        counts[org] += 1
        left[org] -= 1
        if not left[org]:
            del counts[org]
        free -= 1
    return order


# The policy in force; benchmarks/first_scan_fairness.py swaps it to compare others.
release_policy: ReleasePolicy = fair_share_order


@dataclass
class _Feeding:
    again: bool = False


_feeding: ContextVar[_Feeding | None] = ContextVar("first_scans_feeding", default=None)


def _serialise_releases() -> None:
    """One release at a time across every process, so two scans ending at once cannot both
    fill the same free slot. SQLite needs nothing: its transactions begin IMMEDIATE (settings),
    which already makes every writer wait for the one before."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELEASE_LOCK_KEY])


def _per_organization(queryset: QuerySet[Any], organization_path: str) -> dict[int, int]:
    rows = queryset.order_by().values(organization_path).annotate(count=Count("pk"))
    return {row[organization_path]: row["count"] for row in rows}


def _release_once() -> int:
    with transaction.atomic():
        _serialise_releases()
        waiting = _per_organization(
            Repository.objects.filter(first_scan_pending=True), "team__organization_id"
        )
        if not waiting:
            return 0
        in_flight = _per_organization(
            Scan.objects.filter(status__in=ACTIVE), "repository__team__organization_id"
        )
        order = release_policy(settings.SCAN_WORKER_SLOTS, in_flight, waiting)
        candidates = {
            org: iter(
                Repository.objects.filter(
                    team__organization_id=org, first_scan_pending=True
                ).order_by("pk")[: order.count(org)]
            )
            for org in set(order)
        }
        released = 0
        for org in order:
            repository = next(candidates[org], None)
            if repository is None:
                continue
            # A conditional claim: a repository is queued once even if the lock were bypassed.
            claimed = Repository.objects.filter(pk=repository.pk, first_scan_pending=True).update(
                first_scan_pending=False
            )
            if claimed:
                scan_enqueue(repository=repository, trigger="import")
                released += 1
    return released


def first_scans_release() -> int:
    """Queue imported repositories' first scans up to the free scan slots, shared fairly
    between the organisations waiting; called when an import ends, when a scan ends (its slot
    may go to another organisation), and every minute by beat. Returns how many were queued.

    Without a broker a queued scan runs in-process as its transaction commits and calls this
    again when it ends: that nested call only asks the outer one to go round once more."""
    if not Repository.objects.filter(first_scan_pending=True).exists():
        return 0
    running = _feeding.get()
    if running is not None:
        running.again = True
        return 0
    state = _Feeding()
    token = _feeding.set(state)
    released = 0
    try:
        while True:
            state.again = False
            released += _release_once()
            if not state.again:
                break
    finally:
        _feeding.reset(token)
    return released
