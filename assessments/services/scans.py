"""The scan lifecycle. The Scan row is the source of truth; the broker only carries its id.

queued -> running -> succeeded | unchanged | failed. Every transition is a conditional UPDATE,
so a redelivered message, a reaper and a worker can race without running a scan twice or
storing two results for one (repository, commit, scanner version).
"""

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from .. import scanning
from ..errors import ApplicationError
from ..maturity.custom_checks import CheckSet, check_set_from_dict
from ..models import CheckSetVersion, Repository, Scan, ScanStatus
from .custom_checks import check_outcomes_record
from .encryption import decrypt

logger = logging.getLogger(__name__)

ACTIVE = (ScanStatus.QUEUED, ScanStatus.RUNNING)
# A queued scan nobody picked up in this time lost its message (Redis restarted, say).
QUEUED_GRACE = timedelta(minutes=10)


class ScanRetry(ApplicationError):
    """A transient failure (network, DNS): the scan is queued again for a later attempt."""


def _running_deadline() -> timedelta:
    """How long a scan may stay running before its worker is presumed dead."""
    return timedelta(seconds=settings.SCAN_TIMEOUT_SECONDS + 120)


def _presumed_dead(scan: Scan) -> bool:
    now = timezone.now()
    if scan.status == ScanStatus.RUNNING:
        return scan.started_at is not None and scan.started_at < now - _running_deadline()
    return scan.queued_at < now - QUEUED_GRACE


def _dispatch(scan_id: int) -> None:
    from ..tasks import run_scan

    run_scan.delay(scan_id)


def scan_enqueue(*, repository: Repository, trigger: str) -> Scan:
    """Queue a scan, unless one is already waiting or running for this repository."""
    with transaction.atomic():
        # Serialise enqueues per repository, so two webhooks at once queue one scan.
        Repository.objects.select_for_update().get(pk=repository.pk)
        active = Scan.objects.filter(repository=repository, status__in=ACTIVE).first()
        if active is not None and not _presumed_dead(active):
            return active
        if active is not None:
            # Without a worker and beat (the embedded default) nobody else would notice.
            scan_fail(scan=active, reason="The scan was interrupted before it finished.")
        scan = Scan.objects.create(repository=repository, trigger=trigger)
        transaction.on_commit(lambda: _dispatch(scan.pk))
    return scan


def scan_claim(*, scan_id: int) -> Scan | None:
    """Take the scan for this worker, or None when it is finished or another worker has it.

    A running scan past its deadline is claimable again: its worker died without a word.
    """
    now = timezone.now()
    claimed = (
        Scan.objects.filter(pk=scan_id, attempts__lt=settings.SCAN_MAX_ATTEMPTS)
        .filter(
            Q(status=ScanStatus.QUEUED)
            | Q(status=ScanStatus.RUNNING, started_at__lt=now - _running_deadline())
        )
        .update(status=ScanStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Scan.objects.select_related("repository__team").get(pk=scan_id)


def allowed_networks() -> tuple[scanning.Network, ...]:
    """The private networks SCAN_ALLOWED_NETWORKS opens to scans, parsed (ValueError if wrong)."""
    return _parsed_networks(tuple(settings.SCAN_ALLOWED_NETWORKS))


@functools.lru_cache(maxsize=8)
def _parsed_networks(entries: tuple[str, ...]) -> tuple[scanning.Network, ...]:
    return scanning.parse_allowed_networks(entries)


def repository_scan(
    *,
    repository: Repository,
    also: Callable[[scanning.RepositorySnapshot], None] | None = None,
) -> scanning.ScanReport:
    """Scan a connected repository as the workers do: its branch and project, its token, and
    the deployment's address rules and limits. `also` is given the scanned commit's snapshot
    (a level-up kit is built from it). Raises ScanError, or ApplicationError for a token that
    cannot be read."""
    token = decrypt(repository.access_token_encrypted)
    return scanning.scan_repository(
        repository.url,
        branch=repository.branch or None,
        project=repository.project or None,
        access_token=token or None,
        allow_local_paths=settings.SCAN_ALLOW_LOCAL_PATHS,
        allowed_networks=allowed_networks(),
        ca_bundle=settings.SCAN_CA_BUNDLE or None,
        limits=scanning.ScanLimits(
            timeout_seconds=settings.SCAN_TIMEOUT_SECONDS,
            work_dir=settings.SCAN_WORK_DIR or None,
        ),
        also=also,
    )


def scan_execute(*, scan_id: int) -> Scan | None:
    """Run a claimed scan and record its outcome; raises ScanRetry on transient failures."""
    scan = scan_claim(scan_id=scan_id)
    if scan is None:
        return None
    repository = scan.repository
    checks = _organization_checks(repository)
    outcomes: list[scanning.CheckOutcome] = []
    also = None
    if checks is not None:
        check_set = checks[1]

        def also(snapshot: scanning.RepositorySnapshot) -> None:
            outcomes.extend(scanning.evaluate_check_set(check_set, snapshot))

    try:
        report = repository_scan(repository=repository, also=also)
    except scanning.ScanError as error:
        # The message is a sentence without secrets; the detail (scrubbed) is for operators.
        logger.info("scan %s failed: %s %s", scan.pk, error.message, error.detail)
        if error.transient and scan.attempts < settings.SCAN_MAX_ATTEMPTS:
            _requeue(scan, reason=error.message)
            raise ScanRetry(error.message) from None
        return scan_fail(scan=scan, reason=error.message)
    except ApplicationError as error:
        return scan_fail(scan=scan, reason=error.message)
    scan = _record(scan, report)
    if checks is not None and scan.status in (ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED):
        # Also for an unchanged commit: the organisation's checks may have changed since.
        check_outcomes_record(scan=scan, version=checks[0], outcomes=outcomes)
    return scan


def _organization_checks(
    repository: Repository,
) -> tuple[CheckSetVersion, CheckSet] | None:
    """The current version of the organisation's own checks, if it has any check."""
    # Imported here: the selectors package reaches the forms, which import this module.
    from ..selectors.custom_checks import check_set_current

    version = check_set_current(organization_id=repository.team.organization_id)
    if version is None:
        return None
    check_set = check_set_from_dict(version.document)
    return (version, check_set) if check_set.checks else None


def _requeue(scan: Scan, *, reason: str) -> None:
    # queued_at restarts, so the reaper does not also resend a scan that was just sent.
    Scan.objects.filter(pk=scan.pk, status=ScanStatus.RUNNING).update(
        status=ScanStatus.QUEUED,
        queued_at=timezone.now(),
        failure_reason=f"Attempt {scan.attempts} failed: {reason}",
    )


def scan_fail(*, scan: Scan, reason: str) -> Scan:
    Scan.objects.filter(pk=scan.pk, status__in=ACTIVE).update(
        status=ScanStatus.FAILED, failure_reason=reason, finished_at=timezone.now()
    )
    scan.refresh_from_db()
    return scan


def findings_as_evidence(report: scanning.ScanReport) -> list[dict[str, Any]]:
    """The scanner's findings in the shape the maturity engine reads back as Evidence."""
    return [
        {
            "capability": f.capability,
            "grade": f.grade,
            "strength": f.strength.label,
            "reason": f.reason,
            "path": f.path,
            "line": f.line,
            "detector": f.detector,
        }
        for f in report.findings
    ]


def _record(scan: Scan, report: scanning.ScanReport) -> Scan:
    from .results import team_latest_result_recompute

    fields = {
        "commit": report.commit or "",
        "scanner_version": report.scanner_version,
        "report": report.to_dict(),
        "finished_at": timezone.now(),
        "failure_reason": "",
    }
    earlier = (
        Scan.objects.filter(
            repository_id=scan.repository_id,
            commit=fields["commit"],
            scanner_version=fields["scanner_version"],
            status=ScanStatus.SUCCEEDED,
        )
        .exclude(pk=scan.pk)
        .first()
    )
    try:
        with transaction.atomic():
            if earlier is None:
                fields |= {"status": ScanStatus.SUCCEEDED, "findings": findings_as_evidence(report)}
            else:
                fields |= {"status": ScanStatus.UNCHANGED, "same_as": earlier}
            updated = Scan.objects.filter(pk=scan.pk, status=ScanStatus.RUNNING).update(**fields)
    except IntegrityError:
        # Another worker stored this commit's result a moment ago: that one stands.
        winner = Scan.objects.filter(
            repository_id=scan.repository_id,
            commit=fields["commit"],
            scanner_version=fields["scanner_version"],
            status=ScanStatus.SUCCEEDED,
        ).first()
        fields = {k: v for k, v in fields.items() if k not in {"status", "findings"}}
        Scan.objects.filter(pk=scan.pk, status=ScanStatus.RUNNING).update(
            status=ScanStatus.UNCHANGED, same_as=winner, **fields
        )
        updated = 0
    scan.refresh_from_db()
    if updated and scan.status == ScanStatus.SUCCEEDED:
        team_latest_result_recompute(team=scan.repository.team)
    return scan


# The reaper runs under a 120 s limit; leftovers beyond this budget wait for its next run.
REAPER_SWEEP_SECONDS = 30.0


def scans_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Recover scans a killed worker or a lost message left behind; the database decides.

    Also sweeps the temporary directories killed scans left on this host's disk.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "redispatched": 0}
    stale = Scan.objects.filter(status=ScanStatus.RUNNING, started_at__lt=now - _running_deadline())
    for scan in stale:
        if scan.attempts < settings.SCAN_MAX_ATTEMPTS:
            moved = Scan.objects.filter(
                pk=scan.pk, status=ScanStatus.RUNNING, started_at=scan.started_at
            ).update(
                status=ScanStatus.QUEUED,
                queued_at=now,
                failure_reason=f"Attempt {scan.attempts} stopped: the worker was lost.",
            )
            if moved:
                counts["requeued"] += 1
                transaction.on_commit(functools.partial(_dispatch, scan.pk))
        else:
            scan_fail(
                scan=scan,
                reason=(
                    f"The scan was stopped {scan.attempts} times before it could finish (the "
                    "worker was lost, perhaps out of memory); it will not be retried."
                ),
            )
            counts["failed"] += 1
    lost = Scan.objects.filter(status=ScanStatus.QUEUED, queued_at__lt=now - QUEUED_GRACE)
    for scan_id in lost.values_list("pk", flat=True):
        # Claims are atomic, so a second message for the same scan is harmless; restarting
        # queued_at keeps a backlog from gaining a message per scan at every pass.
        if Scan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED).update(queued_at=now):
            transaction.on_commit(functools.partial(_dispatch, scan_id))
            counts["redispatched"] += 1
    scan_dirs_sweep(budget_seconds=REAPER_SWEEP_SECONDS)
    return counts


def scan_dirs_sweep(*, budget_seconds: float | None = None) -> int:
    """Remove the temporary directories that scans killed on this host left on disk.

    A killed scan never reaches its own cleanup. The sweep only takes directories whose
    process is gone, and a failure is logged: it must not stop the reaper nor a worker.
    """
    try:
        swept = scanning.sweep_scan_dirs(
            settings.SCAN_WORK_DIR or None, budget_seconds=budget_seconds
        )
    except OSError:
        logger.exception("The scan work folder could not be swept.")
        return 0
    if swept:
        logger.info("Removed %d scan directories left behind by killed processes.", swept)
    return swept


def scans_schedule(*, now: datetime | None = None) -> int:
    """Queue a scan for every repository whose own interval has passed since its last scan."""
    now = now or timezone.now()
    due = 0
    # Imported repositories waiting for their first scan are released by the import's feeder.
    repositories = Repository.objects.filter(first_scan_pending=False).annotate(
        last_queued=Max("scans__queued_at")
    )
    for repository in repositories:
        interval = timedelta(hours=repository.scan_interval_hours)
        if repository.last_queued is None or repository.last_queued <= now - interval:
            scan_enqueue(repository=repository, trigger="schedule")
            due += 1
    return due
