"""Celery tasks: thin wrappers that fetch by id and call a service."""

from celery import shared_task
from django.db import OperationalError, connection

from .models import Assessment


@shared_task(name="assessments.worker_health", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_health() -> dict:
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
def compute_result(assessment_id: int) -> dict:
    from .services.results import result_compute

    assessment = Assessment.objects.select_related("team").get(pk=assessment_id)
    result = result_compute(assessment=assessment)
    return {"assessment": assessment_id, "level": result.overall_level, "index": result.index}
