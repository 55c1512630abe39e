"""An invitation's email, as a worker sends it: the link, the message, and where the email is
(`delivery_state`) after each attempt, with the mail server's answer in words when it failed.
The email is queued by invitations.py once the invitation is committed."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..errors import ApplicationError, InvitationEmailDeferred
from ..models import AuditAction, DeliveryState, Invitation, Role
from .encryption import decrypt
from .invitations import _record
from .tokens import hash_token

logger = logging.getLogger(__name__)

DELIVERY_ERROR_MAX_LENGTH = 300


def invitation_link(token: str) -> str:
    """The absolute address of the accept page: emails are sent outside any request."""
    return f"{settings.SITE_URL}{reverse('invitation_accept', args=[token])}"


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
