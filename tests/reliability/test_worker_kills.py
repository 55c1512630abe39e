"""Killing a worker in the middle of a scan loses nothing and stores one result per commit.

Each test catches a scan while its clone is held (see tests/reliability/__init__.py), so the
scan is claimed and running when the signal arrives, then lets the reaper recover it the way the
beat schedule would, only with a clock moved past its deadlines.
"""

import os
import signal
import time
from collections import Counter

import pytest
from django.conf import settings

from assessments.models import Repository, ScanStatus
from assessments.services.scans import scan_enqueue
from assessments.tasks import run_scan

from ..scanning.archetypes import NOTEBOOK_ONLY, ORCHESTRATED
from ..scanning.gitrepo import make_repo
from . import (
    fault_worker,
    process_is_gone,
    reap_later,
    wait_final,
    wait_until,
    worker_answers_ping,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def repository_at(team, path, files=ORCHESTRATED):
    return Repository.objects.create(team=team, url=str(make_repo(path, files)))


def wait_exited(*pids: int) -> None:
    wait_until(
        lambda: all(process_is_gone(pid) for pid in pids),
        timeout=30,
        message=lambda: f"still running: {[pid for pid in pids if not process_is_gone(pid)]}",
    )


def test_a_scan_whose_whole_worker_is_killed_is_reaped_and_stores_one_result(
    tmp_path, git, slow_repository
):
    with fault_worker(tmp_path, git=git):
        scan = scan_enqueue(repository=slow_repository, trigger="manual")
        clone = git.wait_held()
        worker = clone.worker_process
        os.killpg(worker, signal.SIGKILL)
        wait_exited(worker, clone.scan_process)
        git.wait_gone(clone)
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (ScanStatus.RUNNING, 1), "nobody is left to finish it"

    with fault_worker(tmp_path, concurrency=2):
        assert reap_later()["requeued"] == 1
        # Redis hands the unacknowledged message out again once its visibility timeout (an
        # hour) has passed; send that copy now, so it races the reaper's for the claim.
        run_scan.delay(scan.pk)
        wait_final(scan)
        assert (scan.status, scan.attempts) == (ScanStatus.SUCCEEDED, 2), scan.failure_reason

        rescan = wait_final(scan_enqueue(repository=slow_repository, trigger="manual"))
        assert (rescan.status, rescan.same_as_id) == (ScanStatus.UNCHANGED, scan.pk)

    results = slow_repository.scans.filter(status=ScanStatus.SUCCEEDED)
    assert Counter(results.values_list("commit", "scanner_version")) == {
        (scan.commit, scan.scanner_version): 1
    }


def test_a_scan_whose_pool_child_is_killed_each_time_fails_after_the_last_attempt(
    tmp_path, team, git, slow_repository
):
    after = repository_at(team, tmp_path / "notebooks", NOTEBOOK_ONLY)
    with fault_worker(tmp_path, git=git) as queue:
        scan = scan_enqueue(repository=slow_repository, trigger="manual")
        for attempt in range(1, settings.SCAN_MAX_ATTEMPTS + 1):
            clone = git.wait_held(attempt)
            # What the OOM killer does: only the process running the scan dies.
            os.kill(clone.scan_process, signal.SIGKILL)
            git.wait_gone(clone)
            scan.refresh_from_db()
            assert (scan.status, scan.attempts) == (ScanStatus.RUNNING, attempt)
            counts = reap_later()
        assert counts == {"requeued": 0, "failed": 1, "redispatched": 0}
        scan.refresh_from_db()
        assert scan.status == ScanStatus.FAILED
        assert scan.attempts == settings.SCAN_MAX_ATTEMPTS
        assert scan.failure_reason == (
            f"The scan was stopped {settings.SCAN_MAX_ATTEMPTS} times before it could finish "
            "(the worker was lost, perhaps out of memory); it will not be retried."
        )

        # No loop: another copy of its message and another reaper pass change nothing. The
        # worker runs one task at a time in queue order, so once a scan queued afterwards is
        # done, the copy has been handled.
        run_scan.delay(scan.pk)
        assert reap_later() == {"requeued": 0, "failed": 0, "redispatched": 0}
        assert wait_final(scan_enqueue(repository=after, trigger="manual")).status == (
            ScanStatus.SUCCEEDED
        )
        assert worker_answers_ping(queue), "the worker survives the loss of its pool children"
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (ScanStatus.FAILED, settings.SCAN_MAX_ATTEMPTS)
    assert len(git.held()) == settings.SCAN_MAX_ATTEMPTS


def test_a_warm_shutdown_finishes_the_running_scan_and_reruns_nothing(
    tmp_path, team, git, slow_repository
):
    finished_repository = repository_at(team, tmp_path / "pipeline")
    waiting_repository = repository_at(team, tmp_path / "notebooks", NOTEBOOK_ONLY)
    with fault_worker(tmp_path, git=git):
        finished = wait_final(scan_enqueue(repository=finished_repository, trigger="manual"))
        running = scan_enqueue(repository=slow_repository, trigger="manual")
        clone = git.wait_held()
        waiting = scan_enqueue(repository=waiting_repository, trigger="manual")
        worker = clone.worker_process
        os.kill(worker, signal.SIGTERM)
        # A warm shutdown waits for the task in hand: the worker stays until the scan is done.
        time.sleep(1)
        assert not process_is_gone(worker)
        git.release()
        wait_exited(worker)
    for scan in (finished, running, waiting):
        scan.refresh_from_db()
    assert (finished.status, finished.attempts) == (ScanStatus.SUCCEEDED, 1)
    assert (running.status, running.attempts) == (ScanStatus.SUCCEEDED, 1)
    assert (waiting.status, waiting.attempts) == (ScanStatus.QUEUED, 0)

    with fault_worker(tmp_path):
        # Copies of the finished scans' messages, as a redelivery would bring them, go first;
        # the worker takes one task at a time in queue order.
        run_scan.delay(finished.pk)
        run_scan.delay(running.pk)
        assert reap_later() == {"requeued": 0, "failed": 0, "redispatched": 1}
        wait_final(waiting)
    for scan in (finished, running):
        scan.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (ScanStatus.SUCCEEDED, 1)
    assert (finished.status, finished.attempts) == (ScanStatus.SUCCEEDED, 1)
    assert (running.status, running.attempts) == (ScanStatus.SUCCEEDED, 1)
