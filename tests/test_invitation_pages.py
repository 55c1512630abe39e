"""The invitation pages: a team's invite form and pending list, the organisation's list, and the
accept page, which works signed out; with the tenancy rule: only the team's leads and org admins
see or change its invitations."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditAction, AuditEvent, Invitation, Membership, Role
from assessments.services.invitation_guard import GUESSES_ALLOWED
from assessments.services.invitations import invitation_create, invitation_revoke

from .factories import MembershipFactory, TeamFactory, UserFactory, last_email_asked_for


def invite(team, inviter, email="nadia@example.com", role=Role.MEMBER):
    return invitation_create(
        inviter=inviter, organization=team.organization, team=team, email=email, role=role
    )


def accept_url(token):
    return reverse("invitation_accept", args=[token])


def test_a_lead_invites_from_the_team_page(client, team, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)
    page = client.get(reverse("team_detail", args=[team.slug]))
    assert reverse("team_invitations", args=[team.slug]).encode() in page.content
    url = reverse("team_invitations", args=[team.slug])
    form = client.get(url)
    assert form.status_code == 200
    roles = re.findall(r'<option value="(\w+)"', form.content.decode())
    assert roles == ["lead", "member", "viewer"]  # never org admin from a team
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Nadia@Example.com", "role": "viewer"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    # The worker sends the email after the commit: the page says it is on its way.
    assert "Invitation to nadia@example.com saved; its email is on its way" in html
    assert "Sending…" in html
    assert "nadia@example.com</th>" in html
    assert len(mail.outbox) == 1
    assert "✓ " in client.get(url).content.decode()  # the list shows when it went out
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.invited_by) == (Role.VIEWER, lead)


def test_the_form_refuses_a_second_pending_invitation_with_a_sentence(client, team, lead):
    invite(team, lead)
    client.force_login(lead)
    response = client.post(
        reverse("team_invitations", args=[team.slug]),
        {"email": "nadia@example.com", "role": "member"},
    )
    assert response.status_code == 200
    assert "already has a pending invitation" in response.content.decode()


def test_a_role_above_the_form_s_choices_is_refused(client, team, lead):
    client.force_login(lead)
    response = client.post(
        reverse("team_invitations", args=[team.slug]),
        {"email": "nadia@example.com", "role": "org_admin"},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_a_member_can_neither_invite_nor_see_the_invitations(client, team, lead, member):
    invite(team, lead)
    client.force_login(member)
    url = reverse("team_invitations", args=[team.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": "x@example.com", "role": "viewer"}).status_code == 403
    page = client.get(reverse("team_detail", args=[team.slug])).content.decode()
    assert "nadia@example.com" not in page
    assert url not in page
    assert Invitation.objects.count() == 1


def test_a_lead_of_another_team_cannot_invite_into_or_see_this_team(client, team, lead):
    invitation, _ = invite(team, lead)
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    other_lead = MembershipFactory(
        team=other, user=UserFactory(username="sam"), role=Role.LEAD
    ).user
    invite(other, other_lead, email="someone@example.com")
    client.force_login(other_lead)
    url = reverse("team_invitations", args=[team.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "x@example.com", "role": "viewer"}).status_code == 404
    for action in ("invitation_resend", "invitation_revoke"):
        assert client.post(reverse(action, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending
    # The organisation's list is for admins; a lead is refused it.
    assert client.get(reverse("organization_invitations")).status_code == 403
    own = client.get(reverse("team_invitations", args=[other.slug])).content.decode()
    assert "someone@example.com" in own
    assert "nadia@example.com" not in own


def test_an_org_admin_sees_every_invitation_and_invites_an_admin(
    client, team, lead, org_admin, stranger_org_admin, django_capture_on_commit_callbacks
):
    invite(team, lead)
    client.force_login(org_admin)
    url = reverse("organization_invitations")
    page = client.get(url).content.decode()
    assert "nadia@example.com" in page
    assert "Fraud Detection" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"email": "boss@example.com", "organization": team.organization.slug}, follow=True
        )
    assert Invitation.objects.get(email="boss@example.com").role == Role.ORG_ADMIN
    # The admin of another organisation sees none of them and cannot invite into this one.
    client.force_login(stranger_org_admin)
    page = client.get(url).content.decode()
    assert "nadia@example.com" not in page
    assert "boss@example.com" not in page
    response = client.post(url, {"email": "x@example.com", "organization": team.organization.slug})
    assert response.status_code == 200
    assert not Invitation.objects.filter(email="x@example.com").exists()


def test_resend_and_revoke_from_the_list(client, team, lead, django_capture_on_commit_callbacks):
    invitation, _ = invite(team, lead)
    last_email_asked_for(invitation, minutes_ago=11)
    client.force_login(lead)
    list_url = reverse("team_invitations", args=[team.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_resend", args=[invitation.pk]), {"next": list_url}, follow=True
        )
    assert "Invitation to nadia@example.com renewed; its email is on its way" in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1
    response = client.post(
        reverse("invitation_revoke", args=[invitation.pk]), {"next": list_url}, follow=True
    )
    assert "revoked; its link no longer works" in response.content.decode()
    assert "No pending invitations." in response.content.decode()


def test_a_new_person_accepts_signed_out_and_is_logged_in(client, team, lead):
    _, token = invite(team, lead)
    page = client.get(accept_url(token))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Create your account" in html
    assert "lena invited <strong>nadia@example.com</strong>" in html
    response = client.post(
        accept_url(token),
        {"username": "nadia", "password1": "a long passphrase", "password2": "a long passphrase"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("team_detail", args=[team.slug])
    assert response.context["user"].username == "nadia"
    assert "Welcome to Fraud Detection: you are now member." in response.content.decode()
    assert Membership.objects.filter(user__username="nadia", team=team).exists()
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1


def test_a_weak_password_is_refused_on_the_page(client, team, lead):
    _, token = invite(team, lead)
    response = client.post(
        accept_url(token), {"username": "nadia", "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="nadia").exists()
    mismatch = client.post(
        accept_url(token),
        {"username": "nadia", "password1": "a long passphrase", "password2": "another one"},
    )
    assert "The two passwords differ" in mismatch.content.decode()


def test_an_existing_account_logs_in_first_then_accepts(client, team, lead):
    nadia = UserFactory(username="nadia", email="nadia@example.com")
    _, token = invite(team, lead)
    page = client.get(accept_url(token)).content.decode()
    assert "Log in to accept" in page
    assert f"{reverse('login')}?next={accept_url(token)}" in page
    client.force_login(nadia)
    assert "Accept the invitation" in client.get(accept_url(token)).content.decode()
    response = client.post(accept_url(token))
    assert response.status_code == 302
    assert Membership.objects.get(user=nadia, team=team).role == Role.MEMBER


def test_another_signed_in_account_is_told_to_log_out(client, team, lead, member):
    _, token = invite(team, lead)
    client.force_login(member)
    page = client.get(accept_url(token)).content.decode()
    assert "whose email address is not the invited one" in page
    client.post(accept_url(token))
    assert not Membership.objects.filter(team=team, user__email="nadia@example.com").exists()
    assert Invitation.objects.get().is_pending


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ("expired", "This invitation has expired"),
        ("revoked", "This invitation was withdrawn"),
        ("used", "This invitation has already been accepted"),
        ("unknown", "This invitation link is not valid"),
    ],
)
def test_a_link_that_does_not_work_answers_404_with_one_sentence(
    client, team, lead, state, sentence
):
    invitation, token = invite(team, lead)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "revoked":
        invitation_revoke(invitation=invitation, user=lead)
    elif state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif state == "unknown":
        token = "A" * 43
    for response in (client.get(accept_url(token)), client.post(accept_url(token))):
        assert response.status_code == 404
        html = response.content.decode()
        assert sentence in html
        # Nothing of the invitation: not its team, address, organisation or inviter.
        for secret in ("Fraud Detection", "nadia@example.com", team.organization.name, "lena"):
            assert secret not in html
    assert not User.objects.filter(email="nadia@example.com").exists()


def test_guessing_links_is_stopped(client, team, lead):
    _, token = invite(team, lead)
    for n in range(GUESSES_ALLOWED):
        assert client.get(accept_url(f"guess{n}")).status_code == 404
    assert client.get(accept_url("guess-more")).status_code == 429
    # Once stopped, even a real link answers the same, so a guess cannot be confirmed.
    assert client.get(accept_url(token)).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_failed_delivery_is_said_to_the_inviter_and_kept(client, team, lead, settings):
    """Committed for real, so the email is sent when the view's invitation commits, as live."""
    settings.EMAIL_BACKEND = "tests.test_invitation_pages.RefusingBackend"
    client.force_login(lead)
    response = client.post(
        reverse("team_invitations", args=[team.slug]),
        {"email": "nadia@example.com", "role": "member"},
        follow=True,
    )
    html = response.content.decode()
    assert "is saved, but the email could not be sent" in html
    assert "Not delivered" in html
    invitation = Invitation.objects.get()
    assert invitation.delivery_error.startswith("the mail server refused the connection")
    assert invitation.sent_at is None


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_the_audit_log_page_names_the_invited_address_and_role(client, team, lead, org_admin):
    invitation, _ = invite(team, lead, role=Role.VIEWER)
    invitation_revoke(invitation=invitation, user=lead)
    client.force_login(org_admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "Sent an invitation" in page
    assert "Revoked an invitation" in page
    assert page.count("nadia@example.com as Viewer") == 2


def test_outsiders_get_not_found_and_anonymous_visitors_the_login_page(
    client, team, lead, stranger_org_admin, other_team_member
):
    invitation, _ = invite(team, lead)
    url = reverse("team_invitations", args=[team.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 302
    for outsider in (stranger_org_admin, other_team_member):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending
