"""A scan's life: queued once, claimed once, rescanned, failed with a reason, reaped when its
worker dies and scheduled when due, on real git repositories in tmp dirs.
"""

import shutil
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Repository, Scan, ScanStatus
from assessments.services.repositories import repository_connect
from assessments.services.scans import scan_claim, scan_enqueue, scans_reap, scans_schedule

from .repository_helpers import connect
from .scanning.archetypes import ORCHESTRATED
from .scanning.gitrepo import commit, make_repo, write_files


def test_rescanning_the_same_commit_stores_one_result(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    first, second = Scan.objects.filter(repository=repository).order_by("pk")
    assert (first.status, second.status) == (ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED)
    assert second.same_as == first
    assert second.commit == first.commit


def test_a_new_commit_gets_a_new_result(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    write_files(pipeline_repo, {"notes.txt": "more\n"})
    commit(pipeline_repo, "More")
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    statuses = list(Scan.objects.filter(repository=repository).values_list("status", flat=True))
    assert statuses.count(ScanStatus.SUCCEEDED) == 2


def test_going_back_to_an_earlier_commit_brings_its_evidence_back(
    team, lead, tmp_path, django_capture_on_commit_callbacks
):
    from assessments.selectors import evidence_for_team

    from .scanning.gitrepo import git

    repo = make_repo(tmp_path / "repo", ORCHESTRATED)
    first_commit = git(repo, "rev-parse", "HEAD").strip()
    repository = connect(team, lead, repo, django_capture_on_commit_callbacks)
    with_pipeline = set(evidence_for_team(team))
    git(repo, "rm", "-q", "src/churn/validate.py", "src/churn/register.py")
    commit(repo, "Drop the pipeline")
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    assert set(evidence_for_team(team)) != with_pipeline
    git(repo, "reset", "-q", "--hard", first_commit)
    with django_capture_on_commit_callbacks(execute=True):
        back = scan_enqueue(repository=repository, trigger="manual")
    back.refresh_from_db()
    assert back.status == ScanStatus.UNCHANGED
    assert set(evidence_for_team(team)) == with_pipeline


def test_a_vanished_repository_fails_with_a_reason(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    shutil.rmtree(pipeline_repo)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_enqueue(repository=repository, trigger="manual")
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "does not exist" in scan.failure_reason


def test_an_unexpected_error_fails_the_scan_at_once(team, pipeline_repo, monkeypatch):
    from assessments import scanning
    from assessments.tasks import run_scan

    def broken(*args, **kwargs):
        raise TimeoutError("boom")

    monkeypatch.setattr(scanning, "scan_repository", broken)
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    run_scan.delay(scan.pk)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "unexpected error" in scan.failure_reason
    assert "boom" not in scan.failure_reason


def test_queueing_twice_while_a_scan_waits_queues_one(team, lead, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    first = scan_enqueue(repository=repository, trigger="manual")
    assert scan_enqueue(repository=repository, trigger="webhook") == first
    assert Scan.objects.count() == 1


def test_a_finished_or_claimed_scan_cannot_be_claimed_again(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    assert scan_claim(scan_id=scan.pk) is not None
    assert scan_claim(scan_id=scan.pk) is None, "running and not stale"
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.FAILED)
    assert scan_claim(scan_id=scan.pk) is None


def test_a_scan_interrupted_long_ago_does_not_block_new_scans(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    stuck = Scan.objects.create(
        repository=repository,
        status=ScanStatus.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(hours=3),
    )
    fresh = scan_enqueue(repository=repository, trigger="manual")
    assert fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == ScanStatus.FAILED
    assert "interrupted" in stuck.failure_reason


def test_the_reaper_requeues_a_scan_whose_worker_died_and_the_rescan_finishes(
    team, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    long_ago = timezone.now() - timedelta(hours=2)
    scan = Scan.objects.create(
        repository=repository, status=ScanStatus.RUNNING, started_at=long_ago, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = scans_reap()
    assert counts["requeued"] == 1
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (ScanStatus.SUCCEEDED, 2)


def test_the_reaper_gives_up_after_the_last_attempt(team, pipeline_repo, settings):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(
        repository=repository,
        status=ScanStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
        attempts=settings.SCAN_MAX_ATTEMPTS,
    )
    assert scans_reap()["failed"] == 1
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "will not be retried" in scan.failure_reason


def test_the_reaper_sends_lost_queued_scans_again(
    team, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    Scan.objects.filter(pk=scan.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert scans_reap()["redispatched"] == 1
    scan.refresh_from_db()
    assert scan.status == ScanStatus.SUCCEEDED


def test_the_reaper_sends_a_waiting_scan_once_per_grace_period(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    Scan.objects.filter(pk=scan.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    assert scans_reap()["redispatched"] == 1
    assert scans_reap()["redispatched"] == 0


def test_the_schedule_queues_only_repositories_that_are_due(team, tmp_path):
    due = Repository.objects.create(team=team, url=str(tmp_path / "a"), scan_interval_hours=1)
    fresh = Repository.objects.create(team=team, url=str(tmp_path / "b"), scan_interval_hours=24)
    old = Scan.objects.create(repository=due, status=ScanStatus.SUCCEEDED)
    Scan.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    Scan.objects.create(repository=fresh, status=ScanStatus.SUCCEEDED)
    assert scans_schedule() == 1
    assert Scan.objects.filter(repository=due, status=ScanStatus.QUEUED).count() == 1
    assert not Scan.objects.filter(repository=fresh, status=ScanStatus.QUEUED).exists()


@pytest.mark.redis
def test_a_connected_repository_is_scanned_by_a_real_worker(
    celery_worker_process, team, lead, pipeline_repo
):
    repository = repository_connect(team=team, user=lead, url=str(pipeline_repo))
    deadline = timezone.now() + timedelta(seconds=90)
    scan = Scan.objects.get(repository=repository)
    while not scan.is_final:
        assert timezone.now() < deadline, f"the scan is still {scan.status} after 90 s"
        time.sleep(0.3)
        scan.refresh_from_db()
    assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
    assert scan.attempts == 1
