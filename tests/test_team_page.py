"""The team page: its members, assessments and repositories, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Repository, Role, Scan, ScanStatus

from .api.conftest import fake_submitted_assessment
from .factories import MembershipFactory, UserFactory


def grow(team, count, *, first):
    """`count` more members, submitted assessments and scanned repositories of the team."""
    for number in range(first, first + count):
        MembershipFactory(
            team=team, user=UserFactory(username=f"member-{number}"), role=Role.MEMBER
        )
        fake_submitted_assessment(team)
        repository = Repository.objects.create(
            team=team, url=f"https://git.example.com/ml/r{number}.git"
        )
        Scan.objects.create(
            repository=repository, status=ScanStatus.SUCCEEDED, report={"overall_level": 1}
        )


def count_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("team_detail", args=[team.slug]))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_team_page_runs_as_many_queries_for_eight_of_everything_as_for_two(client, team, lead):
    client.force_login(lead)
    grow(team, 2, first=1)
    with_two = count_queries(client, team)
    grow(team, 6, first=3)
    body = client.get(reverse("team_detail", args=[team.slug])).content.decode()
    assert "member-8" in body
    assert "r8" in body
    assert count_queries(client, team) == with_two


def test_the_team_page_lists_its_members_with_their_roles(client, team, member, lead):
    client.force_login(member)
    body = client.get(reverse("team_detail", args=[team.slug])).content.decode()
    assert f'{lead.username} <span class="role">(Team lead)</span>' in body
    assert f'{member.username} <span class="role">(Member)</span>' in body
