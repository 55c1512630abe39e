"""A task goes through Redis to a real worker process and its result comes back."""

import pytest

from assessments.tasks import worker_health

from .factories import OrganizationFactory


@pytest.mark.redis
def test_a_task_runs_on_a_real_worker_and_reads_the_same_database(celery_worker_process):
    OrganizationFactory.create_batch(3)
    result = worker_health.delay()
    outcome = result.get(timeout=60)
    assert outcome["organizations"] == 3
    assert result.successful()
