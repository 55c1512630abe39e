"""An assessment is found for exactly the users `team_role` lets see its team, and the role its
query reads is the one `team_role` gives, remembered for the rest of the request."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from assessments import selectors
from assessments.access import roles_remembered, team_role
from assessments.models import Role
from assessments.services.assessments import assessment_start

from .factories import MembershipFactory


def test_it_finds_the_assessment_for_exactly_the_users_with_a_role_in_its_team(
    team,
    member,
    lead,
    viewer,
    org_admin,
    stranger_org_admin,
    other_team_member,
    django_user_model,
):
    draft = assessment_start(team=team, user=member)
    inactive = django_user_model.objects.create_user("gone", is_active=False)
    inactive.memberships.create(team=team, organization=team.organization, role=Role.MEMBER)
    superuser = django_user_model.objects.create_superuser("root-user", password="x")
    # A lead of the team who also administers its organisation: the admin's role wins.
    MembershipFactory(user=lead, team=None, organization=team.organization, role=Role.ORG_ADMIN)
    users = [member, lead, viewer, org_admin, stranger_org_admin, other_team_member]
    users += [inactive, superuser, AnonymousUser()]

    for user in users:
        expected = team_role(user, team)
        with roles_remembered():
            try:
                found = selectors.assessment_get_for_user(user=user, assessment_id=draft.pk)
            except Http404:
                found = None
            remembered = team_role(user, team)
        assert (found is not None) == (expected is not None), user
        assert remembered == expected, user
        if found is not None:
            assert (found.pk, found.team.pk, found.team.organization.pk) == (
                draft.pk,
                team.pk,
                team.organization_id,
            )
    assert team_role(lead, team) == Role.ORG_ADMIN


def test_the_role_comes_with_the_assessment_in_one_query(team, member, django_assert_num_queries):
    draft = assessment_start(team=team, user=member)
    with roles_remembered(), django_assert_num_queries(1):
        assessment = selectors.assessment_get_for_user(user=member, assessment_id=draft.pk)
        assert team_role(member, assessment.team) == Role.MEMBER


def test_an_assessment_that_does_not_exist_is_not_found(member):
    with pytest.raises(Http404):
        selectors.assessment_get_for_user(user=member, assessment_id=987654)


def test_it_reads_the_organisations_current_check_set_with_the_assessment(team, member, org_admin):
    from assessments.models import CheckSetVersion
    from assessments.services.custom_checks import check_set_import

    draft = assessment_start(team=team, user=member)
    opened = selectors.assessment_with_check_set_get_for_user(user=member, assessment_id=draft.pk)
    assert opened.check_set is None

    checks = (
        "checks:\n  - key: incident_review\n    title: Incidents reviewed\n"
        "    dimension: governance\n    level: 1\n    question: Reviewed?\n"
    )
    for _ in range(2):
        check_set_import(organization=team.organization, yaml_text=checks, actor=org_admin)
    current = CheckSetVersion.objects.filter(organization=team.organization).latest("number")

    opened = selectors.assessment_with_check_set_get_for_user(user=member, assessment_id=draft.pk)
    assert opened.check_set == (current.pk, current.created_at)
    assert opened.assessment.pk == draft.pk
