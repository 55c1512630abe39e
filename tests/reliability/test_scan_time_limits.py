"""A scan stopped for taking too long fails with a reason and leaves no temporary files."""

import pytest
from django.conf import settings

from assessments.models import Scan, ScanStatus
from assessments.services.scans import scan_enqueue
from assessments.tasks import run_scan

from . import fault_worker, process_is_gone, wait_final

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def assert_cleaned_up(tmp_path, clone):
    """The held scan's temporary directory existed under the worker's TMPDIR and is gone."""
    assert clone.workdir.parent == tmp_path / "tmp"
    assert clone.workdir.name.startswith("mlmaturity-scan-")
    assert not clone.workdir.exists()
    assert list((tmp_path / "tmp").glob("mlmaturity-scan-*")) == []
    assert process_is_gone(clone.pid), "the git the scan started was stopped with it"


def test_a_scan_past_its_soft_time_limit_removes_its_temporary_directory_and_fails(
    tmp_path, git, slow_repository
):
    with fault_worker(tmp_path, git=git):
        scan = Scan.objects.create(repository=slow_repository)
        # The task's own soft limit is SCAN_TIMEOUT_SECONDS + 30 s, a backstop behind the
        # scanner's deadline; a message may carry a shorter one, which Celery enforces the same
        # way (SoftTimeLimitExceeded raised in the pool child).
        run_scan.apply_async(args=[scan.pk], soft_time_limit=4, time_limit=30)
        clone = git.wait_held()
        assert clone.workdir.is_dir()
        wait_final(scan, timeout=30)
        git.wait_gone(clone)
    assert scan.status == ScanStatus.FAILED
    assert scan.failure_reason == (
        f"The scan took longer than {settings.SCAN_TIMEOUT_SECONDS} seconds and was stopped."
    )
    assert scan.attempts == 1
    assert_cleaned_up(tmp_path, clone)


def test_a_scan_past_the_scanner_deadline_removes_its_temporary_directory_and_fails(
    tmp_path, git, slow_repository
):
    with fault_worker(tmp_path, git=git, SCAN_TIMEOUT_SECONDS=4):
        scan = scan_enqueue(repository=slow_repository, trigger="manual")
        clone = git.wait_held()
        assert clone.workdir.is_dir()
        wait_final(scan, timeout=30)
        git.wait_gone(clone)
    assert scan.status == ScanStatus.FAILED
    assert scan.failure_reason == "The scan took longer than 4 seconds and was stopped."
    assert scan.attempts == 1
    assert_cleaned_up(tmp_path, clone)
