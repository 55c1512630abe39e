"""Celery: the broker (Redis, or tasks run in-process without `REDIS_URL`), how tasks are
delivered, and every periodic schedule. The Celery app reads these under the CELERY_ namespace
(mlmaturity/celery.py)."""

from .environment import env

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded default: tasks run in-process, in the web request that queues them.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# A task that runs longer than the visibility timeout would be delivered twice; every task's hard
# time limit stays below it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="mlmaturity")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True


# Every periodic schedule, in one place.
CELERY_BEAT_SCHEDULE = {
    # Rescan repositories whose interval has passed (the interval is set per repository).
    "schedule-repository-scans": {
        "task": "assessments.schedule_scans",
        "schedule": 15 * 60,
    },
    # Fail or requeue scans a lost message or a killed worker left queued or running.
    "reap-stuck-scans": {"task": "assessments.reap_scans", "schedule": 5 * 60},
    # Release imported repositories' first scans a message lost with the broker left waiting.
    "release-first-scans": {"task": "assessments.release_first_scans", "schedule": 60},
    # Recompute submissions whose result never arrived (a message lost with the broker).
    "compute-missing-results": {
        "task": "assessments.compute_missing_results",
        "schedule": 5 * 60,
    },
    # E-mail campaign reminders to team leads; each is owed once a week, and the reminder
    # ledger's unique row keeps a second run (or a second beat) from sending it again.
    "send-campaign-reminders": {
        "task": "assessments.send_campaign_reminders",
        "schedule": 60 * 60,
    },
}
