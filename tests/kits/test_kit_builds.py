"""Kits are built by a worker and stored per repository, scanned commit, capability and kit
version: a request never fetches the repository, a new scan asks for a new kit, a failed read
is tried again later and a lost build is started again."""

import shutil
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import kits
from assessments.models import KitBuild, KitBuildStatus
from assessments.services.kits import (
    KIT_LOST_SECONDS,
    KIT_RETRY_SECONDS,
    kit_build_execute,
    kit_build_finish,
    kit_build_request,
)
from assessments.services.repositories import repository_connect
from assessments.services.scans import scan_enqueue
from assessments.tasks import build_kit

from ..scanning import archetypes
from ..scanning.gitrepo import commit, make_repo
from .test_kits import SAMPLE


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)


@pytest.fixture
def connected(team, lead, repo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return repository_connect(team=team, user=lead, url=str(repo))


def build_now(repository, capability, capture):
    with capture(execute=True):
        build = kit_build_request(repository=repository, capability=capability)
    build.refresh_from_db()
    return build


def test_a_kit_is_built_once_per_scanned_commit(
    connected, repo, django_capture_on_commit_callbacks
):
    first = build_now(connected, "ci", django_capture_on_commit_callbacks)
    assert first.status == KitBuildStatus.READY
    assert first.scanned_commit == first.commit == connected.scans.get().commit
    assert first.kit_version == kits.kit_version()
    assert kit_build_request(repository=connected, capability="ci") == first
    # A push and its scan ask for the kit of the new commit.
    (repo / "data").mkdir()
    (repo / "data/train.csv").write_text(SAMPLE)
    commit(repo, "Add a sample")
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=connected, trigger="push")
    second = build_now(connected, "ci", django_capture_on_commit_callbacks)
    assert second != first
    assert second.scanned_commit != first.scanned_commit
    assert second.status == KitBuildStatus.READY
    assert KitBuild.objects.filter(repository=connected).count() == 2


def test_a_kit_of_another_kit_version_is_not_served(connected, django_capture_on_commit_callbacks):
    scanned = connected.scans.get().commit
    KitBuild.objects.create(
        repository=connected,
        scanned_commit=scanned,
        capability="ci",
        kit_version="older",
        status=KitBuildStatus.READY,
        kit={"step": "ci", "title": "old", "changes": [], "does": [], "does_not": []},
        requested_at=timezone.now(),
    )
    build = build_now(connected, "ci", django_capture_on_commit_callbacks)
    assert build.kit_version == kits.kit_version()
    assert build.kit["title"] == "CI on every change"


def test_a_kit_that_does_not_fit_is_stored_with_its_reason(
    connected, django_capture_on_commit_callbacks
):
    build = build_now(connected, "data_validation", django_capture_on_commit_callbacks)
    assert build.status == KitBuildStatus.UNAVAILABLE
    assert build.failure_reason.startswith("No sample data")
    build.finished_at = timezone.now() - timedelta(days=1)
    build.save()
    assert kit_build_request(repository=connected, capability="data_validation") == build


def test_a_repository_that_cannot_be_read_is_tried_again_later(
    client, member, connected, repo, django_capture_on_commit_callbacks
):
    shutil.rmtree(repo)
    build = build_now(connected, "ci", django_capture_on_commit_callbacks)
    assert build.status == KitBuildStatus.FAILED
    assert build.failure_reason
    client.force_login(member)
    page = client.get(reverse("repository_kit", args=[connected.pk, "ci"]))
    assert page.status_code == 400
    assert page["Retry-After"] == str(KIT_RETRY_SECONDS)
    assert build.failure_reason in page.content.decode()
    api = client.get(reverse("api:repository-kit", kwargs={"pk": connected.pk, "capability": "ci"}))
    assert (api.status_code, api.json()["detail"]) == (400, build.failure_reason)
    assert api["Retry-After"] == str(KIT_RETRY_SECONDS)
    KitBuild.objects.filter(pk=build.pk).update(
        finished_at=timezone.now() - timedelta(seconds=KIT_RETRY_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        again = kit_build_request(repository=connected, capability="ci")
    assert (again.pk, again.status, len(callbacks)) == (build.pk, KitBuildStatus.PENDING, 1)


def test_a_build_lost_with_its_worker_is_started_again(
    connected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        build = kit_build_request(repository=connected, capability="ci")
        assert kit_build_request(repository=connected, capability="ci") == build
    assert len(callbacks) == 1  # one worker task for two requests
    KitBuild.objects.filter(pk=build.pk).update(
        requested_at=timezone.now() - timedelta(seconds=KIT_LOST_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = kit_build_request(repository=connected, capability="ci")
    assert again.pk == build.pk
    assert len(callbacks) == 1
    again.refresh_from_db()
    assert again.status == KitBuildStatus.READY


def test_a_build_that_waited_long_in_the_queue_is_not_run_twice(
    connected, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(seconds=KIT_LOST_SECONDS + 1)
    with django_capture_on_commit_callbacks():
        build = kit_build_request(repository=connected, capability="ci")
    # Asked for long ago, claimed by a worker just now: it is running, not lost.
    KitBuild.objects.filter(pk=build.pk).update(
        requested_at=long_ago, status=KitBuildStatus.RUNNING, started_at=timezone.now()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        again = kit_build_request(repository=connected, capability="ci")
    assert (again.status, len(callbacks)) == (KitBuildStatus.RUNNING, 0)
    # Started long ago and never finished: lost with its worker, started again.
    KitBuild.objects.filter(pk=build.pk).update(started_at=long_ago)
    with django_capture_on_commit_callbacks() as callbacks:
        again = kit_build_request(repository=connected, capability="ci")
    assert (again.status, again.started_at, len(callbacks)) == (KitBuildStatus.PENDING, None, 1)


def test_a_build_is_claimed_by_one_worker(connected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        build = kit_build_request(repository=connected, capability="ci")
    assert kit_build_execute(build_id=build.pk).status == KitBuildStatus.READY
    assert kit_build_execute(build_id=build.pk) is None


@pytest.mark.redis
def test_a_real_worker_builds_the_kit_the_api_waits_for(
    celery_worker_process, client, team, lead, member, tmp_path, settings
):
    settings.SCAN_ALLOW_LOCAL_PATHS = True
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    repository = repository_connect(team=team, user=lead, url=str(repo))
    client.force_login(member)
    url = reverse("api:repository-kit", kwargs={"pk": repository.pk, "capability": "ci"})
    first = client.get(url)
    assert first.status_code == 202
    assert first["Retry-After"] == "3"
    deadline = time.monotonic() + 120
    response = first
    while response.status_code == 202:
        assert time.monotonic() < deadline, KitBuild.objects.values_list("status", flat=True)
        time.sleep(0.2)
        response = client.get(url)
    assert response.status_code == 200
    kit = response.json()
    assert kit["patch"].startswith("diff --git a/.github/workflows/ci.yml")
    assert len(kit["commit"]) == 40
    # Asked for before and after the connection's first scan, the kit was built for each.
    ready = KitBuild.objects.filter(repository=repository, status=KitBuildStatus.READY)
    assert kit["commit"] in {build.commit for build in ready}


def test_a_build_whose_repository_was_disconnected_meanwhile_is_skipped(
    connected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        build = kit_build_request(repository=connected, capability="ci")
    connected.delete()
    assert build_kit(build.pk) == {"kit": build.pk, "status": "skipped"}
    assert kit_build_finish(build_id=build.pk, status=KitBuildStatus.FAILED) is None
