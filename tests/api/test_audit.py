"""The audit log in the API: org admins read their organisations' events, filtered and paged;
nobody else reads any."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import AuditAction, AuditEvent
from assessments.services.exemptions import exemption_request
from assessments.services.repositories import repository_connect

from ..factories import MembershipFactory, TeamFactory, UserFactory
from ..scanning.gitrepo import make_repo
from .conftest import token_client


@pytest.fixture
def changes(team, lead, tmp_path):
    """A repository connected and an exemption asked for, by the team's lead."""
    path = make_repo(tmp_path / "repo", {"README.md": "hello"})
    repository_connect(team=team, user=lead, url=str(path), access_token="glpat-not-for-the-log")
    exemption_request(
        team=team,
        user=lead,
        capability_key="feature_store",
        reason="No features are shared.",
        expires_on=timezone.localdate() + timedelta(days=30),
    )


def test_an_org_admin_reads_who_changed_what_newest_first(as_org_admin, changes, team):
    response = as_org_admin.get("/api/v1/audit/", {"team": team.id})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["action"] for row in rows] == ["exemption.requested", "repository.connected"]
    assert rows[0]["actor"] == "lena"
    assert rows[0]["description"] == "Asked for an exemption"
    assert rows[0]["details"] == {
        "capability": "feature_store",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    assert (rows[1]["team"], rows[1]["object_type"]) == (team.id, "repository")
    assert "glpat" not in response.content.decode()


def test_it_filters_by_action_team_and_time(as_org_admin, changes, team):
    def count(**query):
        response = as_org_admin.get("/api/v1/audit/", query)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count(action="repository.connected") == 1
    assert count(action="membership.added") == 0
    other = TeamFactory(organization=team.organization)
    assert count(team=other.id) == 0
    assert count(since=(timezone.now() + timedelta(hours=1)).isoformat()) == 0
    assert count(since=timezone.localdate().isoformat(), team=team.id) == 2


@pytest.mark.parametrize(
    "query", [{"action": "repository.renamed"}, {"since": "yesterday"}, {"team": "search"}]
)
def test_a_bad_filter_answers_400_with_a_sentence(as_org_admin, query):
    response = as_org_admin.get("/api/v1/audit/", query)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_the_log_is_paged(as_org_admin, team, org_admin):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=team.organization,
            actor=org_admin,
            action=AuditAction.TOKEN_CREATED,
            object_type="apitoken",
            object_id=str(number),
            details={"name": f"token {number}"},
        )
        for number in range(60)
    )
    total = AuditEvent.objects.count()
    first = as_org_admin.get("/api/v1/audit/").json()
    assert (first["count"], len(first["results"])) == (total, 50)
    second = as_org_admin.get(first["next"]).json()
    assert len(second["results"]) == total - 50
    small = as_org_admin.get("/api/v1/audit/", {"page_size": 5}).json()
    assert len(small["results"]) == 5


@pytest.mark.parametrize("client_name", ["as_member", "as_lead", "as_viewer"])
def test_the_team_s_own_people_are_refused_with_a_sentence(request, changes, client_name):
    response = request.getfixturevalue(client_name).get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only org admins can read the audit log."


def test_without_a_token_it_answers_401(anonymous):
    assert anonymous.get("/api/v1/audit/").status_code == 401


def test_an_admin_of_two_organisations_reads_both_and_nobody_else_s(changes, team, org_admin):
    elsewhere = TeamFactory()
    MembershipFactory(
        user=org_admin, team=None, organization=elsewhere.organization, role="org_admin"
    )
    third = TeamFactory()
    token_client(MembershipFactory(team=third, user=UserFactory(username="thea")).user)
    client = token_client(org_admin)
    organizations = {row["organization"] for row in client.get("/api/v1/audit/").json()["results"]}
    assert organizations == {team.organization_id, elsewhere.organization_id}


def test_a_superuser_reads_every_organisation_s_log(changes, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    response = token_client(root).get("/api/v1/audit/")
    assert response.json()["count"] == AuditEvent.objects.count()
