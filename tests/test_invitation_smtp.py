"""Invitations through a real SMTP server (aiosmtpd) on this machine: Django's SMTP backend
sends the email, the test reads it as the invited person would, follows its link and accepts.
And the same with the server stopped: the inviter is told, the invitation is kept, and sending
it again once the server is back delivers a link that works."""

import contextlib
import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Invitation, Membership, Role

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
