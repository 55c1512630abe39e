"""The API does not N+1: a list or an export runs as many queries for many teams (or
repositories, or scans) as for few.

Each test counts the queries of a request, grows the data (more teams, each with members, tags
and results), and counts again.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Repository, Role, Scan, ScanStatus, TeamTag

from ..assessment_helpers import answer_everything, answers_all
from ..factories import MembershipFactory, TeamFactory, UserFactory
from .conftest import fake_submitted_assessment


def grow(organization, count, *, first):
    """`count` more teams in the organisation, each with two members, a tag and two results."""
    for number in range(first, first + count):
        team = TeamFactory(organization=organization, name=f"Team {number}", slug=f"team-{number}")
        for role in (Role.LEAD, Role.MEMBER):
            MembershipFactory(team=team, user=UserFactory(username=f"{role}-{number}"), role=role)
        TeamTag.objects.create(team=team, name="unit:grown")
        fake_submitted_assessment(team)
        fake_submitted_assessment(team)


def count_queries(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, response.content.decode()[:2000]
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/teams/", {}),
        ("/api/v1/teams/", {"tag": "unit:grown"}),
        ("/api/v1/assessments/", {}),
        ("/api/v1/assessments/", {"status": "submitted", "since": "2000-01-01"}),
        ("/api/v1/export/results/", {}),
        ("/api/v1/export/results/", {"format": "json", "tag": "unit:grown"}),
    ],
    ids=["teams", "teams-tag", "assessments", "assessments-filtered", "export", "export-json"],
)
def test_the_api_runs_as_many_queries_for_eight_teams_as_for_two(as_org_admin, team, url, query):
    grow(team.organization, 2, first=1)
    # The first request of a token records when it was last used; later ones do not.
    count_queries(as_org_admin, url, query)
    with_two = count_queries(as_org_admin, url, query)
    grow(team.organization, 6, first=3)
    with_eight = count_queries(as_org_admin, url, query)
    assert with_two == with_eight


def test_the_answers_of_an_assessment_take_as_many_queries_however_many_there_are(
    as_member, draft, member, lead
):
    url = f"/api/v1/assessments/{draft.pk}/answers/"
    everything = answers_all("partly")
    answer_everything(draft, dict(list(everything.items())[:1]), member)
    count_queries(as_member, url)
    one = count_queries(as_member, url)
    answer_everything(draft, everything, lead)
    assert draft.answers.count() > 10
    assert count_queries(as_member, url) == one


def add_repositories(team, count, *, first):
    """`count` more repositories of the team, each with a finished scan and a queued one."""
    repositories = []
    for number in range(first, first + count):
        repository = Repository.objects.create(
            team=team, url=f"https://git.example.com/ml/r{number}.git"
        )
        Scan.objects.create(
            repository=repository,
            status=ScanStatus.SUCCEEDED,
            commit=f"{number:040x}",
            report={"overall_level": 1, "flags": []},
            findings=[{"capability": "ci"}],
        )
        Scan.objects.create(repository=repository)
        repositories.append(repository)
    return repositories


@pytest.mark.parametrize(
    "query", [{}, {"status": "succeeded"}], ids=["every-scan", "succeeded-scans"]
)
def test_the_scan_list_runs_as_many_queries_for_eight_repositories_as_for_two(
    as_org_admin, team, query
):
    add_repositories(team, 2, first=1)
    count_queries(as_org_admin, "/api/v1/scans/", query)
    with_two = count_queries(as_org_admin, "/api/v1/scans/", query)
    add_repositories(team, 6, first=3)
    assert count_queries(as_org_admin, "/api/v1/scans/", query) == with_two


def test_a_repositorys_scans_take_as_many_queries_however_many_there_are(as_org_admin, team):
    (repository,) = add_repositories(team, 1, first=1)
    url = f"/api/v1/repositories/{repository.pk}/scans/"
    count_queries(as_org_admin, url)
    with_two = count_queries(as_org_admin, url)
    for _ in range(8):
        Scan.objects.create(repository=repository, status=ScanStatus.FAILED)
    assert count_queries(as_org_admin, url) == with_two


def grow_audit_log(organization, count, *, first):
    """`count` more events, each by a different person on a different team."""
    from assessments.models import AuditAction, AuditEvent

    for number in range(first, first + count):
        team = TeamFactory(organization=organization, name=f"Logged {number}", slug=f"log-{number}")
        AuditEvent.objects.create(
            organization=organization,
            team=team,
            actor=UserFactory(username=f"actor-{number}"),
            action=AuditAction.MEMBERSHIP_ADDED,
            object_type="membership",
            object_id=str(number),
            details={"username": f"user-{number}", "role": "member"},
        )


def test_the_audit_log_runs_as_many_queries_for_eight_events_as_for_two(as_org_admin, team):
    grow_audit_log(team.organization, 2, first=1)
    count_queries(as_org_admin, "/api/v1/audit/")
    with_two = count_queries(as_org_admin, "/api/v1/audit/")
    grow_audit_log(team.organization, 6, first=3)
    assert count_queries(as_org_admin, "/api/v1/audit/") == with_two
