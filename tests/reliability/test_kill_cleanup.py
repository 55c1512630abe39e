"""A scan killed outright (SIGKILL, as the OOM killer does) leaves no git and no directory behind.

The scan never reaches its own cleanup, so the kernel stops its git (the parent-death signal)
and the directory, named after the killed process, is swept: by the pool child that replaces
the killed one, or by the reaper when the whole worker is gone.
"""

import os
import signal
from pathlib import Path

import pytest

from assessments.models import ScanStatus
from assessments.scanning.workdir import SCAN_DIR_PREFIX, host_label
from assessments.services.scans import scan_enqueue

from . import (
    HeldClone,
    HoldingGit,
    fault_worker,
    process_is_gone,
    reap_later,
    wait_final,
    wait_until,
    worker_answers_ping,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(180),
]


def processes_in(workdir: Path) -> list[int]:
    """Pids of the live processes working in `workdir` or naming it on their command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # exited meanwhile, or another user's
        if str(workdir) in cwd or str(workdir) in cmdline:
            found.append(int(entry.name))
    return found


def assert_git_died_with_the_scan(git: HoldingGit, clone: HeldClone) -> None:
    git.wait_gone(clone, timeout=5)
    # The held git gives up by itself once it sees its scan gone; killed by the kernel as its
    # parent died, it never gets that far.
    assert git.lines("orphaned") == [], "the held git outlived the scan that started it"
    wait_until(
        lambda: processes_in(clone.workdir) == [],
        timeout=10,
        message=lambda: f"still working in the scan's directory: {processes_in(clone.workdir)}",
    )


def held_scan(git: HoldingGit) -> HeldClone:
    clone = git.wait_held()
    assert clone.workdir.is_dir()
    assert clone.workdir.name.startswith(f"{SCAN_DIR_PREFIX}{host_label()}-{clone.scan_process}-")
    assert clone.pid in processes_in(clone.workdir)
    return clone


def test_a_killed_pool_child_leaves_no_git_and_its_replacement_sweeps_its_directory(
    tmp_path, git, slow_repository
):
    with fault_worker(tmp_path, git=git) as queue:
        scan = scan_enqueue(repository=slow_repository, trigger="manual")
        clone = held_scan(git)
        assert clone.workdir.parent == tmp_path / "tmp"
        os.kill(clone.scan_process, signal.SIGKILL)
        assert_git_died_with_the_scan(git, clone)
        wait_until(
            lambda: not clone.workdir.exists(),
            timeout=30,
            message=lambda: f"{clone.workdir} was not swept by the new pool child",
        )
        assert worker_answers_ping(queue), "the worker survives the loss of its pool child"
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (ScanStatus.RUNNING, 1), "only the reaper moves it on"


def test_a_killed_worker_leaves_no_git_and_the_reaper_sweeps_its_directory(
    tmp_path, settings, git, slow_repository
):
    scans = tmp_path / "scans"
    with fault_worker(tmp_path, git=git, SCAN_WORK_DIR=scans):
        scan = scan_enqueue(repository=slow_repository, trigger="manual")
        clone = held_scan(git)
        assert clone.workdir.parent == scans
        worker = clone.worker_process
        os.killpg(worker, signal.SIGKILL)
        wait_until(
            lambda: process_is_gone(worker) and process_is_gone(clone.scan_process),
            timeout=30,
            message=lambda: "the worker is still running",
        )
        assert_git_died_with_the_scan(git, clone)
    assert clone.workdir.is_dir(), "no process was left to sweep it"

    # The next worker has a folder of its own, so only the reaper can sweep this one.
    settings.SCAN_WORK_DIR = str(scans)
    with fault_worker(tmp_path):
        assert reap_later()["requeued"] == 1
        assert not clone.workdir.exists()
        assert list(scans.iterdir()) == []
        wait_final(scan)
    assert (scan.status, scan.attempts) == (ScanStatus.SUCCEEDED, 2), scan.failure_reason
