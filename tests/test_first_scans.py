"""The first scans of imported repositories are released a few per organisation at a time, so
that an import of hundreds does not hold up other organisations' scans; with a real worker too."""

import time

import pytest

from assessments.models import (
    ForgeConnection,
    ForgeImport,
    ImportState,
    Repository,
    Role,
    Scan,
    ScanStatus,
)
from assessments.selectors.forges import import_progress
from assessments.services import first_scans
from assessments.services.first_scans import first_scans_release
from assessments.services.repositories import repository_connect
from assessments.services.scans import scans_schedule

from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from .test_forge_imports import _run, connection, dispatched, forge, search_team  # noqa: F401


def test_imported_repositories_wait_their_turn_a_few_per_organisation(
    connection, org_admin, search_team, dispatched, tmp_path
):
    done = _run(connection, org_admin)
    queued = Scan.objects.filter(repository__forge_import=done)
    assert queued.count() == 2
    assert Repository.objects.filter(forge_import=done, first_scan_pending=True).count() == 196
    # Another organisation's repository is queued at once, ahead of the 196 waiting ones.
    from .scanning.gitrepo import make_repo

    other_team = TeamFactory(organization=OrganizationFactory())
    other_lead = UserFactory(username="otto")
    MembershipFactory(user=other_lead, team=other_team, role=Role.LEAD)
    other = repository_connect(
        team=other_team, user=other_lead, url=str(make_repo(tmp_path / "r", {"a.py": "x"}))
    )
    assert Scan.objects.filter(repository=other, status=ScanStatus.QUEUED).exists()
    # Nothing more for the import until one of its organisation's scans finishes...
    assert first_scans_release() == 0
    assert scans_schedule() == 0  # ...and the schedule leaves the 196 waiting ones alone.
    finished = queued.first()
    Scan.objects.filter(pk=finished.pk).update(status=ScanStatus.SUCCEEDED)
    assert first_scans_release(organization_id=done.organization_id) == 1
    progress = import_progress(done)
    assert progress == {
        "created": 198,
        "waiting": 195,
        "queued": 2,
        "running": 0,
        "scanned": 1,
        "failed": 0,
    }


def test_each_finished_scan_releases_the_next_until_all_are_scanned(
    connection, org_admin, search_team, monkeypatch, django_capture_on_commit_callbacks, forge
):
    """What a worker does: a scan ends, its task releases the next one of the organisation."""
    from assessments.tasks import _release_first_scans_after

    forge.state.repos = forge.state.repos[:7]
    finished = []

    def worker(scan_id):
        scan = Scan.objects.get(pk=scan_id)
        in_flight = Scan.objects.filter(status__in=["queued", "running"]).count()
        assert in_flight <= 2
        Scan.objects.filter(pk=scan_id).update(status=ScanStatus.SUCCEEDED)
        scan.refresh_from_db()
        finished.append(scan_id)
        _release_first_scans_after(scan)

    monkeypatch.setattr("assessments.services.scans._dispatch", worker)
    with django_capture_on_commit_callbacks(execute=True):
        done = _run(connection, org_admin)
    assert done.counts["created"] == 7
    assert len(finished) == 7
    assert import_progress(done)["scanned"] == 7


def test_a_release_inside_a_release_asks_the_outer_one_to_go_round_again(db, team):
    Repository.objects.create(team=team, url="https://140.82.112.3/a/b", first_scan_pending=True)
    state = first_scans._Feeding()
    token = first_scans._feeding.set(state)
    try:
        assert first_scans.first_scans_release(organization_id=None) == 0
    finally:
        first_scans._feeding.reset(token)
    assert state.again


@pytest.mark.redis
def test_a_real_worker_scans_another_organisations_repository_before_the_imports_backlog(
    celery_worker_process, team, org_admin, tmp_path, monkeypatch
):
    """Six imported repositories of organisation A wait their turn, two in flight at a time;
    organisation B's repository, connected after them, is scanned before A's last ones."""

    from .scanning.gitrepo import make_repo

    monkeypatch.undo()  # this test's scans run, on local repositories
    connection = ForgeConnection.objects.create(
        organization=team.organization, kind="github", api_url="https://api.github.com", owner="a"
    )
    forge_import = ForgeImport.objects.create(
        organization=team.organization, connection=connection, state=ImportState.FINISHED
    )
    imported = [
        Repository.objects.create(
            team=team,
            url=str(make_repo(tmp_path / f"a{n}", {"train.py": f"# {n}\n"})),
            forge_import=forge_import,
            first_scan_pending=True,
        )
        for n in range(6)
    ]
    other_team = TeamFactory(organization=OrganizationFactory())
    other_lead = UserFactory(username="otto")
    MembershipFactory(user=other_lead, team=other_team, role=Role.LEAD)
    other_path = str(make_repo(tmp_path / "b", {"a.py": "x\n"}))
    assert first_scans_release(organization_id=team.organization_id) == 2
    other = repository_connect(team=other_team, user=other_lead, url=other_path)
    deadline = time.monotonic() + 120
    scans = Scan.objects.filter(repository__in=[*imported, other])
    while scans.filter(status__in=["succeeded", "unchanged", "failed"]).count() < 7:
        assert time.monotonic() < deadline, list(scans.values_list("status", flat=True))
        assert (
            Scan.objects.filter(repository__in=imported, status__in=["queued", "running"]).count()
            <= 2
        )
        time.sleep(0.2)
    assert not scans.filter(status="failed").exists()
    b = Scan.objects.get(repository=other)
    a_scans = Scan.objects.filter(repository__in=imported)
    # A's scans released after B was queued went behind it, not ahead of it...
    later = a_scans.filter(queued_at__gt=b.queued_at)
    assert later.exists(), "every imported scan ran before B was even connected"
    assert all(scan.started_at > b.started_at for scan in later)
    # ...and those queued before it (never more than two in flight, checked above) ran first.
    assert a_scans.filter(queued_at__lt=b.queued_at, started_at__gt=b.started_at).count() == 0
    assert import_progress(forge_import)["scanned"] == 6


def test_the_periodic_release_visits_each_organisation_once(
    connection, org_admin, search_team, dispatched, monkeypatch
):
    """Beat's release (no organisation given) with 196 repositories waiting in one
    organisation: one locked pass for it, not one per waiting repository."""
    done = _run(connection, org_admin)
    assert Repository.objects.filter(forge_import=done, first_scan_pending=True).count() == 196
    passes: list[int] = []
    release_once = first_scans._release_once
    monkeypatch.setattr(
        first_scans, "_release_once", lambda org_id: passes.append(org_id) or release_once(org_id)
    )
    assert first_scans_release() == 0
    assert passes == [done.organization_id]
