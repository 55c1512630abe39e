"""Delivering an invitation's email from the task: never twice, never a replaced or revoked
link, the link sealed on its way, a transient failure retried on a worker and a refused address
final, and failures for good recorded in the audit log.
"""

import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from assessments.errors import InvitationEmailDeferred
from assessments.models import (
    AuditAction,
    DeliveryState,
    Invitation,
    Role,
)
from assessments.services.encryption import encrypt
from assessments.services.invitation_emails import invitation_send_email
from assessments.services.invitations import invitation_resend, invitation_revoke
from assessments.services.tokens import hash_token
from assessments.tasks import send_invitation_email

from ..factories import last_email_asked_for
from .helpers import LINK, events, invite


def test_an_email_still_queued_with_a_replaced_link_is_not_sent(
    team, lead, django_capture_on_commit_callbacks
):
    """Both tasks run after the resend, as when the first waited in the queue: only the new
    link goes out, since the old one no longer works."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation, old_token = invite(team, lead)
        last_email_asked_for(invitation, minutes_ago=11)
        invitation, token = invitation_resend(invitation=invitation, user=lead)
    (message,) = mail.outbox
    assert LINK.search(message.body).group(1) == token
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.SENT


def test_a_redelivered_task_does_not_send_the_email_twice(team, lead):
    invitation, token = invite(team, lead)
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is True
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    assert len(mail.outbox) == 1


def test_a_revoked_invitation_sends_nothing_from_the_queue(team, lead):
    invitation, token = invite(team, lead)
    invitation_revoke(invitation=invitation, user=lead)
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    assert mail.outbox == []


class RefusingBackend:
    """A mail server that cannot be reached."""

    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RefusingBackend.attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")


class RejectingBackend:
    """A mail server that refuses the address for good (550)."""

    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RejectingBackend.attempts += 1
        raise smtplib.SMTPRecipientsRefused({"nadia@example.com": (550, b"No such user")})


def test_in_process_a_transient_failure_is_final_at_once(team, lead, settings):
    """Without a worker (tasks run in the request) nothing would retry later: the invitation is
    marked as not delivered at the first failure and kept. Retries on a worker are tested in
    test_invitation_smtp.py."""
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RefusingBackend"
    RefusingBackend.attempts = 0
    invitation, token = invite(team, lead)
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    assert RefusingBackend.attempts == 1
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.FAILED
    assert invitation.delivery_error.startswith("the mail server refused the connection")
    assert invitation.is_pending


def test_a_transient_failure_asks_the_worker_to_retry(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RefusingBackend"
    invitation, token = invite(team, lead)
    with pytest.raises(InvitationEmailDeferred):
        invitation_send_email(invitation_id=invitation.pk, token=token, last_attempt=False)
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.RETRYING
    assert invitation.delivery_error.startswith("the mail server refused the connection")


def test_a_refused_address_is_final_even_on_a_worker(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RejectingBackend"
    RejectingBackend.attempts = 0
    invitation, token = invite(team, lead)
    sent = invitation_send_email(invitation_id=invitation.pk, token=token, last_attempt=False)
    assert sent is False
    assert RejectingBackend.attempts == 1
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.FAILED
    assert invitation.delivery_error == "the mail server refused the address: 550 No such user"


def test_the_email_task_declares_its_policy():
    assert send_invitation_email.acks_late is True
    assert send_invitation_email.autoretry_for == (InvitationEmailDeferred,)
    assert send_invitation_email.max_retries == 5
    assert send_invitation_email.expires == 60 * 60 * 24


def test_a_failure_for_good_is_in_the_audit_log_once_with_the_server_s_answer(
    client, team, lead, org_admin, settings
):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RejectingBackend"
    invitation, token = invite(team, lead)
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    # The same message delivered twice (acks_late) fails again: still one event.
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    (failed,) = events(AuditAction.INVITATION_DELIVERY_FAILED)
    assert failed.actor is None
    assert failed.organization == team.organization
    assert failed.team == team
    assert (failed.object_type, failed.object_id) == ("invitation", str(invitation.pk))
    assert failed.details == {
        "email": "nadia@example.com",
        "role": Role.MEMBER,
        "reason": "the mail server refused the address: 550 No such user",
    }
    client.force_login(org_admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "An invitation&#x27;s email was not delivered" in page
    assert "nadia@example.com as Member: the mail server refused the address: 550 No such" in page


def test_a_failure_that_will_be_retried_is_not_in_the_audit_log(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RefusingBackend"
    invitation, token = invite(team, lead)
    with pytest.raises(InvitationEmailDeferred):
        invitation_send_email(invitation_id=invitation.pk, token=token, last_attempt=False)
    assert events(AuditAction.INVITATION_DELIVERY_FAILED) == []


def test_a_resent_invitation_that_fails_again_is_recorded_again(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.RejectingBackend"
    invitation, token = invite(team, lead)
    send_invitation_email.apply(args=[invitation.pk, encrypt(token)])
    invitation, token = invitation_resend(invitation=invitation, user=lead)
    send_invitation_email.apply(args=[invitation.pk, encrypt(token)])
    assert len(events(AuditAction.INVITATION_DELIVERY_FAILED)) == 2


def test_the_task_carries_the_link_sealed_never_in_clear(
    team, lead, django_capture_on_commit_callbacks
):
    from celery.signals import task_prerun

    seen = []

    def record(sender=None, args=None, **kwargs):
        seen.append(tuple(args))

    task_prerun.connect(record, sender=send_invitation_email, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitation, token = invite(team, lead)
    finally:
        task_prerun.disconnect(record, sender=send_invitation_email)
    ((invitation_id, carried),) = seen
    assert invitation_id == invitation.pk
    assert token not in carried
    assert LINK.search(mail.outbox[0].body).group(1) == token


def test_a_link_that_cannot_be_unsealed_is_not_delivered_and_says_why(team, lead):
    invitation, _ = invite(team, lead)
    assert send_invitation_email.apply(args=[invitation.pk, "not-a-sealed-link"]).get() == {
        "invitation": invitation.pk,
        "sent": False,
    }
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.FAILED
    assert "encryption key changed" in invitation.delivery_error


class ResentMeanwhileBackend:
    """The inviter resends while this attempt waits on the mail server, which then refuses."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        Invitation.objects.update(
            token_hash=hash_token("a-newer-link"), delivery_state=DeliveryState.QUEUED
        )
        raise smtplib.SMTPRecipientsRefused({"nadia@example.com": (550, b"No such user")})


def test_a_failed_attempt_for_a_replaced_link_leaves_the_resend_alone(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.invitations.test_email_delivery.ResentMeanwhileBackend"
    invitation, token = invite(team, lead)
    assert invitation_send_email(invitation_id=invitation.pk, token=token) is False
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.QUEUED
    assert events(AuditAction.INVITATION_DELIVERY_FAILED) == []
