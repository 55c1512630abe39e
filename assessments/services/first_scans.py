"""Imported repositories' first scans, released fairly: while an organisation has imported
repositories waiting, it has at most SCANS_PER_ORGANISATION_IN_FLIGHT scans queued or running,
and each of its scans that ends releases the next one. Other organisations' scans are queued at
once, so they wait behind a few of an import's scans, never behind all 500."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from ..models import Organization, Repository, Scan
from .scans import ACTIVE, scan_enqueue


@dataclass
class _Feeding:
    again: bool = False


_feeding: ContextVar[_Feeding | None] = ContextVar("first_scans_feeding", default=None)


def _release_once(organization_id: int) -> int:
    cap = settings.SCANS_PER_ORGANISATION_IN_FLIGHT
    with transaction.atomic():
        # One feeder per organisation at a time, so two finishing scans release one each.
        Organization.objects.select_for_update().filter(pk=organization_id).first()
        in_flight = Scan.objects.filter(
            repository__team__organization_id=organization_id, status__in=ACTIVE
        ).count()
        free = cap - in_flight
        if free <= 0:
            return 0
        waiting = list(
            Repository.objects.filter(
                team__organization_id=organization_id, first_scan_pending=True
            ).order_by("pk")[:free]
        )
        for repository in waiting:
            Repository.objects.filter(pk=repository.pk).update(first_scan_pending=False)
            scan_enqueue(repository=repository, trigger="import")
    return len(waiting)


def first_scans_release(*, organization_id: int | None = None) -> int:
    """Queue the first scans of imported repositories, keeping each organisation at most
    SCANS_PER_ORGANISATION_IN_FLIGHT scans queued or running; called when an import ends,
    when a scan ends, and every minute by beat. Returns how many were queued.

    Without a broker a queued scan runs in-process as its transaction commits and calls this
    again when it ends: that nested call only asks the outer one to go round once more."""
    if organization_id is None:
        # order_by(): with the model's ordering (url) in the SELECT, DISTINCT would keep one
        # row per waiting repository, and every beat would lock the organisation once for each.
        organization_ids = list(
            Repository.objects.filter(first_scan_pending=True)
            .order_by()
            .values_list("team__organization_id", flat=True)
            .distinct()
        )
    elif Repository.objects.filter(
        team__organization_id=organization_id, first_scan_pending=True
    ).exists():
        organization_ids = [organization_id]
    else:
        return 0
    running = _feeding.get()
    if running is not None:
        running.again = True
        return 0
    state = _Feeding()
    token = _feeding.set(state)
    released = 0
    try:
        for org_id in organization_ids:
            while True:
                state.again = False
                released += _release_once(org_id)
                if not state.again:
                    break
    finally:
        _feeding.reset(token)
    return released
