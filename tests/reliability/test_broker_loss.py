"""Redis losing its messages strands no scan: the database is the source of truth."""

import time

import pytest
import redis

from assessments.models import Repository, ScanStatus
from assessments.services.scans import scan_enqueue

from ..scanning.archetypes import NOTEBOOK_ONLY, ORCHESTRATED, TRAINING_SCRIPTS
from ..scanning.gitrepo import make_repo
from . import HoldingGit, fault_worker, reap_later, redis_url, wait_final

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_scans_queued_when_redis_is_flushed_are_recovered_by_the_reaper(tmp_path, team):
    git = HoldingGit(tmp_path / "git")
    repositories = [
        Repository.objects.create(team=team, url=str(make_repo(tmp_path / name, files)))
        for name, files in (
            ("slow-pipeline", ORCHESTRATED),
            ("notebooks", NOTEBOOK_ONLY),
            ("training", TRAINING_SCRIPTS),
        )
    ]
    with fault_worker(tmp_path, git=git):
        running = scan_enqueue(repository=repositories[0], trigger="manual")
        git.wait_held()
        # The worker runs one scan at a time, so these wait in Redis behind the held one.
        queued = [scan_enqueue(repository=r, trigger="manual") for r in repositories[1:]]
        # What a Redis restart without persistence does: every message, acknowledged or not,
        # and every queue binding is gone. The database is the tests' own (see redis_url).
        redis.Redis.from_url(redis_url()).flushdb()
        git.release()
        assert wait_final(running).status == ScanStatus.SUCCEEDED, running.failure_reason

        # Their messages are lost: without the reaper they would wait for ever.
        time.sleep(2)
        for scan in queued:
            scan.refresh_from_db()
            assert (scan.status, scan.attempts) == (ScanStatus.QUEUED, 0)

        assert reap_later() == {"requeued": 0, "failed": 0, "redispatched": 2}
        for scan in queued:
            wait_final(scan, timeout=30)
            assert (scan.status, scan.attempts) == (ScanStatus.SUCCEEDED, 1), scan.failure_reason
