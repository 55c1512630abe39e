"""Invitations by email: invite, resend, revoke. Accepting is in invitation_acceptance.py,
sending the email in invitation_emails.py.

The token is 256 random bits and only its SHA-256 is stored (as for API tokens): the email's
link carries it, so resending makes a new token. The email is queued for a worker once the
invitation is committed (`transaction.on_commit`): a rolled back invitation sends nothing.
The invitation records where its email is (`delivery_state`): queued, sent, retrying after a
transient failure, or not delivered, with the reason, so the inviter can resend it. An email
that is not delivered for good is also in the audit log (`invitation.delivery_failed`, by the
system, with the mail server's answer in words).

Resending is refused for `INVITATION_RESEND_COOLDOWN_MINUTES` after the email was last asked
for (`invitation_resend_available_at`, the one place that decides), unless that email was not
delivered: a refused resend changes nothing and records nothing, since nothing was sent.
"""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..access import can_invite
from ..errors import ActionNotAllowed, ApplicationError
from ..models import AuditAction, DeliveryState, Invitation, Organization, Role, Team
from ..selectors.invitations import membership_exists_for_email
from .audit import audit_record
from .encryption import encrypt
from .tokens import hash_token

EMAIL_MAX_LENGTH = 254
MAX_PENDING_PER_ORGANIZATION = 500


class InvitationResendTooSoon(ApplicationError):
    """A resend inside the cooldown; `retry_after_seconds` says when it will be taken."""

    def __init__(self, message: str, *, retry_after_seconds: int, available_at: datetime):
        super().__init__(message, extra={"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds
        self.available_at = available_at


def _normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError("Give a valid email address, e.g. name@example.com.") from error
    return email


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _expiry() -> timedelta:
    return timedelta(days=settings.INVITATION_DAYS)


def _require_can_invite(user: User, invitation: Invitation) -> None:
    if not can_invite(
        user, organization_id=invitation.organization_id, team=invitation.team, role=invitation.role
    ):
        if invitation.team is None:
            raise ActionNotAllowed("Only the organisation's admins can invite organisation admins.")
        raise ActionNotAllowed(
            "Only team leads and org admins can invite people, and leads only to their own team "
            "with a role no higher than their own."
        )


def _record(
    invitation: Invitation, *, action: AuditAction, actor: User | None, **extra: object
) -> None:
    audit_record(
        organization=invitation.organization,
        team=invitation.team,
        actor=actor,
        action=action,
        target=invitation,
        details={"email": invitation.email, "role": invitation.role, **extra},
    )


@transaction.atomic
def invitation_create(
    *, inviter: User, organization: Organization, team: Team | None, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` to `team` with `role` (or to the organisation as an admin when `team` is
    None); returns the invitation and its token, which is never stored. The email is sent when
    the transaction commits; `invitation.delivery_error` says afterwards whether it failed.

    An expired pending invitation to the same place is renewed rather than duplicated."""
    email = _normalize_email(email)
    if role not in Role.values:
        raise ApplicationError("Choose one of the roles offered.")
    if team is not None and team.organization_id != organization.pk:
        raise ApplicationError("The team belongs to another organisation.")
    invitation = Invitation(
        organization=organization, team=team, role=role, email=email, invited_by=inviter
    )
    _require_can_invite(inviter, invitation)
    if membership_exists_for_email(email=email, organization=organization, team=team):
        raise ApplicationError(f"{email} already belongs to {team or organization}.")
    pending = (
        Invitation.objects.select_for_update()
        .filter(
            organization=organization,
            team=team,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
    )
    now = timezone.now()
    if pending is not None:
        if pending.expires_at > now:
            raise ApplicationError(
                f"{email} already has a pending invitation to {team or organization}; resend or "
                "revoke it from the list."
            )
        invitation = pending  # expired: renewed below, with a new token and role
        invitation.role, invitation.invited_by = role, inviter
    elif (
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        ).count()
        >= MAX_PENDING_PER_ORGANIZATION
    ):
        raise ApplicationError(
            f"{organization} already has {MAX_PENDING_PER_ORGANIZATION} pending invitations; "
            "revoke the ones no longer needed first."
        )
    token, invitation.token_hash = _new_token()
    invitation.expires_at = now + _expiry()
    invitation.send_requested_at = now
    invitation.sent_at, invitation.delivery_error = None, ""
    invitation.delivery_state = DeliveryState.QUEUED
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:  # the same invitation made at the same moment elsewhere
        raise ApplicationError(
            f"{email} already has a pending invitation to {team or organization}."
        ) from error
    _record(invitation, action=AuditAction.INVITATION_SENT, actor=inviter)
    _send_on_commit(invitation, token)
    return invitation, token


@dataclass(frozen=True)
class InvitationRow:
    """One address of `invitation_create_many`, as given: its invitation, or why it has none."""

    email: str
    invitation: Invitation | None
    error: str | None


def invitation_create_many(
    *, inviter: User, organization: Organization, team: Team | None, emails: list[str], role: str
) -> list[InvitationRow]:
    """Invite each address on its own to one place with one role (see `invitation_create`),
    one row per address in the order given.

    Who asks is checked once, before any row: ActionNotAllowed refuses the whole list. A row
    refused for itself (an invalid address, someone already a member or invited, a repeat of
    an earlier row) carries its sentence, and the other rows are still invited, each committed
    on its own."""
    _require_can_invite(
        inviter, Invitation(organization=organization, team=team, role=role, email="")
    )
    rows = []
    for email in emails:
        try:
            invitation, _ = invitation_create(
                inviter=inviter, organization=organization, team=team, email=email, role=role
            )
        except ApplicationError as error:
            rows.append(InvitationRow(email, None, error.message))
        else:
            rows.append(InvitationRow(email, invitation, None))
    return rows


def _minutes(count: int) -> str:
    return "1 minute" if count == 1 else f"{count} minutes"


def invitation_resend_available_at(
    invitation: Invitation, *, now: datetime | None = None
) -> datetime | None:
    """When the invitation may be resent, or None when it may be now: the cooldown runs from
    the last time its email was asked for, except after an email that was not delivered (it
    reached nobody, and the list asks the inviter to send it again)."""
    cooldown = timedelta(minutes=settings.INVITATION_RESEND_COOLDOWN_MINUTES)
    if (
        invitation.send_requested_at is None
        or invitation.delivery_state == DeliveryState.FAILED
        or cooldown <= timedelta(0)
    ):
        return None
    available_at = invitation.send_requested_at + cooldown
    return available_at if available_at > (now or timezone.now()) else None


def _refuse_resend_too_soon(invitation: Invitation, now: datetime) -> None:
    available_at = invitation_resend_available_at(invitation, now=now)
    if available_at is None:
        return
    assert invitation.send_requested_at is not None
    elapsed = math.floor((now - invitation.send_requested_at).total_seconds() / 60)
    wait_seconds = max(1, math.ceil((available_at - now).total_seconds()))
    ago = "less than a minute ago" if elapsed < 1 else f"{_minutes(elapsed)} ago"
    raise InvitationResendTooSoon(
        f"This invitation was sent {ago}; it can be sent again in "
        f"{_minutes(math.ceil(wait_seconds / 60))}.",
        retry_after_seconds=wait_seconds,
        available_at=available_at,
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, user: User) -> tuple[Invitation, str]:
    """Send a pending invitation again, with a new token and a new expiry: the old link stops
    working (only a hash is kept, so the old token cannot be sent again). Refused with
    InvitationResendTooSoon, changing nothing, within the cooldown of the last email."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_can_invite(user, invitation)
    if not invitation.is_pending:
        raise ApplicationError("Only pending invitations can be sent again.")
    now = timezone.now()
    _refuse_resend_too_soon(invitation, now)
    token, invitation.token_hash = _new_token()
    invitation.expires_at = now + _expiry()
    invitation.send_requested_at = now
    invitation.sent_at, invitation.delivery_error = None, ""
    invitation.delivery_state = DeliveryState.QUEUED
    invitation.save(
        update_fields=[
            "token_hash",
            "expires_at",
            "send_requested_at",
            "sent_at",
            "delivery_error",
            "delivery_state",
        ]
    )
    _record(invitation, action=AuditAction.INVITATION_SENT, actor=user, resent=True)
    _send_on_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User) -> Invitation:
    """Withdraw a pending invitation: its link stops working. Revoking twice changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_can_invite(user, invitation)
    if invitation.accepted_at is not None:
        raise ApplicationError("The invitation was already accepted; it can no longer be revoked.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _record(invitation, action=AuditAction.INVITATION_REVOKED, actor=user)
    return invitation


def _send_on_commit(invitation: Invitation, token: str) -> None:
    """Queue the email once the invitation is committed: a worker sends it, not the request.

    The token travels in the task's arguments (the broker holds it until a worker takes the
    message; the database keeps only its hash), so a redelivered or retried task sends the same
    link, and a task made stale by a resend (new token) sends nothing."""
    from ..tasks import send_invitation_email

    invitation_id = invitation.pk
    # Sealed: the broker (and anything that lists its messages) never holds a working link.
    sealed = encrypt(token)
    transaction.on_commit(lambda: send_invitation_email.delay(invitation_id, sealed))
