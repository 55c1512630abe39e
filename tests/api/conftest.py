"""API test fixtures: clients authenticated by token or session, a fresh cache per test, and team
A's objects that the tenancy matrix (tests/api/tenancy_matrix.py) points at.

Throttle counters and login lockouts live in the cache; each test gets its own, so one test's
attempts never count against another's.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import (
    Assessment,
    AssessmentStatus,
    ForgeConnection,
    ForgeImport,
    GroupMappingRule,
    Result,
    ResultCapability,
    Scan,
)
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.tokens import api_token_create

from ..assessment_helpers import answer_everything, answers_all


@pytest.fixture
def anonymous():
    return APIClient()


def token_client(user, name="tests") -> APIClient:
    _, plaintext = api_token_create(user=user, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


@pytest.fixture
def as_member(member):
    return token_client(member)


@pytest.fixture
def as_viewer(viewer):
    return token_client(viewer)


@pytest.fixture
def as_lead(lead):
    return token_client(lead)


@pytest.fixture
def as_other(other_team_member):
    return token_client(other_team_member)


@pytest.fixture
def as_org_admin(org_admin):
    return token_client(org_admin)


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


def submit_with_result(assessment, user, django_capture_on_commit_callbacks, answers=None):
    """Answer everything, submit, and run the result computation the commit would queue."""
    answer_everything(assessment, answers or answers_all("partly"), user)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=user)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def submitted(draft, member, django_capture_on_commit_callbacks):
    return submit_with_result(draft, member, django_capture_on_commit_callbacks)


def fake_submitted_assessment(team, *, when=None, level=1, capabilities=("ci", "monitoring")):
    """A submitted assessment with a minimal stored result, cheaper than scoring one."""
    when = when or timezone.now()
    assessment = Assessment.objects.create(
        team=team,
        catalogue_version="test",
        status=AssessmentStatus.SUBMITTED,
        submitted_at=when,
    )
    result = Result.objects.create(
        assessment=assessment,
        catalogue_version="test",
        overall_level=level,
        index=42.5,
        target_level=2,
        weakest_dimension="data",
        ml_test_score=3.0,
        snapshot={},
        computed_at=when,
        team=team,
        submitted_at=when,
    )
    ResultCapability.objects.bulk_create(
        ResultCapability(
            result=result,
            capability_key=key,
            dimension_key="ops",
            required_level=1,
            grade=1.0 if i % 2 == 0 else None,
            source="answer",
            met=i % 2 == 0,
        )
        for i, key in enumerate(capabilities)
    )
    return assessment


def error_of(response) -> dict:
    """The error part of an API answer, checking the one error shape on the way."""
    body = response.json()
    assert set(body) >= {"detail", "error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["detail"] == body["error"]["message"]
    assert body["detail"].endswith((".", "?")), body["detail"]
    return body


@pytest.fixture
def team_a_objects(submitted, team, member, lead, org_admin, tmp_path):
    """Team A with a submitted assessment (result computed), a new draft, a repository and its
    queued scan, an exemption request waiting for a decision, and a campaign for its tag."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import TeamTag
    from assessments.services.assessments import assessment_reopen
    from assessments.services.campaigns import campaign_create
    from assessments.services.check_answers import check_answer_save
    from assessments.services.custom_checks import check_set_import
    from assessments.services.exemptions import exemption_request
    from assessments.services.repositories import repository_connect

    from ..scanning.gitrepo import make_repo

    check_set = check_set_import(
        organization=team.organization,
        yaml_text=(
            "checks:\n  - {key: team_a_registry, title: Registry, dimension: data, "
            "level: 1, rule: {dependency_present: acme}}\n"
            "  - {key: team_a_review, title: Review, dimension: governance, "
            "level: 1, question: 'Does team A review incidents?'}\n"
        ),
        actor=org_admin,
    )[0]
    draft = assessment_reopen(assessment=submitted, user=member).assessment
    path = make_repo(tmp_path / "repo", {"README.md": "team A"})
    repository = repository_connect(team=team, user=lead, url=str(path))
    TeamTag.objects.create(team=team, name="unit:a")
    campaign = campaign_create(
        organization=team.organization,
        user=org_admin,
        title="Level 1 for unit A",
        goal_kind="level",
        goal_level=1,
        scope_tags=["unit:a"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    connection = ForgeConnection.objects.create(
        organization=team.organization,
        kind="github",
        api_url="https://api.github.com",
        owner="acme",
        token_encrypted="",
    )
    forge_import = ForgeImport.objects.create(
        organization=team.organization,
        connection=connection,
        rules="name:* = x",
    )
    from assessments.services.invitations import invitation_create

    invitation, _ = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="invitee-a@example.com",
        role="member",
    )
    return {
        "invitation": invitation,
        "campaign": campaign,
        "connection": connection,
        "forge_import": forge_import,
        "submitted": submitted,
        "draft": draft,
        "team": team,
        "repository": repository,
        "scan": Scan.objects.get(repository=repository),
        "exemption": exemption_request(
            team=team,
            user=lead,
            capability_key="feature_store",
            reason="Team A shares no features.",
            expires_on=timezone.localdate() + timedelta(days=30),
        ),
        "sso_rule": GroupMappingRule.objects.create(
            organization=team.organization, group="team-a", team=team, role="member"
        ),
        "check_set": check_set,
        "check_answer": check_answer_save(
            assessment=draft,
            check_key="team_a_review",
            option_key="partly",
            note="Team A's own words.",
            expected_version=0,
            user=member,
        ),
    }
