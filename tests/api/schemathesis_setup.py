"""What both schemathesis runs share: the seeded organisation and the dictionaries naming it.

One organisation is seeded (a team, its lead with a personal API token, a submitted assessment
with its result, the team's draft, a connected repository with a finished scan, an exemption
request waiting for a decision, a campaign for every team), and an org admin, whose token reads
the audit log (the lead's is refused it, as documented). Generated ids and keys rarely name a
row that exists, so the runs are given dictionaries: the seeded ids, the catalogue's question
keys and answer options, the repositories' paths. About half of those values come from them, the
rest are generated. The seeded rows take fixed ids, far above what the sequences reach in a test
run.

The in-process run (test_schemathesis.py) builds its config with `schemathesis.Config.from_dict`;
the run against a live server (test_schemathesis_embedded.py) writes the same dictionary as a
schemathesis.toml for the command line.
"""

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from assessments import maturity

from ..scanning.archetypes import ORCHESTRATED, TRAINING_SCRIPTS
from ..scanning.gitrepo import make_repo

SEED = 20261107
FROM_DICTIONARY = 0.5  # the share of values taken from the dictionaries below

TEAM_ID = 900_001
SUBMITTED_ID, DRAFT_ID = 900_011, 900_012
REPOSITORY_ID = 900_021
SCAN_ID = 900_031
EXEMPTION_ID = 900_041
CAMPAIGN_ID = 900_051
LEAD_USERNAME = "lena"
LEAD_PASSWORD = "correct horse battery staple"  # UserFactory's password
ORG_ADMIN_USERNAME = "olga"
DRAFT_ANSWERED = 5  # questions answered in the draft (version 1); the others are at version 0

# Whether these requests succeed depends on stored data or state that no schema can describe: a
# team id the user can see, an option that the question offers, an assessment that is still a
# draft (or already submitted), a password that matches, a path that is a git repository not
# connected yet, a capability without a request yet, an exemption request still waiting for a
# decision (and a note to reject it), an organisation the user administers (campaigns), or a
# forge connection the user administers. The API refuses the rest with a 400 and a sentence, as
# documented, so 400 joins the statuses schema-valid input may get here. Every other operation
# stays strict.
DEPENDS_ON_STORED_DATA = [
    "POST /api/v1/assessments/",
    "POST /api/v1/assessments/{id}/answers/",
    "PUT /api/v1/assessments/{id}/answers/{question_key}/",
    # The organisation's own questions are its stored check set's.
    "PUT /api/v1/assessments/{id}/check-answers/{check_key}/",
    "POST /api/v1/assessments/{id}/submit/",
    "POST /api/v1/assessments/{id}/reopen/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/repositories/",
    "POST /api/v1/exemptions/",
    "POST /api/v1/exemptions/{id}/approve/",
    "POST /api/v1/exemptions/{id}/reject/",
    "POST /api/v1/exemptions/{id}/withdraw/",
    "POST /api/v1/campaigns/",
    "PATCH /api/v1/campaigns/{id}/",
    # A kit fits a repository or not by what the repository holds (a training script, sample
    # data); a kit that does not fit is refused with a 400 and a sentence.
    "GET /api/v1/repositories/{id}/kits/{capability}/",
    "POST /api/v1/campaigns/{id}/archive/",
    # Only an organisation's admins connect forges and preview imports: the lead gets a 400
    # naming the organisation or connection it does not administer (and never reaches a forge).
    "POST /api/v1/forges/",
    "POST /api/v1/imports/",
    # An invitation needs a team or an organisation (either may be left out, not both), an
    # address that is not already a member or invited there, and a caller allowed to invite:
    # a 400 with a sentence otherwise.
    "POST /api/v1/invitations/",
    "POST /api/v1/invitations/bulk/",
]
POSITIVE_DATA_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def _from(dictionary: str) -> dict:
    return {"dictionary": dictionary, "probability": FROM_DICTIONARY}


def config_dict(*, connected: Path, unconnected: Path) -> dict:
    """The run's configuration; `connected` is the seeded repository's folder."""
    catalogue = maturity.load_catalogue()
    ids_by_prefix = {
        "teams": "team-ids",
        "assessments": "assessment-ids",
        "repositories": "repository-ids",
        "scans": "scan-ids",
        "exemptions": "exemption-ids",
        "campaigns": "campaign-ids",
    }
    return {
        "seed": SEED,
        "generation": {"mode": "all"},
        "dictionaries": {
            "team-ids": {"values": [TEAM_ID]},
            "assessment-ids": {"values": [SUBMITTED_ID, DRAFT_ID]},
            "repository-ids": {"values": [REPOSITORY_ID]},
            "scan-ids": {"values": [SCAN_ID]},
            "exemption-ids": {"values": [EXEMPTION_ID]},
            "campaign-ids": {"values": [CAMPAIGN_ID]},
            "capabilities": {"values": [c.key for c in catalogue.capabilities]},
            "questions": {"values": [question.key for question in catalogue.questions]},
            # Every graded question offers these; context questions have their own.
            "options": {"values": ["no", "partly", "yes", "unknown"]},
            "etags": {"values": ['"0"', '"1"']},
            "urls": {"values": [str(unconnected), str(connected)]},
            "usernames": {"values": [LEAD_USERNAME]},
            "passwords": {"values": [LEAD_PASSWORD]},
        },
        "parameters": {
            "query.team": _from("team-ids"),
            "query.repository": _from("repository-ids"),
            "body.team": _from("team-ids"),
            "body.url": _from("urls"),
            "body.option": _from("options"),
            "body.capability": _from("capabilities"),
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


def as_toml(config: dict) -> str:
    """`config` as schemathesis.toml: plain keys, tables, and arrays of tables for lists of
    dictionaries. Strings, numbers and lists are written as JSON, which TOML reads the same."""
    lines: list[str] = []

    def key(name: str) -> str:
        return name if name.replace("-", "").replace("_", "").isalnum() else json.dumps(name)

    def table(prefix: str, values: dict, header: str | None) -> None:
        if header:
            lines.append(header)
        nested = []
        for name, value in values.items():
            is_table = isinstance(value, dict)
            is_array_of_tables = isinstance(value, list) and value and isinstance(value[0], dict)
            if is_table or is_array_of_tables:
                nested.append((name, value))  # after the plain keys, as TOML requires
            else:
                lines.append(f"{key(name)} = {json.dumps(value)}")
        for name, value in nested:
            path = f"{prefix}{key(name)}"
            if isinstance(value, dict):
                table(f"{path}.", value, f"[{path}]")
            else:
                for item in value:
                    table(f"{path}.", item, f"[[{path}]]")

    table("", config, None)
    return "\n".join(lines) + "\n"


def make_repositories(folder: Path) -> tuple[Path, Path]:
    """The git repositories the run connects: (the seeded one, one not connected yet)."""
    connected = make_repo(folder / "pipeline", ORCHESTRATED)
    unconnected = make_repo(folder / "training", TRAINING_SCRIPTS)
    return connected, unconnected


def seed_organisation(*, connected: str) -> str:
    """Create the organisation the run works on; returns the lead's API token."""
    from assessments.models import (
        Assessment,
        Campaign,
        Exemption,
        Repository,
        Role,
        Scan,
        ScanStatus,
    )
    from assessments.services.answers import answer_save
    from assessments.services.assessments import assessment_submit
    from assessments.services.encryption import encrypt
    from assessments.services.results import result_compute
    from assessments.services.scans import scan_execute
    from assessments.services.tokens import api_token_create

    from ..assessment_helpers import answer_everything, answers_all, graded_questions
    from ..factories import MembershipFactory, TeamFactory, UserFactory

    team = TeamFactory(id=TEAM_ID, name="Fraud Detection", slug="fraud-detection")
    lead = UserFactory(username=LEAD_USERNAME)
    MembershipFactory(team=team, user=lead, role=Role.LEAD)
    _, token = api_token_create(user=lead, name="schemathesis")

    version = maturity.load_catalogue().version
    submitted = Assessment.objects.create(
        id=SUBMITTED_ID, team=team, catalogue_version=version, created_by=lead
    )
    answer_everything(submitted, answers_all("partly"), lead)
    assessment_submit(assessment=submitted, user=lead)
    # Computed here, whether or not the commit's own computation ran (it is idempotent).
    submitted.refresh_from_db()
    result_compute(assessment=submitted)
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
        url=str(connected),
        access_token_encrypted=encrypt(""),
        webhook_secret_encrypted=encrypt("a webhook secret"),
        created_by=lead,
    )
    Scan.objects.create(id=SCAN_ID, repository=repository, trigger="connect")
    scan = scan_execute(scan_id=SCAN_ID)
    assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
    Exemption.objects.create(
        id=EXEMPTION_ID,
        team=team,
        capability_key="feature_store",
        reason="No features are shared between models.",
        expires_on=timezone.localdate() + timedelta(days=90),
        requested_by=lead,
        requested_at=timezone.now(),
    )
    Campaign.objects.create(
        id=CAMPAIGN_ID,
        organization=team.organization,
        title="Every team at level 1",
        goal_kind="level",
        goal_level=1,
        starts_on=timezone.localdate() - timedelta(days=30),
        deadline=timezone.localdate() + timedelta(days=60),
    )
    return token


def seed_audit_reader() -> str:
    """An org admin of the seeded organisation, made through the service so that the audit log
    holds a membership event; returns the admin's API token (whose creation is logged too)."""
    from assessments.models import Role, Team
    from assessments.services.memberships import membership_set
    from assessments.services.tokens import api_token_create

    from ..factories import UserFactory

    admin = UserFactory(username=ORG_ADMIN_USERNAME)
    organization = Team.objects.get(id=TEAM_ID).organization
    membership_set(user=admin, role=Role.ORG_ADMIN, organization=organization, actor=None)
    _, token = api_token_create(user=admin, name="schemathesis")
    return token
