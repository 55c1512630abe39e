"""Schemathesis against every operation of the REST API, in-process, on the test database.

One organisation is seeded (a team, its lead with a personal API token, a submitted assessment
with its result, the team's draft, a connected repository with a finished scan), and the schema
served at /api/schema/ drives a bounded, seeded run of every operation with every check: no
server error, every answer documented and matching its schema, schema-invalid input refused
with a 4xx, schema-valid input accepted, authentication enforced, unsupported methods refused.

Generated ids and keys rarely name a row that exists, so the run is given dictionaries: the
seeded ids, the catalogue's question keys and answer options, the seeded repositories' paths.
About half of those values come from them, the rest are generated. The dictionaries are fixed
when this module is imported, so the seeded rows take fixed ids, far above what the sequences
reach in a test run, and the repositories live in a folder named after this process.

Every example runs in a savepoint that is rolled back, so each one starts from the seeded state
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
from hypothesis import HealthCheck, settings

from assessments import maturity
from assessments.models import Assessment, Repository, Role, Scan, ScanStatus
from assessments.services.assessments import answer_save, assessment_submit
from assessments.services.scans import scan_execute
from assessments.services.secrets import encrypt
from assessments.services.tokens import api_token_create
from mlmaturity.wsgi import application

from ..assessment_helpers import answer_everything, answers_all, graded_questions
from ..factories import MembershipFactory, TeamFactory, UserFactory
from ..scanning.archetypes import ORCHESTRATED, TRAINING_SCRIPTS
from ..scanning.gitrepo import make_repo

SEED = 20261107
MAX_EXAMPLES = 20  # per operation, on top of the deterministic coverage cases
FROM_DICTIONARY = 0.5  # the share of values taken from the dictionaries below

TEAM_ID = 900_001
SUBMITTED_ID, DRAFT_ID = 900_011, 900_012
REPOSITORY_ID = 900_021
SCAN_ID = 900_031
LEAD_USERNAME = "lena"
LEAD_PASSWORD = "correct horse battery staple"  # UserFactory's password
DRAFT_ANSWERED = 5  # questions answered in the draft (version 1); the others are at version 0

REPOSITORIES = Path(tempfile.gettempdir()) / f"mlmaturity-schemathesis-{os.getpid()}"
CONNECTED = REPOSITORIES / "pipeline"
UNCONNECTED = REPOSITORIES / "training"

# Whether these requests succeed depends on stored data or state that no schema can describe:
# a team id the user can see, an option that the question offers, an assessment that is still
# a draft (or already submitted), a password that matches, a path that is a git repository not
# connected yet. The API refuses the rest with a 400 and a sentence, as documented, so 400 joins
# the statuses schema-valid input may get here. Every other operation stays strict.
DEPENDS_ON_STORED_DATA = [
    "POST /api/v1/assessments/",
    "PUT /api/v1/assessments/{id}/answers/{question_key}/",
    "POST /api/v1/assessments/{id}/submit/",
    "POST /api/v1/assessments/{id}/reopen/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/repositories/",
]
POSITIVE_DATA_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def _from(dictionary: str) -> dict:
    return {"dictionary": dictionary, "probability": FROM_DICTIONARY}


def _config() -> schemathesis.Config:
    catalogue = maturity.load_catalogue()
    ids_by_prefix = {
        "teams": "team-ids",
        "assessments": "assessment-ids",
        "repositories": "repository-ids",
        "scans": "scan-ids",
    }
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"mode": "all"},
            "dictionaries": {
                "team-ids": {"values": [TEAM_ID]},
                "assessment-ids": {"values": [SUBMITTED_ID, DRAFT_ID]},
                "repository-ids": {"values": [REPOSITORY_ID]},
                "scan-ids": {"values": [SCAN_ID]},
                "questions": {"values": [question.key for question in catalogue.questions]},
                # Every graded question offers these; context questions have their own.
                "options": {"values": ["no", "partly", "yes", "unknown"]},
                "etags": {"values": ['"0"', '"1"']},
                "urls": {"values": [str(UNCONNECTED), str(CONNECTED)]},
                "usernames": {"values": [LEAD_USERNAME]},
                "passwords": {"values": [LEAD_PASSWORD]},
            },
            "parameters": {
                "query.team": _from("team-ids"),
                "query.repository": _from("repository-ids"),
                "body.team": _from("team-ids"),
                "body.url": _from("urls"),
                "body.option": _from("options"),
                "body.username": _from("usernames"),
                "body.password": _from("passwords"),
                "path.question_key": _from("questions"),
                "header.If-Match": _from("etags"),
            },
            "operations": [
                *(
                    {
                        "include-path-regex": f"^/api/v1/{prefix}/",
                        "parameters": {"path.id": _from(ids)},
                    }
                    for prefix, ids in ids_by_prefix.items()
                ),
                {
                    "include-name": DEPENDS_ON_STORED_DATA,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*POSITIVE_DATA_STATUSES, "400"]
                        }
                    },
                },
            ],
        }
    )


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=_config())


@pytest.fixture(scope="module")
def repositories():
    make_repo(CONNECTED, ORCHESTRATED)
    make_repo(UNCONNECTED, TRAINING_SCRIPTS)
    yield
    shutil.rmtree(REPOSITORIES, ignore_errors=True)


@pytest.fixture
def seeded(db, repositories, settings, django_capture_on_commit_callbacks) -> str:
    """The organisation the run works on; returns the lead's API token."""
    # The repositories are folders on this machine; a deployment refuses such paths.
    settings.SCAN_ALLOW_LOCAL_PATHS = True
    # Throttling has its own tests; here it would turn most of the run into 429s.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token-client": "100000/minute", "auth-token": "100000/minute"},
    }
    team = TeamFactory(id=TEAM_ID, name="Fraud Detection", slug="fraud-detection")
    lead = UserFactory(username=LEAD_USERNAME)
    MembershipFactory(team=team, user=lead, role=Role.LEAD)
    _, token = api_token_create(user=lead, name="schemathesis")

    version = maturity.load_catalogue().version
    submitted = Assessment.objects.create(
        id=SUBMITTED_ID, team=team, catalogue_version=version, created_by=lead
    )
    answer_everything(submitted, answers_all("partly"), lead)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=submitted, user=lead)
    draft = Assessment.objects.create(
        id=DRAFT_ID, team=team, catalogue_version=version, created_by=lead
    )
    for question in graded_questions()[:DRAFT_ANSWERED]:
        answer_save(
            assessment=draft,
            question_key=question.key,
            option_key="yes",
            expected_version=0,
            user=lead,
        )

    repository = Repository.objects.create(
        id=REPOSITORY_ID,
        team=team,
        url=str(CONNECTED),
        access_token_encrypted=encrypt(""),
        webhook_secret_encrypted=encrypt("a webhook secret"),
        created_by=lead,
    )
    Scan.objects.create(id=SCAN_ID, repository=repository, trigger="connect")
    scan = scan_execute(scan_id=SCAN_ID)
    assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
    return token


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
    # `seeded` is built once per operation; the savepoint below restores it between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_every_operation_keeps_to_its_schema(case, seeded):
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Token {seeded}"})
        transaction.set_rollback(True)
