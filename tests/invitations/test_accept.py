"""Accepting an invitation, by the signed-in owner of the address or with a new account: roles
never lowered, password rules kept, and expired, used and unknown links refused.
"""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import (
    AuditAction,
    Invitation,
    Membership,
    Role,
)
from assessments.services.invitation_acceptance import (
    InvitationInvalid,
    InvitationState,
    invitation_accept,
    invitation_accept_new_user,
)
from assessments.services.invitations import invitation_create

from ..factories import UserFactory
from .helpers import events, invite


def test_accepting_as_the_signed_in_owner_of_the_address(team, lead):
    invitation, token = invite(team, lead, role=Role.VIEWER)
    nadia = UserFactory(username="nadia", email="Nadia@Example.com")
    acceptance = invitation_accept(token=token, user=nadia)
    assert acceptance.membership_changed
    membership = Membership.objects.get(user=nadia, team=team)
    assert membership.role == Role.VIEWER
    (added,) = events(AuditAction.MEMBERSHIP_ADDED)
    assert added.actor == lead  # the inviter gave the role
    (accepted,) = events(AuditAction.INVITATION_ACCEPTED)
    assert accepted.actor == nadia
    assert accepted.details["username"] == "nadia"
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.is_pending) == (nadia, False)
    with pytest.raises(InvitationInvalid) as again:
        invitation_accept(token=token, user=nadia)
    assert again.value.state is InvitationState.USED


def test_another_account_cannot_accept_an_invitation_for_someone_else(team, lead, member):
    _, token = invite(team, lead)
    with pytest.raises(ActionNotAllowed, match="another email address"):
        invitation_accept(token=token, user=member)
    assert not events(AuditAction.INVITATION_ACCEPTED)


def test_accepting_never_lowers_a_role_already_held(team, lead, org_admin):
    _, token = invite(team, org_admin, email="lena@example.com", role=Role.VIEWER)
    lead.email = "lena@example.com"  # the address was not yet the lead's when invited
    lead.save()
    acceptance = invitation_accept(token=token, user=lead)
    assert not acceptance.membership_changed
    assert Membership.objects.get(user=lead, team=team).role == Role.LEAD
    assert not events(AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert len(events(AuditAction.INVITATION_ACCEPTED)) == 1


def test_accepting_with_a_new_account(team, lead):
    _, token = invite(team, lead, email="nadia@example.com")
    acceptance = invitation_accept_new_user(
        token=token, username="nadia", password="a long enough passphrase"
    )
    nadia = acceptance.user
    assert (nadia.username, nadia.email) == ("nadia", "nadia@example.com")
    assert nadia.check_password("a long enough passphrase")
    assert Membership.objects.get(user=nadia, team=team).role == Role.MEMBER


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("nadia", "123", "too short"),
        ("nadia", "password", "too common"),
        ("nadia", "nadiaexample", "too similar"),
        ("lena", "a long enough passphrase", "username is taken"),
        ("LENA", "a long enough passphrase", "username is taken"),
        ("bad name!", "a long enough passphrase", "valid username"),
        ("", "a long enough passphrase", "Choose a username"),
    ],
)
def test_a_new_account_follows_the_password_validators(team, lead, username, password, message):
    _, token = invite(team, lead, email="nadia@example.com")
    with pytest.raises(ApplicationError, match=message):
        invitation_accept_new_user(token=token, username=username, password=password)
    assert not User.objects.filter(email="nadia@example.com").exists()
    assert Invitation.objects.get().is_pending


def test_a_new_account_is_refused_when_the_address_has_one(team, lead):
    UserFactory(username="nadia", email="nadia@example.com")
    _, token = invite(team, lead, email="nadia@example.com")
    with pytest.raises(ApplicationError, match="log in"):
        invitation_accept_new_user(token=token, username="nadia2", password="a long passphrase")


def test_expired_and_unknown_tokens_cannot_be_accepted(team, lead):
    invitation, token = invite(team, lead)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(InvitationInvalid) as expired:
        invitation_accept_new_user(token=token, username="nadia", password="a long passphrase")
    assert expired.value.state is InvitationState.EXPIRED
    with pytest.raises(InvitationInvalid) as unknown:
        invitation_accept_new_user(token="x" * 43, username="nadia", password="a long passphrase")
    assert unknown.value.state is InvitationState.UNKNOWN
    assert not User.objects.filter(username="nadia").exists()


def test_an_accepted_org_admin_invitation_makes_an_org_admin(team, org_admin):
    _, token = invitation_create(
        inviter=org_admin,
        organization=team.organization,
        team=None,
        email="new.admin@example.com",
        role=Role.ORG_ADMIN,
    )
    acceptance = invitation_accept_new_user(
        token=token, username="newadmin", password="a long enough passphrase"
    )
    assert Membership.objects.filter(
        user=acceptance.user, organization=team.organization, role=Role.ORG_ADMIN, team=None
    ).exists()


def test_a_superuser_accepting_an_org_admin_invitation_already_holds_the_role(
    team, org_admin, django_user_model
):
    """A superuser administers every organisation (access.is_admin_of_organization), as for a
    team's invitation (access.team_role): accepting records the acceptance, adds no row."""
    _, token = invitation_create(
        inviter=org_admin,
        organization=team.organization,
        team=None,
        email="root@example.com",
        role=Role.ORG_ADMIN,
    )
    root = django_user_model.objects.create_superuser("root", email="root@example.com")
    acceptance = invitation_accept(token=token, user=root)
    assert not acceptance.membership_changed
    assert not root.memberships.exists()
    assert len(events(AuditAction.INVITATION_ACCEPTED)) == 1
