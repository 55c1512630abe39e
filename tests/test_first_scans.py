"""The first scans of imported repositories are released as scan slots free up, shared fairly
between the organisations waiting: an import of hundreds does not hold up other organisations'
scans, and an organisation alone uses every slot; with a real worker too."""

import itertools
import threading
import time

import pytest
from django.db import connection as db_connection

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


def test_imported_repositories_wait_for_a_free_scan_slot(
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
    # Nothing more for the import while both slots are taken...
    assert first_scans_release() == 0
    assert scans_schedule() == 0  # ...and the schedule leaves the 196 waiting ones alone.
    finished = queued.first()
    Scan.objects.filter(pk=finished.pk).update(status=ScanStatus.SUCCEEDED)
    # The other organisation's scan holds a slot too: 2 in flight, none free yet.
    assert first_scans_release() == 0
    Scan.objects.filter(repository=other).update(status=ScanStatus.SUCCEEDED)
    assert first_scans_release() == 1
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
        assert first_scans.first_scans_release() == 0
    finally:
        first_scans._feeding.reset(token)
    assert state.again


@pytest.mark.redis
def test_a_real_worker_scans_another_organisations_repository_before_the_imports_backlog(
    celery_worker_process, team, org_admin, tmp_path, monkeypatch
):
    """Six imported repositories of organisation A wait for the two scan slots; organisation
    B's repository, connected after them, is scanned before A's last ones."""

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
    assert first_scans_release() == 2
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


def test_the_periodic_release_makes_one_locked_pass(
    connection, org_admin, search_team, dispatched, monkeypatch
):
    """Beat's release with 196 repositories waiting: one locked pass, not one per waiting
    repository."""
    done = _run(connection, org_admin)
    assert Repository.objects.filter(forge_import=done, first_scan_pending=True).count() == 196
    passes: list[int] = []
    release_once = first_scans._release_once
    monkeypatch.setattr(first_scans, "_release_once", lambda: passes.append(1) or release_once())
    assert first_scans_release() == 0
    assert passes == [1]


@pytest.mark.parametrize(
    ("slots", "in_flight", "waiting", "order"),
    [
        # Alone: every free slot.
        (4, {}, {1: 100}, [1, 1, 1, 1]),
        (4, {1: 1}, {1: 100}, [1, 1, 1]),
        # Two: equal shares, interleaved in the queue.
        (4, {}, {1: 100, 2: 100}, [1, 2, 1, 2]),
        # A third joining while the first two hold every slot: nothing now...
        (6, {1: 3, 2: 3}, {1: 90, 2: 90, 3: 50}, []),
        # ...and every slot that frees goes to it until it has caught up.
        (6, {1: 2, 2: 3}, {1: 90, 2: 90, 3: 50}, [3]),
        (6, {1: 2, 2: 2, 3: 1}, {1: 90, 2: 90, 3: 49}, [3]),
        (6, {1: 2, 2: 1, 3: 2}, {1: 90, 2: 90, 3: 48}, [2]),
        # Other organisations' scans (connected by hand) take slots too.
        (4, {1: 1, 9: 2}, {1: 100}, [1]),
        (2, {9: 5}, {1: 100}, []),
        # Work-conserving: what one organisation cannot use goes to the others.
        (6, {}, {1: 1, 2: 100}, [1, 2, 2, 2, 2, 2]),
        (4, {}, {1: 2}, [1, 1]),
        (4, {}, {}, []),
    ],
)
def test_the_fair_share_order(slots, in_flight, waiting, order):
    assert first_scans.fair_share_order(slots, in_flight, waiting) == order


def test_the_fair_share_never_fills_more_than_the_slots():
    for slots in range(1, 9):
        for busy in range(10):
            order = first_scans.fair_share_order(slots, {7: busy}, {1: 50, 2: 3, 3: 50})
            assert busy + len(order) <= max(slots, busy)
            assert len(order) == max(slots - busy, 0)


def _waiting_repositories(team, count, start=0):
    return [
        Repository.objects.create(
            team=team, url=f"https://140.82.112.3/{team.slug}/r{n}", first_scan_pending=True
        )
        for n in range(start, start + count)
    ]


def _in_flight(organization) -> int:
    return Scan.objects.filter(
        repository__team__organization=organization, status__in=["queued", "running"]
    ).count()


def _finish_one(organization) -> None:
    scan = Scan.objects.filter(
        repository__team__organization=organization, status__in=["queued", "running"]
    ).first()
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.SUCCEEDED)


def test_an_organisation_importing_alone_uses_every_slot(team, dispatched, settings):
    settings.SCAN_WORKER_SLOTS = 4
    _waiting_repositories(team, 10)
    assert first_scans_release() == 4
    assert _in_flight(team.organization) == 4
    assert first_scans_release() == 0
    _finish_one(team.organization)
    assert first_scans_release() == 1
    assert _in_flight(team.organization) == 4


def test_two_organisations_get_equal_shares_and_a_third_its_share_as_slots_free(
    team, dispatched, settings
):
    settings.SCAN_WORKER_SLOTS = 6
    a, b, c = (TeamFactory(organization=OrganizationFactory()) for _ in range(3))
    _waiting_repositories(a, 20)
    _waiting_repositories(b, 20)
    assert first_scans_release() == 6
    assert (_in_flight(a.organization), _in_flight(b.organization)) == (3, 3)
    _waiting_repositories(c, 20)
    assert first_scans_release() == 0  # every slot is taken: nothing is taken back
    _finish_one(a.organization)
    assert first_scans_release() == 1
    assert _in_flight(c.organization) == 1
    _finish_one(b.organization)
    assert first_scans_release() == 1
    assert [_in_flight(t.organization) for t in (a, b, c)] == [2, 2, 2]
    # From then on each keeps its share: a slot A frees goes back to A.
    _finish_one(a.organization)
    assert first_scans_release() == 1
    assert [_in_flight(t.organization) for t in (a, b, c)] == [2, 2, 2]


def test_a_finished_scan_frees_its_slot_for_another_organisation(team, dispatched, settings):
    """What a worker does when a scan ends: the release is for every organisation, not only
    the one whose scan ended."""
    from assessments.tasks import _release_first_scans_after

    settings.SCAN_WORKER_SLOTS = 2
    a, b = (TeamFactory(organization=OrganizationFactory()) for _ in range(2))
    _waiting_repositories(a, 2)
    assert first_scans_release() == 2
    _waiting_repositories(b, 5)
    scan = Scan.objects.filter(repository__team=a).first()
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.SUCCEEDED)
    scan.refresh_from_db()
    _release_first_scans_after(scan)
    assert (_in_flight(a.organization), _in_flight(b.organization)) == (1, 1)


@pytest.mark.skipif(
    db_connection.vendor != "postgresql",
    reason="threads need a database server: SQLite's in-memory test database locks whole tables",
)
@pytest.mark.django_db(transaction=True)
def test_releases_at_the_same_moment_never_fill_more_than_the_slots(team, settings, monkeypatch):
    """Eight releases at once (eight scans ending together on several workers), each on its
    own database connection: the slots are filled once, and no repository is queued twice."""

    monkeypatch.setattr("assessments.services.scans._dispatch", lambda scan_id: None)
    # Each release pauses a little longer than the one before between counting the scans in
    # flight and claiming repositories: without the lock, a later one would count before an
    # earlier one commits and claim other repositories after it, overfilling the slots.
    fair_share_order = first_scans.fair_share_order
    turn = itertools.count()

    def staggered(*args):
        time.sleep(0.05 * next(turn))
        return fair_share_order(*args)

    monkeypatch.setattr(first_scans, "release_policy", staggered)
    settings.SCAN_WORKER_SLOTS = 3
    others = [TeamFactory(organization=OrganizationFactory()) for _ in range(2)]
    for waiting_team in (team, *others):
        _waiting_repositories(waiting_team, 10)
    start = threading.Barrier(8)
    released: list[int] = []
    errors: list[BaseException] = []

    def release() -> None:
        try:
            start.wait()
            released.append(first_scans_release())
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=release) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(released) == 3
    assert Scan.objects.filter(status__in=["queued", "running"]).count() == 3
    assert Repository.objects.filter(first_scan_pending=False).count() == 3
    assert sorted(
        Scan.objects.values_list("repository__team__organization_id", flat=True)
    ) == sorted(t.organization_id for t in (team, *others))
