"""Resending an invitation waits INVITATION_RESEND_COOLDOWN_MINUTES after its last email, so an
address cannot be flooded: the service decides, the API answers 429 with Retry-After, the list
says when Resend works again. Time is moved by setting the stored timestamp, never by waiting."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.errors import ActionNotAllowed
from assessments.models import AuditAction, AuditEvent, DeliveryState, Invitation, Role
from assessments.services.invitations import (
    InvitationResendTooSoon,
    invitation_create,
    invitation_resend,
    invitation_resend_available_at,
)

from .factories import last_email_asked_for


@pytest.fixture(autouse=True)
def _cooldown(settings):
    settings.INVITATION_RESEND_COOLDOWN_MINUTES = 10


@pytest.fixture
def invitation(team, lead):
    invitation, _ = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="nadia@example.com",
        role=Role.MEMBER,
    )
    return invitation


def resent_events():
    return AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT, details__resent=True)


def saved_state(invitation):
    return Invitation.objects.values(
        "token_hash", "expires_at", "send_requested_at", "delivery_state", "sent_at"
    ).get(pk=invitation.pk)


def test_an_invitation_records_when_its_email_was_asked_for(invitation):
    assert timezone.now() - invitation.send_requested_at < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("minutes_ago", "sentence"),
    [
        (3, "This invitation was sent 3 minutes ago; it can be sent again in 7 minutes."),
        (9.5, "This invitation was sent 9 minutes ago; it can be sent again in 1 minute."),
        (0, "This invitation was sent less than a minute ago; it can be sent again in 10 minutes."),
    ],
)
def test_a_resend_within_the_cooldown_is_refused_and_changes_nothing(
    invitation, lead, django_capture_on_commit_callbacks, minutes_ago, sentence
):
    last_email_asked_for(invitation, minutes_ago=minutes_ago)
    before = saved_state(invitation)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvitationResendTooSoon) as refused,
    ):
        invitation_resend(invitation=invitation, user=lead)
    assert refused.value.message == sentence
    wait = (10 - minutes_ago) * 60
    assert wait - 5 <= refused.value.retry_after_seconds <= wait
    assert saved_state(invitation) == before
    assert mail.outbox == []
    assert not resent_events().exists()


def test_a_resend_after_the_cooldown_sends_and_starts_it_again(
    invitation, lead, django_capture_on_commit_callbacks
):
    last_email_asked_for(invitation, minutes_ago=10)
    old_hash = invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_resend(invitation=invitation, user=lead)
    assert invitation.token_hash != old_hash
    assert len(mail.outbox) == 1
    assert resent_events().count() == 1
    assert invitation_resend_available_at(invitation) > timezone.now() + timedelta(minutes=9)
    with pytest.raises(InvitationResendTooSoon):
        invitation_resend(invitation=invitation, user=lead)


def test_an_email_that_was_not_delivered_can_be_sent_again_at_once(invitation, lead):
    """It reached nobody, and the list asks the inviter to send it again."""
    Invitation.objects.filter(pk=invitation.pk).update(delivery_state=DeliveryState.FAILED)
    invitation.refresh_from_db()
    assert invitation_resend_available_at(invitation) is None
    invitation, _ = invitation_resend(invitation=invitation, user=lead)
    assert invitation.delivery_state == DeliveryState.QUEUED


def test_a_cooldown_of_zero_turns_the_wait_off(invitation, lead, settings):
    settings.INVITATION_RESEND_COOLDOWN_MINUTES = 0
    invitation_resend(invitation=invitation, user=lead)
    assert resent_events().count() == 1


def test_who_may_not_resend_is_told_so_before_any_wait(invitation, member):
    """The tenancy rule comes first: a member learns nothing of the invitation's emails."""
    with pytest.raises(ActionNotAllowed):
        invitation_resend(invitation=invitation, user=member)


# --- the pages ---------------------------------------------------------------------------------


def test_the_list_disables_resend_until_the_cooldown_ends(client, team, lead, invitation):
    client.force_login(lead)
    url = reverse("team_invitations", args=[team.slug])
    available_at = timezone.localtime(invitation.send_requested_at + timedelta(minutes=10))
    page = client.get(url).content.decode()
    assert f'disabled aria-describedby="resend-wait-{invitation.pk}"' in page
    assert f">{available_at:%H:%M}</time>" in page
    last_email_asked_for(invitation, minutes_ago=11)
    page = client.get(url).content.decode()
    assert f"resend-wait-{invitation.pk}" not in page
    assert "Resend the invitation to nadia@example.com" in page


def test_a_resend_too_soon_from_the_page_says_when_and_changes_nothing(
    client, team, lead, invitation
):
    last_email_asked_for(invitation, minutes_ago=3)
    before = saved_state(invitation)
    client.force_login(lead)
    list_url = reverse("team_invitations", args=[team.slug])
    response = client.post(
        reverse("invitation_resend", args=[invitation.pk]), {"next": list_url}, follow=True
    )
    page = response.content.decode()
    assert "This invitation was sent 3 minutes ago; it can be sent again in 7 minutes." in page
    assert f'disabled aria-describedby="resend-wait-{invitation.pk}"' in page
    assert saved_state(invitation) == before
    assert not resent_events().exists()


def test_the_organisation_list_disables_resend_too(client, org_admin, invitation):
    client.force_login(org_admin)
    page = client.get(reverse("organization_invitations")).content.decode()
    assert f'disabled aria-describedby="resend-wait-{invitation.pk}"' in page
