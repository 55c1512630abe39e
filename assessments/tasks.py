"""Celery tasks: thin wrappers that fetch by id and call a service."""

from celery import shared_task
from django.db import connection


@shared_task(name="assessments.worker_health", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_health() -> dict:
    """Proves a worker can reach the broker and the database; used by health checks and tests."""
    from .models import Organization

    return {"database": connection.vendor, "organizations": Organization.objects.count()}
