"""Invitations by email: invite, resend, revoke, accept.

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

Accepting gives the role through `membership_set`, so the audit log records the membership as
for any other, followed by the invitation's own `invitation.accepted` event.
"""

import logging
import math
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..access import ROLE_RANK, can_invite, team_role
from ..errors import ActionNotAllowed, ApplicationError, InvitationEmailDeferred
from ..models import AuditAction, DeliveryState, Invitation, Membership, Organization, Role, Team
from .audit import audit_record
from .secrets import decrypt, encrypt
from .tenancy import membership_set
from .tokens import hash_token

logger = logging.getLogger(__name__)

DELIVERY_ERROR_MAX_LENGTH = 300
EMAIL_MAX_LENGTH = 254
MAX_PENDING_PER_ORGANIZATION = 500


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


def invitation_link(token: str) -> str:
    """The absolute address of the accept page: emails are sent outside any request."""
    return f"{settings.SITE_URL}{reverse('invitation_accept', args=[token])}"


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


def invitation_check_allowed(
    *, inviter: User, organization: Organization, team: Team | None, role: str
) -> None:
    """Raise ActionNotAllowed unless `inviter` may invite people to `team` (or to the
    organisation as admins when None) with `role`: for callers that check once for many."""
    _require_can_invite(
        inviter, Invitation(organization=organization, team=team, role=role, email="")
    )


def _already_member(email: str, organization: Organization, team: Team | None) -> bool:
    users = User.objects.filter(email__iexact=email, is_active=True)
    if team is None:
        return Membership.objects.filter(
            user__in=users, organization=organization, role=Role.ORG_ADMIN
        ).exists()
    return Membership.objects.filter(user__in=users, team=team).exists()


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
    if _already_member(email, organization, team):
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
        admin = Membership.objects.filter(
            user=user, organization=invitation.organization, role=Role.ORG_ADMIN
        ).exists()
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


TEMPORARY_SMTP_CODES = range(400, 500)


def _is_transient(error: Exception) -> bool:
    """True for failures that another attempt may overcome; a 5xx answer (address refused,
    message rejected) or any other error is final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code in TEMPORARY_SMTP_CODES for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code in TEMPORARY_SMTP_CODES
    # Connection refused or reset, timeouts, a server that hung up (SMTPServerDisconnected).
    return isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError))


def _smtp_answer(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


def _delivery_reason(error: Exception) -> str:
    """Why the email did not go out, in words an inviter can act on, with the server's own
    answer when it gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, message = next(iter(error.recipients.values()))
        return f"the mail server refused the address: {_smtp_answer(code, message)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server answered {_smtp_answer(error.smtp_code, error.smtp_error)}"
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection (is it running, on the port configured?)"
    if isinstance(error, TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError)):
        return f"the mail server closed the connection ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"


def _delivery_failed(
    invitation_id: int,
    error: Exception | None,
    *,
    token_hash: str | None,
    last_attempt: bool,
    reason: str = "",
) -> None:
    """Record a failed attempt on the invitation, for the link it carried (`token_hash`): an
    attempt for a link since replaced by a resend changes nothing."""
    if error is not None:
        reason = _delivery_reason(error)[:DELIVERY_ERROR_MAX_LENGTH] or "failed"
    retry = error is not None and not last_attempt and _is_transient(error)
    this_link = Invitation.objects.filter(pk=invitation_id)
    if token_hash is not None:
        this_link = this_link.filter(token_hash=token_hash)
    logger.warning(
        "Invitation %s was not delivered%s: %s",
        invitation_id,
        " (will retry)" if retry else "",
        reason,
    )
    if retry:
        this_link.update(delivery_error=reason, delivery_state=DeliveryState.RETRYING)
        raise InvitationEmailDeferred(reason) from error
    with transaction.atomic():
        # Conditional, so a message delivered twice records one failure, not two; a resend
        # sets the invitation back to queued, and its own failure is recorded again.
        failed_now = this_link.exclude(delivery_state=DeliveryState.FAILED).update(
            delivery_error=reason, delivery_state=DeliveryState.FAILED
        )
        if failed_now:
            invitation = Invitation.objects.select_related("organization", "team").get(
                pk=invitation_id
            )
            _record(
                invitation,
                action=AuditAction.INVITATION_DELIVERY_FAILED,
                actor=None,
                reason=reason,
            )


def invitation_send_sealed_email(
    *, invitation_id: int, sealed_token: str, last_attempt: bool = True
) -> bool:
    """`invitation_send_email` with the token as the task carries it, sealed; False when it can
    no longer be unsealed (the encryption key changed): the inviter resends."""
    try:
        token = decrypt(sealed_token)
    except ApplicationError:
        _delivery_failed(
            invitation_id,
            None,
            token_hash=None,
            last_attempt=True,
            reason="The link could not be read back (the encryption key changed); resend it.",
        )
        return False
    return invitation_send_email(
        invitation_id=invitation_id, token=token, last_attempt=last_attempt
    )


def invitation_send_email(*, invitation_id: int, token: str, last_attempt: bool = True) -> bool:
    """Send the invitation's email now; True when the mail server took it, False when it was
    not sent (failed, or nothing to send: the invitation was accepted, revoked or resent with
    a new link since, or this link already went out). A failure is logged and kept on the
    invitation (`delivery_state`, `delivery_error`); a transient one raises
    InvitationEmailDeferred unless this is the `last_attempt`. The invitation always stays."""
    invitation = (
        Invitation.objects.select_related("organization", "team", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or not invitation.is_pending
        or invitation.token_hash != hash_token(token)
        or invitation.delivery_state == DeliveryState.SENT
    ):
        return False
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "inviter": inviter.get_full_name() or inviter.get_username() if inviter else "Someone",
        "place": invitation.team.name if invitation.team else invitation.organization.name,
        "organization": invitation.organization.name,
        "role": Role(invitation.role).label,
        "link": invitation_link(token),
        "expires_at": invitation.expires_at,
    }
    try:
        # One line whatever the names hold: a header must not take a newline.
        subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("emails/invitation.txt", context),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
        message.send()
    except Exception as error:  # refused, unreachable, timed out, or the message not built
        _delivery_failed(
            invitation_id, error, token_hash=invitation.token_hash, last_attempt=last_attempt
        )
        return False
    Invitation.objects.filter(pk=invitation_id, token_hash=invitation.token_hash).update(
        sent_at=timezone.now(), delivery_error="", delivery_state=DeliveryState.SENT
    )
    return True
