"""The audit log page: org admins read their organisations' changes, newest first, 50 a page,
by team and kind of change; nobody else reads it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Role
from assessments.services.memberships import membership_set
from assessments.services.tokens import api_token_create

from .factories import TeamFactory, UserFactory

URL = "/audit/"


def log(organization, count, *, team=None, action=AuditAction.TOKEN_CREATED, first=0):
    """`count` events, each by a different person."""
    for number in range(first, first + count):
        AuditEvent.objects.create(
            organization=organization,
            team=team,
            actor=UserFactory(username=f"actor-{number}"),
            action=action,
            object_type="apitoken",
            object_id=str(number),
            details={"name": f"token {number}"},
        )


def test_an_org_admin_reads_who_changed_what_in_words(client, team, member, org_admin):
    membership_set(
        user=member, role=Role.LEAD, organization=team.organization, team=team, actor=org_admin
    )
    client.force_login(org_admin)
    body = client.get(URL).content.decode()
    assert "Changed a member&#x27;s role" in body
    assert "alice: Member → Team lead" in body
    assert ">olga<" in body
    assert team.name in body


def test_names_typed_by_people_are_shown_as_text(client, team, member, org_admin):
    api_token_create(user=member, name='<script>alert("x")</script>')
    client.force_login(org_admin)
    body = client.get(URL).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def test_the_newest_change_comes_first_and_the_log_is_paged(client, team, org_admin):
    log(team.organization, 60)
    client.force_login(org_admin)
    first = client.get(URL).content.decode()
    assert first.index("actor-59") < first.index("actor-10")
    assert "actor-9<" not in first
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "actor-9<" in second
    assert "actor-59" not in second


def test_it_filters_by_team_and_kind_of_change(client, team, org_admin):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    log(team.organization, 2, team=team)
    log(team.organization, 3, team=other, action=AuditAction.MEMBERSHIP_ADDED, first=2)
    client.force_login(org_admin)
    by_team = client.get(URL, {"team": "search"})
    assert by_team.context["page"].paginator.count == 3
    by_action = client.get(URL, {"action": "token.created"})
    assert by_action.context["page"].paginator.count == 2
    both = client.get(URL, {"team": "search", "action": "token.created"})
    assert both.context["page"].paginator.count == 0
    assert "No change matches these filters" in both.content.decode()


def test_another_organisation_s_team_is_no_filter_and_its_changes_never_show(
    client, team, stranger_org_admin, org_admin
):
    log(team.organization, 3, team=team)
    client.force_login(stranger_org_admin)
    response = client.get(URL, {"team": team.slug})
    body = response.content.decode()
    assert response.status_code == 200
    assert team.name not in body
    assert "actor-" not in body
    assert "Select a valid choice" in body


@pytest.mark.parametrize("who", ["member", "lead", "viewer"])
def test_the_team_s_own_people_are_refused_with_a_sentence(client, team, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Only org admins can read the audit log" in response.content.decode()


def test_without_signing_in_it_asks_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_home_page_links_it_for_org_admins_only(client, team, member, org_admin):
    client.force_login(org_admin)
    assert URL in client.get("/").content.decode()
    client.force_login(member)
    assert URL not in client.get("/").content.decode()


def test_the_page_runs_as_many_queries_for_forty_changes_as_for_four(client, team, org_admin):
    client.force_login(org_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    log(team.organization, 4, team=team)
    count()
    with_four = count()
    other = TeamFactory(organization=team.organization)
    log(team.organization, 36, team=other, first=4)
    assert count() == with_four
