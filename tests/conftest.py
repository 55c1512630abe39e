"""Shared fixtures: the three characters of every tenancy test, and the real services.

Tests marked `redis` need the broker at REDIS_URL (and run a real Celery worker); tests marked
`postgres` need DATABASE_URL to point at PostgreSQL. Without them a laptop run skips those tests,
saying why; with CI=true a missing service fails the run instead.
"""

import os
import socket
import uuid
from collections import Counter
from urllib.parse import urlparse

import pytest
from _pytest.nodeid import NodeId
from django.conf import settings
from django.test import override_settings

from assessments.models import Role
from assessments.selectors.evidence import evidence_hints_forget
from mlmaturity.celery import app as celery_app

from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from .scanning.archetypes import ORCHESTRATED
from .scanning.gitrepo import make_repo

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _redis_unavailable_reason() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2).close()
    except OSError as error:
        return f"Redis at {parsed.hostname}:{parsed.port or 6379} is unreachable ({error})"
    return None


def _postgres_unavailable_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """In a parallel run (pytest-xdist with `--dist loadgroup`, as scripts/test.py starts the whole
    suite) the tests that use Redis run on one worker, one after another as in a serial run: they
    share REDIS_URL's database and the reliability tests flush a database of their own, so no two
    of them may run at once. Every other test keeps to its own database, cache and folders."""
    _name_each_test_apart(items)
    # pytest-xdist sets `loadgroup` on its workers' options, which collect the tests.
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if item.get_closest_marker("redis") is not None:
            # The scheduler groups by the `@group` ending of node ids. pytest-xdist's own
            # xdist_group marker writes that ending where pytest 9 no longer reads a node's id,
            # so the group is written into the id here.
            item.add_marker(pytest.mark.xdist_group("redis"))
            _rename(item, f"{item.nodeid}@redis")


def _name_each_test_apart(items):
    """Give tests that share a node id one of their own: their parent's id and their name.

    Schemathesis names each operation's test `test_...[GET /api/v1/...]` but pytest 9 gives them
    all the test function's node id, and pytest-xdist schedules by node id: a parallel run ran
    one operation of the in-process schemathesis run and dropped the other sixty-two unreported.
    """
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1:
            _rename(item, f"{item.parent.nodeid}::{item.name}")


def _rename(item, nodeid: str) -> None:
    item._id = NodeId.parse(nodeid)


def pytest_runtest_setup(item):
    for marker, reason_for in (
        ("redis", _redis_unavailable_reason),
        ("postgres", _postgres_unavailable_reason),
    ):
        if item.get_closest_marker(marker) is None:
            continue
        reason = reason_for()
        if reason is None:
            continue
        if IN_CI:
            pytest.fail(f"CI=true but a required service is missing: {reason}.", pytrace=False)
        pytest.skip(f"needs {marker}: {reason}")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Every factory user gets a password; the default hasher takes ~0.3 s for each one.

    How passwords are stored is Django's concern, not what these tests check. Servers started
    in processes of their own (tests/live_server.py) keep the default hashers, and their users
    are made there too.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _factory_sequences_restart():
    """Names and slugs come out the same whichever tests ran before, so seeded data does too."""
    for factory in (UserFactory, OrganizationFactory, TeamFactory, MembershipFactory):
        factory.reset_sequence(force=True)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle counters and login lockouts live in the cache; each test starts with its own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture(autouse=True)
def _evidence_hints_read_afresh():
    """A test's scans may take an earlier, rolled-back test's ids (SQLite reuses them); the
    hints kept per process by scan are its own."""
    evidence_hints_forget()


@pytest.fixture(autouse=True)
def _scan_work_folder_of_its_own(settings, tmp_path_factory):
    """Scans of a test, and the reaper's sweep, keep to a folder of the test's own."""
    settings.SCAN_WORK_DIR = str(tmp_path_factory.mktemp("scans"))


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """Unit tests run tasks in-process; tests marked `redis` go through the real broker."""
    eager = request.node.get_closest_marker("redis") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def team(db):
    return TeamFactory(name="Fraud Detection", slug="fraud-detection")


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, user=UserFactory(username="alice"), role=Role.MEMBER).user


@pytest.fixture
def lead(team):
    return MembershipFactory(team=team, user=UserFactory(username="lena"), role=Role.LEAD).user


@pytest.fixture
def viewer(team):
    return MembershipFactory(team=team, user=UserFactory(username="victor"), role=Role.VIEWER).user


@pytest.fixture
def other_team_member(team):
    """A member of another team in the same organisation: sees nothing of `team`."""
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    return MembershipFactory(team=other, user=UserFactory(username="bob"), role=Role.MEMBER).user


@pytest.fixture
def org_admin(team):
    admin = UserFactory(username="olga")
    MembershipFactory(user=admin, team=None, organization=team.organization, role=Role.ORG_ADMIN)
    return admin


@pytest.fixture
def stranger_org_admin(team):
    """An admin of another organisation: admin rights stop at the organisation's border."""
    admin = UserFactory(username="mallory")
    MembershipFactory(
        user=admin, team=None, organization=OrganizationFactory(), role=Role.ORG_ADMIN
    )
    return admin


@pytest.fixture
def pipeline_repo(tmp_path):
    """A git repository holding an orchestrated training pipeline: a level 1 scan."""
    return make_repo(tmp_path / "pipeline", ORCHESTRATED)


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` subprocess on Redis, reading the test database.

    Each run gets its own queue name so parallel runs on one Redis never steal each other's tasks.
    """
    from .worker import running_worker

    with running_worker() as queue:
        yield queue


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test OpenID provider (tests/oidc_provider), served on 127.0.0.1 for the session."""
    from .oidc_support import provider_served

    with provider_served(tmp_path_factory.mktemp("oidc-provider")) as provider:
        yield provider


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """The app's settings pointing at the test provider, for Django's test client."""
    from assessments import sso

    oidc_provider.register_client("http://testserver")
    for name, value in oidc_provider.app_settings().items():
        setattr(settings, name, value)
    sso.forget_discovery()
    yield settings
    sso.forget_discovery()
