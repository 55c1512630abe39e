"""Keep `OrganizationMonth` (each organisation's results per month: count and index sum) in
step with the results, so that organisation-wide trends never read the whole history.

Every write recounts the months it touched from the results themselves, rather than adding
and subtracting: a recount cannot drift, whatever wrote or deleted results before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import Organization, OrganizationMonth, Result, Team

# The first key of the PostgreSQL advisory lock taken per organisation (the second is its id);
# any constant that no other lock of the project uses.
RECOUNT_LOCK_NAMESPACE = 0x4D4F4E


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the moment's month, in the site's time zone (as the pages group)."""
    return timezone.localtime(moment).date().replace(day=1)


def organization_months_recount(
    *, organization_id: int, months: Iterable[dt.date] | None = None
) -> None:
    """Recount the given months of an organisation (all of them when None) from its results.

    Called inside the transaction that wrote a result. Recounts of one organisation take
    turns (an advisory lock held until the transaction ends), so each one, reading after the
    previous one committed, counts that one's result too.
    """
    with transaction.atomic():
        _lock(organization_id)
        results = Result.objects.filter(
            team__organization_id=organization_id, submitted_at__isnull=False
        )
        stale = OrganizationMonth.objects.filter(organization_id=organization_id)
        if months is not None:
            chosen = sorted(set(months))
            if not chosen:
                return
            results = results.filter(_in_months(chosen))
            stale = stale.filter(month__in=chosen)
        counted = (
            results.annotate(month=TruncMonth("submitted_at", output_field=DateField()))
            .values("month")
            .annotate(assessments=Count("pk"), index_sum=Sum("index"))
            .order_by()
        )
        rows = [
            OrganizationMonth(
                organization_id=organization_id,
                month=row["month"],
                assessments=row["assessments"],
                index_sum=row["index_sum"],
            )
            for row in counted
        ]
        stale.delete()
        OrganizationMonth.objects.bulk_create(rows)


def organization_months_rebuild(*, organization_ids: Iterable[int] | None = None) -> None:
    """Recount every month of the given organisations (every organisation when None): after
    results were written in bulk, or deleted by a cascade."""
    organizations = Organization.objects.order_by("pk")
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=list(organization_ids))
    for organization_id in organizations.values_list("pk", flat=True):
        organization_months_recount(organization_id=organization_id)


def recount_after_result_deleted(sender: type[Result], instance: Result, **kwargs: object) -> None:
    """A result deleted by any path (an assessment or a team removed in the admin, a cascade):
    once the deletion commits, its team points at its latest remaining result and its
    organisation's months are recounted. One recount per organisation and transaction,
    however many results a cascade deletes."""
    if instance.team_id is None:
        return
    pending = _pending_deletions()
    if instance.team_id in pending.teams:
        return
    pending.teams.add(instance.team_id)
    # The team still exists here (a cascade deletes results before their team).
    organization_id = (
        Team.objects.filter(pk=instance.team_id).values_list("organization_id", flat=True).first()
    )
    if organization_id is not None:
        pending.organizations.add(organization_id)


class _PendingDeletions:
    def __init__(self) -> None:
        self.teams: set[int] = set()
        self.organizations: set[int] = set()

    def __call__(self) -> None:
        # Imported here: the results service imports this module to recount as it writes.
        from .results import teams_latest_result_refresh

        # Teams deleted with their results are gone; the others point at what remains.
        teams_latest_result_refresh(team_ids=self.teams)
        organization_months_rebuild(organization_ids=self.organizations)


def _pending_deletions() -> _PendingDeletions:
    """This transaction's deletions, registered to be counted once it commits."""
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _PendingDeletions):
            return entry[1]
    pending = _PendingDeletions()
    # Robust: the deletion has committed whatever happens here; a failure is logged, and the
    # next write of the organisation's months or `organization_months_rebuild` mends it.
    transaction.on_commit(pending, robust=True)
    return pending


def _in_months(months: list[dt.date]) -> Q:
    condition = Q()
    for month in months:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        condition |= Q(submitted_at__gte=_start_of(month), submitted_at__lt=_start_of(following))
    return condition


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _lock(organization_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                # The two-key form takes 32-bit keys: ids beyond share a lock, which only
                # makes those recounts wait for each other.
                [RECOUNT_LOCK_NAMESPACE, organization_id % 2**31],
            )
