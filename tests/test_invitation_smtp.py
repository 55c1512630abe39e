"""Invitations through a real SMTP server (aiosmtpd) on this machine: Django's SMTP backend
sends the email, the test reads it as the invited person would, follows its link and accepts.
And the same with the server stopped: the inviter is told, the invitation is kept, and sending
it again once the server is back delivers a link that works.

Tests marked `redis` send through a real Celery worker, as in production: the request only
queues the email; a server that refuses the address (5xx) fails it at once, one that answers
4xx is retried, and the list shows each state with a resend button."""

import contextlib
import re
import socket
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.urls import reverse

from assessments.models import (
    AuditAction,
    AuditEvent,
    DeliveryState,
    Invitation,
    Membership,
    Role,
)

from .worker import running_worker

SITE_URL = "http://mlmaturity.example"
LINK = re.compile(re.escape(SITE_URL) + r"(/invitations/[A-Za-z0-9_-]+/)")

# Every test here commits for real: the email goes out when the view's invitation commits.
pytestmark = pytest.mark.django_db(transaction=True)


class Collector:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port, with Django's SMTP backend pointed at
    it; yields the collector and the port."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            yield collector, port
    finally:
        controller.stop()


def smtp_settings(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        DEFAULT_FROM_EMAIL="MLMaturity <invitations@mlmaturity.example>",
        SITE_URL=SITE_URL,
    )


def read(envelope):
    """The received message, its plain text and its HTML bodies."""
    message = message_from_bytes(envelope.content, policy=default_policy)
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return message, plain, html


def invite_from_the_page(client, team, email="nadia@example.com", role="member"):
    return client.post(
        reverse("team_invitations", args=[team.slug]), {"email": email, "role": role}, follow=True
    )


def test_an_invitation_travels_through_smtp_and_its_link_is_accepted(client, team, lead):
    client.force_login(lead)
    with smtp_server() as (collector, _):
        response = invite_from_the_page(client, team)
    assert "Invitation sent to nadia@example.com." in response.content.decode()

    (envelope,) = collector.envelopes
    assert envelope.rcpt_tos == ["nadia@example.com"]
    assert envelope.mail_from == "invitations@mlmaturity.example"
    message, plain, html = read(envelope)
    assert message["To"] == "nadia@example.com"
    assert message["Subject"] == "lena invited you to Fraud Detection on MLMaturity"
    path = LINK.search(plain).group(1)
    assert f"{SITE_URL}{path}" in html
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None
    assert invitation.delivery_error == ""

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()
    accepted = client.post(
        path,
        {"username": "nadia", "password1": "a long passphrase", "password2": "a long passphrase"},
        follow=True,
    )
    assert accepted.redirect_chain[-1][0] == reverse("team_detail", args=[team.slug])
    membership = Membership.objects.get(user__username="nadia", team=team)
    assert membership.role == Role.MEMBER
    assert membership.user.email == "nadia@example.com"
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1
    # The link was used: opening it again says so.
    assert client.get(path).status_code == 404


def test_a_stopped_mail_server_is_reported_and_the_invitation_kept(client, team, lead):
    client.force_login(lead)
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    controller.stop()  # the server is gone: connections to its port are refused

    with smtp_settings(port):
        response = invite_from_the_page(client, team)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is saved, but the email could not be sent" in html
    assert "Not delivered" in html
    invitation = Invitation.objects.get()
    assert invitation.delivery_error
    assert invitation.sent_at is None
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count() == 1
    # The audit log says so too, by the system, with the reason in words.
    (failed,) = AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED)
    assert failed.actor is None
    assert failed.team == team
    assert failed.object_id == str(invitation.pk)
    assert failed.details["email"] == "nadia@example.com"
    assert failed.details["reason"] == invitation.delivery_error
    assert "refused the connection" in failed.details["reason"]

    # Mail works again: sending again from the list delivers a link that works.
    with smtp_server() as (collector, _):
        resent = client.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert "Invitation sent again to nadia@example.com." in resent.content.decode()
    invitation.refresh_from_db()
    assert (invitation.delivery_error, invitation.sent_at is not None) == ("", True)
    (envelope,) = collector.envelopes
    path = LINK.search(read(envelope)[1]).group(1)
    client.logout()
    assert client.get(path).status_code == 200


class RefusingRecipients(Collector):
    """Refuses every recipient with `code` the first `refusals` times, then accepts them."""

    def __init__(self, code: str, refusals: int):
        super().__init__()
        self.code, self.refusals, self.refused = code, refusals, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refused < self.refusals:
            self.refused += 1
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextlib.contextmanager
def worker_sending_to(port):
    """A real Celery worker whose email goes to the SMTP server on `port`, retrying transient
    failures twice within about a second, so a test sees the whole policy play out."""
    extra_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": "MLMaturity <invitations@mlmaturity.example>",
        "SITE_URL": SITE_URL,
        "INVITATION_EMAIL_MAX_RETRIES": "2",
        "INVITATION_EMAIL_RETRY_MAX_SECONDS": "1",
    }
    with running_worker(extra_env=extra_env) as queue:
        yield queue


def wait_for_delivery(invitation, *, leaving, timeout=60):
    """Wait (not a timed assertion: the bound only stops a hung test) until the worker has
    moved the invitation out of the `leaving` states."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.delivery_state not in leaving:
            return invitation
        time.sleep(0.2)
    raise AssertionError(f"the invitation stayed {invitation.delivery_state}")


@contextlib.contextmanager
def smtp_with(handler):
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.mark.redis
def test_a_worker_sends_the_email_after_the_request(client, team, lead):
    client.force_login(lead)
    collector = Collector()
    with smtp_with(collector) as port, worker_sending_to(port):
        response = invite_from_the_page(client, team)
        # The request only queued the email.
        assert "saved; its email is on its way" in response.content.decode()
        invitation = Invitation.objects.get()
        invitation = wait_for_delivery(invitation, leaving={DeliveryState.QUEUED})
    assert invitation.delivery_state == DeliveryState.SENT
    (envelope,) = collector.envelopes
    path = LINK.search(read(envelope)[1]).group(1)
    client.logout()
    assert client.get(path).status_code == 200


@pytest.mark.redis
def test_a_refusing_server_leaves_a_failed_invitation_to_resend(client, team, lead):
    """550 is final: no retry, the list says why and offers to resend; once the server takes
    the address, resending delivers a link that works. Nothing of the invitation is lost."""
    client.force_login(lead)
    refusing = RefusingRecipients("550 5.1.1 No such mailbox here", refusals=1)
    with smtp_with(refusing) as port, worker_sending_to(port):
        invite_from_the_page(client, team)
        invitation = wait_for_delivery(Invitation.objects.get(), leaving={DeliveryState.QUEUED})
        assert invitation.delivery_state == DeliveryState.FAILED
        assert refusing.refused == 1  # refused for good: not retried
        # The worker recorded it in the audit log with the server's answer.
        (failed,) = AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED)
        assert failed.actor is None
        assert failed.details["reason"] == (
            "the mail server refused the address: 550 5.1.1 No such mailbox here"
        )
        page = client.get(reverse("team_invitations", args=[team.slug])).content.decode()
        assert "✕ Not delivered" in page
        assert "No such mailbox here" in page
        assert f'action="{reverse("invitation_resend", args=[invitation.pk])}"' in page
        assert "Resend the invitation to nadia@example.com" in page
        assert invitation.is_pending
        assert invitation.sent_at is None

        client.post(reverse("invitation_resend", args=[invitation.pk]))
        invitation = wait_for_delivery(invitation, leaving={DeliveryState.QUEUED})
    assert invitation.delivery_state == DeliveryState.SENT
    # Delivered on the second try: still the one failure in the log.
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED).count() == 1
    (envelope,) = refusing.envelopes
    path = LINK.search(read(envelope)[1]).group(1)
    client.logout()
    assert client.get(path).status_code == 200


@pytest.mark.redis
def test_a_busy_server_is_retried_until_it_takes_the_email(client, team, lead):
    client.force_login(lead)
    busy = RefusingRecipients("451 4.3.0 Try again later", refusals=2)
    with smtp_with(busy) as port, worker_sending_to(port):
        invite_from_the_page(client, team)
        invitation = wait_for_delivery(
            Invitation.objects.get(), leaving={DeliveryState.QUEUED, DeliveryState.RETRYING}
        )
    assert invitation.delivery_state == DeliveryState.SENT
    assert busy.refused == 2
    assert len(busy.envelopes) == 1


@pytest.mark.redis
def test_a_server_busy_for_longer_than_the_retries_ends_as_not_delivered(client, team, lead):
    client.force_login(lead)
    busy = RefusingRecipients("451 4.3.0 Try again later", refusals=100)
    with smtp_with(busy) as port, worker_sending_to(port):
        invite_from_the_page(client, team)
        invitation = wait_for_delivery(
            Invitation.objects.get(), leaving={DeliveryState.QUEUED, DeliveryState.RETRYING}
        )
    assert invitation.delivery_state == DeliveryState.FAILED
    assert busy.refused == 3  # the first attempt and two retries
    assert "Try again later" in invitation.delivery_error
    assert invitation.is_pending
    # Retries are not failures yet: one event, for the last attempt, with the server's answer.
    (failed,) = AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED)
    assert failed.details["reason"] == invitation.delivery_error
    assert "451 4.3.0 Try again later" in failed.details["reason"]
