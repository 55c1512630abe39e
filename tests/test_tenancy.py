"""Every team-owned page with three characters: a member, a member of another team, an org admin."""

import pytest
from django.urls import reverse

from assessments.access import can_edit_team, can_manage_team, team_role, visible_teams
from assessments.models import Role

# Each team-owned page, as a function of the team; grows as pages are added.
TEAM_PAGES = {
    "team_detail": lambda team: reverse("team_detail", args=[team.slug]),
}


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_a_member_sees_the_teams_pages(client, team, member, page):
    client.force_login(member)
    response = client.get(TEAM_PAGES[page](team))
    assert response.status_code == 200
    assert team.name in response.content.decode()


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_a_member_of_another_team_gets_not_found(client, team, other_team_member, page):
    client.force_login(other_team_member)
    response = client.get(TEAM_PAGES[page](team))
    assert response.status_code == 404
    assert team.name not in response.content.decode()


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_an_org_admin_sees_every_team_of_the_organisation(client, team, org_admin, page):
    client.force_login(org_admin)
    assert client.get(TEAM_PAGES[page](team)).status_code == 200


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_an_admin_of_another_organisation_gets_not_found(client, team, stranger_org_admin, page):
    client.force_login(stranger_org_admin)
    assert client.get(TEAM_PAGES[page](team)).status_code == 404


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(client, team, page):
    response = client.get(TEAM_PAGES[page](team))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_lists_only_the_users_teams(client, team, other_team_member):
    client.force_login(other_team_member)
    body = client.get(reverse("home")).content.decode()
    assert "Search" in body
    assert team.name not in body


def test_home_lists_every_team_of_an_org_admin(client, team, other_team_member, org_admin):
    client.force_login(org_admin)
    body = client.get(reverse("home")).content.decode()
    assert team.name in body
    assert "Search" in body


def test_team_names_are_shown_as_text_not_markup(client, team, member):
    team.name = "<script>alert(1)</script>"
    team.save()
    client.force_login(member)
    body = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_roles_grant_what_they_say(team, member, lead, viewer, org_admin, other_team_member):
    assert team_role(org_admin, team) == Role.ORG_ADMIN
    assert team_role(other_team_member, team) is None
    assert (can_edit_team(member, team), can_manage_team(member, team)) == (True, False)
    assert (can_edit_team(lead, team), can_manage_team(lead, team)) == (True, True)
    assert (can_edit_team(viewer, team), can_manage_team(viewer, team)) == (False, False)
    assert (can_edit_team(org_admin, team), can_manage_team(org_admin, team)) == (True, True)
    assert can_edit_team(other_team_member, team) is False


def test_inactive_users_see_no_team(team, member):
    member.is_active = False
    member.save()
    assert list(visible_teams(member)) == []


def test_the_team_page_lists_assessments_with_their_levels(
    client, team, member, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_start, assessment_submit

    from .assessment_helpers import answer_everything, answers_all

    submitted = assessment_start(team=team, user=member)
    answer_everything(submitted, answers_all("yes"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=submitted, user=member)
    assessment_start(team=team, user=member)
    client.force_login(member)
    body = client.get(reverse("team_detail", args=[team.slug])).content.decode()
    assert "Submitted" in body
    assert "Draft" in body
    assert "100.0" in body
