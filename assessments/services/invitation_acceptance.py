"""Accepting an invitation, by the invited address's own account or a new one.

Accepting gives the role through `membership_set`, so the audit log records the membership as
for any other, followed by the invitation's own `invitation.accepted` event.
"""

from dataclasses import dataclass
from enum import Enum

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..access import ROLE_RANK, is_admin_of_organization, team_role
from ..errors import ActionNotAllowed, ApplicationError
from ..models import AuditAction, Invitation, Role
from .invitations import _record
from .memberships import membership_set
from .tokens import hash_token


class InvitationState(Enum):
    """Why a link does not work; each has the one sentence the accept page shows."""

    UNKNOWN = "This invitation link is not valid; check that it was copied whole."
    EXPIRED = "This invitation has expired; ask the person who invited you to send a new one."
    REVOKED = "This invitation was withdrawn; ask the person who invited you if you still need it."
    USED = "This invitation has already been accepted; log in to use your account."


class InvitationInvalid(ApplicationError):
    def __init__(self, state: InvitationState):
        super().__init__(state.value)
        self.state = state


def invitation_state(invitation: Invitation | None) -> InvitationState | None:
    """None when the invitation can be accepted, else why not."""
    if invitation is None:
        return InvitationState.UNKNOWN
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    return None


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation whose link carries `token`, in any state; None when there is none."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organization", "team", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _acceptable(token: str) -> Invitation:
    """The invitation, locked, or InvitationInvalid saying why it cannot be accepted."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "team", "invited_by")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    state = invitation_state(invitation)
    if state is not None:
        raise InvitationInvalid(state)
    assert invitation is not None
    return invitation


@dataclass(frozen=True)
class Acceptance:
    invitation: Invitation
    user: User
    # False when the user already held the role or a higher one there: nothing changed.
    membership_changed: bool


def _accept(invitation: Invitation, user: User) -> Acceptance:
    if invitation.team is not None:
        held = team_role(user, invitation.team)
    else:
        admin = is_admin_of_organization(user, invitation.organization_id)
        held = Role.ORG_ADMIN if admin else None
    changed = held is None or ROLE_RANK[held] < ROLE_RANK[invitation.role]
    if changed:
        membership_set(
            user=user,
            role=invitation.role,
            organization=invitation.organization,
            team=invitation.team,
            actor=invitation.invited_by,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _record(
        invitation,
        action=AuditAction.INVITATION_ACCEPTED,
        actor=user,
        username=user.get_username(),
    )
    return Acceptance(invitation=invitation, user=user, membership_changed=changed)


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Acceptance:
    """Accept as the signed-in `user`, whose email must be the invited address: the link may
    have been forwarded, and the invitation is for the address, not for whoever holds it."""
    invitation = _acceptable(token)
    if not user.is_active or (user.email or "").strip().lower() != invitation.email:
        raise ActionNotAllowed(
            "This invitation is for another email address; log out and open the link again, or "
            "ask for an invitation to your own address."
        )
    return _accept(invitation, user)


USERNAME_MAX_LENGTH = 150


@transaction.atomic
def invitation_accept_new_user(*, token: str, username: str, password: str) -> Acceptance:
    """Accept by creating an account for the invited address with the chosen username and
    password (Django's password validators apply). Refused when an account already uses the
    address: its owner logs in and accepts instead."""
    invitation = _acceptable(token)
    username = (username or "").strip()
    if not username:
        raise ApplicationError("Choose a username.")
    if len(username) > USERNAME_MAX_LENGTH:
        raise ApplicationError(f"The username is longer than {USERNAME_MAX_LENGTH} characters.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ApplicationError(
            "An account already uses this email address; log in to accept the invitation."
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("That username is taken; choose another.")
    user = User(username=username, email=invitation.email)
    try:
        User.username_validator(username)
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    return _accept(invitation, user)
