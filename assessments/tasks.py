"""Celery tasks: thin wrappers that fetch by id and call a service."""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.db import OperationalError, connection

from .errors import InvitationEmailDeferred
from .models import Assessment, Scan

logger = logging.getLogger(__name__)
# A pool child must be up within Celery's 4 s start-up limit; the reaper sweeps what is left.
SWEEP_ON_START_SECONDS = 2.0


@shared_task(name="assessments.worker_health", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_health() -> dict[str, object]:
    """Proves a worker can reach the broker and the database; used by health checks and tests."""
    from .models import Organization

    return {"database": connection.vendor, "organizations": Organization.objects.count()}


@shared_task(
    name="assessments.compute_result",
    acks_late=True,
    # Scoring is pure and idempotent, so a redelivery after a crash is harmless; only database
    # hiccups are worth retrying.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def compute_result(assessment_id: int) -> dict[str, object]:
    from .services.results import result_compute

    assessment = Assessment.objects.select_related("team").get(pk=assessment_id)
    result = result_compute(assessment=assessment)
    return {"assessment": assessment_id, "level": result.overall_level, "index": result.index}


@shared_task(
    bind=True,
    name="assessments.run_scan",
    acks_late=True,
    # A killed pool child must not bring the message back for ever: the reaper decides, with
    # the attempt count stored on the scan row.
    reject_on_worker_lost=False,
    soft_time_limit=settings.SCAN_TIMEOUT_SECONDS + 30,
    time_limit=settings.SCAN_TIMEOUT_SECONDS + 60,
    max_retries=settings.SCAN_MAX_ATTEMPTS,
)
def run_scan(self: Task, scan_id: int) -> dict[str, object]:
    from .services.scans import ScanRetry, scan_execute, scan_fail

    try:
        scan = scan_execute(scan_id=scan_id)
    except ScanRetry as retry:
        raise self.retry(exc=retry, countdown=min(30 * 2**self.request.retries, 600)) from None
    except SoftTimeLimitExceeded:
        scan = Scan.objects.get(pk=scan_id)
        scan = scan_fail(
            scan=scan,
            reason=f"The scan took longer than {settings.SCAN_TIMEOUT_SECONDS} seconds and was "
            "stopped.",
        )
    except Exception:
        # A bug must fail this scan now, with a sentence, not leave it running for the reaper
        # to retry for nothing (nor turn the request that queued it into an error page).
        logger.exception("scan %s stopped on an unexpected error", scan_id)
        scan = scan_fail(
            scan=Scan.objects.get(pk=scan_id),
            reason="The scan stopped on an unexpected error; the operators have the details.",
        )

    if scan is None:
        return {"scan": scan_id, "status": "skipped"}
    _release_first_scans_after(scan)
    return {"scan": scan_id, "status": scan.status}


def _release_first_scans_after(scan: Scan) -> None:
    """A finished scan frees a slot for the next imported repository: of its own organisation
    or, when that one has more than its share, of another."""
    from .services.first_scans import first_scans_release

    if not scan.is_final:
        return
    try:
        first_scans_release()
    except Exception:
        # Beat's periodic release catches up; the scan's own outcome stands.
        logger.exception("first scans after scan %s could not be released", scan.pk)


@shared_task(name="assessments.release_first_scans", acks_late=True, time_limit=120)
def release_first_scans() -> int:
    from .services.first_scans import first_scans_release

    return first_scans_release()


@shared_task(
    name="assessments.run_forge_import",
    acks_late=True,
    # Rate-limit waits are bounded by FORGE_RATE_LIMIT_MAX_WAIT_SECONDS per page; a big
    # organisation's listing and connections fit well inside this.
    soft_time_limit=1800,
    time_limit=1900,
)
def run_forge_import(import_id: int) -> dict[str, object]:
    from .services.forges import forge_import_run

    forge_import = forge_import_run(import_id=import_id)
    if forge_import is None:
        return {"import": import_id, "state": "skipped"}
    return {"import": import_id, "state": forge_import.state, "counts": forge_import.counts}


@shared_task(name="assessments.reap_scans", acks_late=True, time_limit=120)
def reap_scans() -> dict[str, object]:
    from .services.forges import imports_reap
    from .services.scans import scans_reap

    return {**scans_reap(), "imports": imports_reap()}


@worker_process_init.connect
def sweep_scan_dirs_on_start(**_: object) -> None:
    """A pool child replacing one killed mid-scan removes the directory that one left."""
    from .services.scans import scan_dirs_sweep

    scan_dirs_sweep(budget_seconds=SWEEP_ON_START_SECONDS)


@shared_task(name="assessments.schedule_scans", acks_late=True, time_limit=120)
def schedule_scans() -> int:
    from .services.scans import scans_schedule

    return scans_schedule()


@shared_task(name="assessments.compute_missing_results", acks_late=True, time_limit=120)
def compute_missing_results() -> int:
    from .services.results import results_missing_enqueue

    return results_missing_enqueue()


@shared_task(name="assessments.send_campaign_reminders", acks_late=True, time_limit=300)
def send_campaign_reminders() -> int:
    # The ledger's unique row makes a redelivered or doubled run send nothing twice.
    from .services.campaign_reminders import campaign_reminders_send

    return campaign_reminders_send()


@shared_task(
    name="assessments.build_kit",
    acks_late=True,
    # A build reads the repository once and stores its outcome on its row; a lost one is
    # started again by the next request that finds it (services.kits.KIT_LOST_SECONDS).
    reject_on_worker_lost=False,
    soft_time_limit=settings.SCAN_TIMEOUT_SECONDS + 30,
    time_limit=settings.SCAN_TIMEOUT_SECONDS + 60,
)
def build_kit(build_id: int) -> dict[str, object]:
    from .services.kits import kit_build_execute, kit_build_finish

    try:
        build = kit_build_execute(build_id=build_id)
    except SoftTimeLimitExceeded:
        build = kit_build_finish(
            build_id=build_id,
            status="failed",
            reason=f"Reading the repository took longer than {settings.SCAN_TIMEOUT_SECONDS} "
            "seconds and was stopped.",
        )
    except Exception:
        logger.exception("kit build %s stopped on an unexpected error", build_id)
        build = kit_build_finish(
            build_id=build_id,
            status="failed",
            reason="The kit stopped on an unexpected error; the operators have the details.",
        )
    if build is None:
        return {"kit": build_id, "status": "skipped"}
    return {"kit": build_id, "status": build.status}


@shared_task(
    bind=True,
    name="assessments.send_invitation_email",
    # Sending twice is better than never: a worker lost mid-send redelivers the message, and
    # the service skips an email already recorded as sent.
    acks_late=True,
    # Only transient mail failures (server unreachable, timed out, a 4xx answer) come back as
    # InvitationEmailDeferred; a refused address or a bug is final and recorded at once.
    autoretry_for=(InvitationEmailDeferred,),
    retry_backoff=True,
    retry_backoff_max=settings.INVITATION_EMAIL_RETRY_MAX_SECONDS,
    retry_jitter=True,
    max_retries=settings.INVITATION_EMAIL_MAX_RETRIES,
    # A message still queued after a day is stale: the inviter has seen "Sending" and can
    # resend; the link's own expiry is days later.
    expires=60 * 60 * 24,
    soft_time_limit=settings.EMAIL_TIMEOUT * 3 + 30,
    time_limit=settings.EMAIL_TIMEOUT * 3 + 60,
)
def send_invitation_email(self: Task, invitation_id: int, sealed_token: str) -> dict[str, object]:
    from .services.invitation_emails import invitation_send_sealed_email

    sent = invitation_send_sealed_email(
        invitation_id=invitation_id,
        sealed_token=sealed_token,
        # Run in-process (the embedded setup, no worker), nothing would retry later and a
        # person waits for the page: the first failure is final there.
        last_attempt=self.request.is_eager or self.request.retries >= self.max_retries,
    )
    return {"invitation": invitation_id, "sent": sent}
