"""Every team-owned page with three characters: a member, a member of another team, an org admin."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.access import (
    can_edit_team,
    can_manage_team,
    is_admin_of_organization,
    organizations_of,
    roles_remembered,
    signed_in,
    team_role,
    team_roles,
    visible_teams,
)
from assessments.models import Role

# Every team-owned page, as a function of the team's objects; grows as pages are added.
TEAM_PAGES = {
    "team_detail": lambda o: reverse("team_detail", args=[o["team"].slug]),
    "team_history": lambda o: reverse("team_history", args=[o["team"].slug]),
    "questionnaire": lambda o: reverse("questionnaire_section", args=[o["draft"].pk, "data"]),
    "organisation_questions": lambda o: reverse(
        "questionnaire_section", args=[o["draft"].pk, "organisation-checks"]
    ),
    "summary": lambda o: reverse("assessment_summary", args=[o["draft"].pk]),
    "result": lambda o: reverse("assessment_result", args=[o["submitted"].pk]),
    "repository": lambda o: reverse("repository_detail", args=[o["repository"].pk]),
    "exemptions": lambda o: reverse("exemption_list") + f"?team={o['team'].slug}",
}


@pytest.fixture
def team_objects(team, lead, django_capture_on_commit_callbacks):
    """One of each team-owned object: a submitted assessment with its result, a draft, a repo."""
    from assessments.models import Repository
    from assessments.services.assessments import assessment_start, assessment_submit
    from assessments.services.check_answers import check_answer_save
    from assessments.services.custom_checks import check_set_import

    from .assessment_helpers import answer_everything, answers_all

    # The organisation's checks ask a question, so the team's draft has an extra page.
    check_set_import(
        organization=team.organization,
        yaml_text=(
            "checks:\n  - {key: incident_review, title: Incidents, dimension: governance, "
            "level: 1, question: 'Are incidents reviewed?'}\n"
        ),
        actor=None,
    )
    submitted = assessment_start(team=team, user=lead)
    answer_everything(submitted, answers_all("partly"), lead)
    check_answer_save(
        assessment=submitted,
        check_key="incident_review",
        option_key="yes",
        expected_version=0,
        user=lead,
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = assessment_submit(assessment=submitted, user=lead)
    return {
        "team": team,
        "submitted": submitted,
        "draft": assessment_start(team=team, user=lead),
        "repository": Repository.objects.create(team=team, url="https://git.example.com/r.git"),
    }


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_a_member_sees_the_teams_pages(client, team_objects, member, page):
    client.force_login(member)
    response = client.get(TEAM_PAGES[page](team_objects))
    assert response.status_code == 200
    assert team_objects["team"].name in response.content.decode()


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_a_member_of_another_team_gets_not_found(client, team_objects, other_team_member, page):
    client.force_login(other_team_member)
    response = client.get(TEAM_PAGES[page](team_objects))
    assert response.status_code == 404
    assert team_objects["team"].name not in response.content.decode()
    assert "Are incidents reviewed?" not in response.content.decode()


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_an_org_admin_sees_every_team_of_the_organisation(client, team_objects, org_admin, page):
    client.force_login(org_admin)
    assert client.get(TEAM_PAGES[page](team_objects)).status_code == 200


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_an_admin_of_another_organisation_gets_not_found(
    client, team_objects, stranger_org_admin, page
):
    client.force_login(stranger_org_admin)
    assert client.get(TEAM_PAGES[page](team_objects)).status_code == 404


@pytest.mark.parametrize("page", sorted(TEAM_PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(client, team_objects, page):
    response = client.get(TEAM_PAGES[page](team_objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_team_owned_model_is_reachable_through_the_tenancy_rule():
    """Each model with a team goes through `visible_to` (or, for records only org admins read,
    `visible_to_org_admins`), so no page can forget the rule."""
    from django.apps import apps

    from assessments.models import OrganizationAdminOnly, Team, TeamOwned

    for model in apps.get_app_config("assessments").get_models():
        fields = {f.name: f for f in model._meta.get_fields()}
        owned_by_team = any(
            getattr(f, "related_model", None) is Team and not f.auto_created
            for f in fields.values()
        )
        # Invitations have a narrower rule of their own, `access.invitations_visible_to`: only
        # the team's leads and the organisation's admins (tests/test_invitation_pages.py).
        if owned_by_team and model.__name__ not in {"Membership", "TeamTag", "Invitation"}:
            assert issubclass(model, TeamOwned | OrganizationAdminOnly), (
                f"{model.__name__} bypasses visible_to()"
            )


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


def test_the_teams_a_user_sees_come_with_their_organisation_in_one_query(
    team, member, other_team_member, django_assert_num_queries
):
    from assessments import selectors

    with django_assert_num_queries(1):
        teams = [(t, t.organization) for t in selectors.team_list_for_user(user=member)]
    assert teams == [(team, team.organization)]
    assert list(selectors.team_list_for_user(user=AnonymousUser())) == []


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


def test_a_role_in_a_team_exists_exactly_where_the_team_is_visible(
    team, member, lead, viewer, org_admin, stranger_org_admin, other_team_member, django_user_model
):
    from django.contrib.auth.models import AnonymousUser

    inactive = django_user_model.objects.create_user("gone", is_active=False)
    inactive.memberships.create(team=team, organization=team.organization, role=Role.MEMBER)
    superuser = django_user_model.objects.create_superuser("root-user", password="x")
    other_team = other_team_member.memberships.get().team
    users = [member, lead, viewer, org_admin, stranger_org_admin, other_team_member]
    users += [inactive, superuser, AnonymousUser()]
    for user in users:
        visible = set(visible_teams(user).values_list("pk", flat=True))
        for candidate in (team, other_team):
            assert (team_role(user, candidate) is not None) == (candidate.pk in visible), (
                user,
                candidate,
            )
        assert team_roles(user, [team, other_team]) == {
            team.pk: team_role(user, team),
            other_team.pk: team_role(user, other_team),
        }, user


def test_the_organisations_a_user_reaches_are_those_of_their_teams_and_administration(
    team, member, org_admin, stranger_org_admin, other_team_member, django_user_model
):
    from django.contrib.auth.models import AnonymousUser

    from assessments.models import Organization

    inactive = django_user_model.objects.create_user("gone", is_active=False)
    inactive.memberships.create(team=team, organization=team.organization, role=Role.MEMBER)
    superuser = django_user_model.objects.create_superuser("root-user", password="x")
    users = [member, org_admin, stranger_org_admin, other_team_member, inactive, superuser]
    for user in [*users, AnonymousUser()]:
        reached = set(organizations_of(user))
        through_teams = {t.organization for t in visible_teams(user)}
        administered = {
            o for o in Organization.objects.all() if is_admin_of_organization(user, o.pk)
        }
        assert reached == through_teams | administered, user
    assert set(organizations_of(superuser)) == set(Organization.objects.all())
    assert stranger_org_admin.memberships.get().organization in organizations_of(stranger_org_admin)


def test_a_query_reading_the_roles_itself_finds_the_role_team_role_finds(
    team,
    member,
    lead,
    viewer,
    org_admin,
    stranger_org_admin,
    other_team_member,
    django_assert_num_queries,
):
    """`roles_held_annotations` (read by the questionnaire's one query) and `team_role` (its
    own query) read the same memberships: remembered, the first answers for the second."""
    from django.db.models import OuterRef

    from assessments.access import remember_roles_held, roles_held, roles_held_annotations
    from assessments.models import Team

    other_team = other_team_member.memberships.get().team
    for user in [member, lead, viewer, org_admin, stranger_org_admin, other_team_member]:
        for candidate in (team, other_team):
            expected = team_role(user, candidate)
            role_in_team, is_org_admin = (
                Team.objects.filter(pk=candidate.pk)
                .annotate(
                    **roles_held_annotations(
                        team_id=OuterRef("pk"),
                        organization_id=OuterRef("organization_id"),
                        user_id=user.pk,
                    )
                )
                .values_list("role_in_team", "is_org_admin")
                .get()
            )
            with roles_remembered():
                remember_roles_held(user, candidate, roles_held(role_in_team, is_org_admin))
                with django_assert_num_queries(0):
                    assert team_role(user, candidate) == expected, (user, candidate)


def test_a_request_reads_a_users_role_in_a_team_once(team, member, django_assert_num_queries):
    with roles_remembered(), django_assert_num_queries(1):
        assert team_role(member, team) == Role.MEMBER
        assert can_edit_team(member, team)
        assert not can_manage_team(member, team)


def test_the_remembered_roles_do_not_leak_between_users(
    team, member, lead, org_admin, other_team_member, stranger_org_admin
):
    """One team instance, checked for several users in the same request: each gets their own
    role, whoever was asked first, and the instance itself carries nothing."""
    attributes = set(vars(team))
    for first, then in [(lead, other_team_member), (other_team_member, lead)]:
        with roles_remembered():
            team_role(first, team)
            assert team_role(then, team) == (Role.LEAD if then == lead else None)
    with roles_remembered():
        assert team_role(member, team) == Role.MEMBER
        assert team_role(stranger_org_admin, team) is None
        assert not can_edit_team(stranger_org_admin, team)
        assert team_role(org_admin, team) == Role.ORG_ADMIN
        team_roles(other_team_member, [team])
        assert team_role(other_team_member, team) is None
        assert team_role(member, team) == Role.MEMBER
    assert set(vars(team)) == attributes


def test_the_remembered_roles_end_with_the_request(client, team, member, django_user_model):
    """A role changed between two requests holds from the next request on, and a page seen
    by one user and then another shows each their own."""
    from assessments.services.assessments import assessment_start

    draft = assessment_start(team=team, user=member)
    page = reverse("questionnaire_section", args=[draft.pk, "data"])
    read_only = "only members and leads can answer"
    client.force_login(member)
    assert read_only not in client.get(page).content.decode()
    member.memberships.filter(team=team).update(role=Role.VIEWER)
    assert read_only in client.get(page).content.decode()
    client.force_login(django_user_model.objects.create_user("nobody-here"))
    assert client.get(page).status_code == 404


def test_models_say_whose_an_object_is_and_never_decide_who_sees_it():
    """Tenancy is decided in access.py alone: models import nothing from it (no import loop)."""
    import ast
    from pathlib import Path

    import assessments.models

    package = Path(assessments.models.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 1
    imported = {
        node.module
        for path in modules
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert not any(module.endswith("access") for module in imported)
    assert not hasattr(assessments.models.Repository.objects, "visible_to")


def test_a_team_role_without_a_team_is_refused_with_a_sentence(team, django_user_model):
    from assessments.errors import ApplicationError
    from assessments.services.memberships import membership_set

    user = django_user_model.objects.create_user("newcomer")
    with pytest.raises(ApplicationError, match="give the team for any other role"):
        membership_set(user=user, role=Role.MEMBER, organization=team.organization, actor=None)
    assert not user.memberships.exists()
    membership_set(
        user=user, role=Role.MEMBER, organization=team.organization, team=team, actor=None
    )
    assert team_role(user, team) == Role.MEMBER


def test_a_view_that_needs_a_signed_in_user_gets_the_user():
    user = User(username="someone")

    assert signed_in(user) is user


def test_an_anonymous_visitor_reaching_such_a_view_is_refused_not_served():
    with pytest.raises(PermissionDenied, match="Sign in to do this."):
        signed_in(AnonymousUser())
