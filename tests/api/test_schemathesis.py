"""Schemathesis against every operation of the REST API, in-process, on the test database.

The seeded organisation and the dictionaries that name its rows are in schemathesis_setup.py,
shared with the run against the embedded default served by a live server (two workers at once,
test_schemathesis_embedded.py). Here the repositories live in a folder named after this process.

The organisation is seeded once for the module, in a transaction rolled back at its end. Every
example runs in a savepoint that is rolled back, so each one starts from the seeded state
(a deleted repository or a submitted draft does not leak into the next example) and a failure
replays the same way. The run is derandomized: the same examples every time, on every database.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings

from mlmaturity.celery import app as celery_app
from mlmaturity.wsgi import application

from .schemathesis_setup import (
    config_dict,
    make_repositories,
    seed_audit_reader,
    seed_organisation,
)

MAX_EXAMPLES = 20  # per operation, on top of the deterministic coverage cases

REPOSITORIES = Path(tempfile.gettempdir()) / f"mlmaturity-schemathesis-{os.getpid()}"
CONNECTED = REPOSITORIES / "pipeline"
UNCONNECTED = REPOSITORIES / "training"

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=schemathesis.Config.from_dict(config_dict(connected=CONNECTED, unconnected=UNCONNECTED)),
)


@pytest.fixture(scope="module")
def repositories():
    make_repositories(REPOSITORIES)
    yield
    shutil.rmtree(REPOSITORIES, ignore_errors=True)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, repositories, tmp_path_factory):
    """The organisation the run works on, seeded once for the module inside a transaction that
    is rolled back at its end; returns the API tokens of its lead and org admin.

    Each operation's test runs in a savepoint of that transaction (the `db` fixture's), and each
    example in a savepoint of its own, so every example still starts from the seeded state.
    """
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(
                # The repositories are folders on this machine; a deployment refuses such paths.
                SCAN_ALLOW_LOCAL_PATHS=True,
                SCAN_WORK_DIR=str(tmp_path_factory.mktemp("seed-scans")),
                CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            ),
            transaction.atomic(),
        ):
            tokens = {
                "lead": seed_organisation(connected=str(CONNECTED)),
                "org_admin": seed_audit_reader(),
            }
            yield tokens
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = previous_eager


@pytest.fixture
def seeded(seeded_once, db, settings) -> dict[str, str]:
    """The seeded organisation's tokens, with the settings its requests need."""
    settings.SCAN_ALLOW_LOCAL_PATHS = True
    # Throttling has its own tests; here it would turn most of the run into 429s.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token-client": "100000/minute", "auth-token": "100000/minute"},
    }
    return seeded_once


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    """Requests go straight to the WSGI application, on the test's connection and inside its
    transaction. Django closes a connection left in a transaction when a request starts or
    finishes; the test client turns that off too, for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # `seeded` is function-scoped only to hand over the module's seed and settings; the
    # savepoint below restores the seeded state between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_every_operation_keeps_to_its_schema(case, seeded):
    with transaction.atomic():
        # The audit log and campaign changes are for org admins; every other operation runs as
        # the team's lead.
        who = (
            "org_admin"
            if case.path.startswith(("/api/v1/audit/", "/api/v1/campaigns/"))
            else "lead"
        )
        case.call_and_validate(headers={"Authorization": f"Token {seeded[who]}"})
        transaction.set_rollback(True)
