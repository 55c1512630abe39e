"""Invitations as the services make them: who may invite whom to what, the email sent once the
invitation is committed (and never for one rolled back), resend, revoke, and accepting, by an
existing account or a new one, with the audit log's events."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError, InvitationEmailDeferred
from assessments.models import (
    AuditAction,
    AuditEvent,
    DeliveryState,
    Invitation,
    Membership,
    Role,
)
from assessments.services.encryption import encrypt
from assessments.services.invitation_acceptance import (
    InvitationInvalid,
    InvitationState,
    invitation_accept,
    invitation_accept_new_user,
    invitation_for_token,
)
from assessments.services.invitation_emails import invitation_send_email
from assessments.services.invitations import invitation_create, invitation_resend, invitation_revoke
from assessments.services.tokens import hash_token
from assessments.tasks import send_invitation_email

from .factories import MembershipFactory, TeamFactory, UserFactory, last_email_asked_for

LINK = re.compile(r"http://testserver-site/invitations/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver-site"
    settings.INVITATION_DAYS = 7


def invite(team, inviter, email="nadia@example.com", role=Role.MEMBER):
    return invitation_create(
        inviter=inviter, organization=team.organization, team=team, email=email, role=role
    )


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_an_invitation_stores_only_the_hash_and_mails_the_link_once_committed(
    team, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(team, lead, email="  Nadia@Example.COM ")
        assert mail.outbox == []  # not before the commit
    assert invitation.email == "nadia@example.com"
    assert invitation.token_hash == hash_token(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    (message,) = mail.outbox
    assert message.to == ["nadia@example.com"]
    assert message.subject == "lena invited you to Fraud Detection on MLMaturity"
    assert LINK.search(message.body).group(1) == token
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f"http://testserver-site/invitations/{token}/" in html
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert invitation.delivery_error == ""
    (event,) = events(AuditAction.INVITATION_SENT)
    assert (event.actor, event.team, event.object_id) == (lead, team, str(invitation.pk))
    assert event.details == {"email": "nadia@example.com", "role": "member"}
    assert token not in str(event.details)


def _invite_then_fail(team, lead):
    with transaction.atomic():
        invite(team, lead)
        raise RuntimeError("the surrounding change fails")


def test_a_rolled_back_invitation_sends_nothing(team, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _invite_then_fail(team, lead)
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    assert not events(AuditAction.INVITATION_SENT)


def test_user_text_is_escaped_in_the_html_body(team, django_capture_on_commit_callbacks):
    team.name = "<script>alert(1)</script> & co"
    team.save()
    boss = UserFactory(username="olga")
    MembershipFactory(user=boss, team=None, organization=team.organization, role=Role.ORG_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        invite(team, boss)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>alert(1)</script> & co" in mail.outbox[0].body  # plain text stays plain
    assert "\n" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("who", "role", "allowed"),
    [
        ("org_admin", Role.LEAD, True),
        ("org_admin", Role.VIEWER, True),
        ("lead", Role.LEAD, True),
        ("lead", Role.MEMBER, True),
        ("lead", Role.VIEWER, True),
        ("member", Role.MEMBER, False),
        ("member", Role.VIEWER, False),
        ("viewer", Role.VIEWER, False),
        ("other_team_member", Role.VIEWER, False),
        ("stranger_org_admin", Role.MEMBER, False),
    ],
)
def test_who_may_invite_whom(request, team, who, role, allowed):
    inviter = request.getfixturevalue(who)
    if allowed:
        invitation, _ = invite(team, inviter, role=role)
        assert invitation.role == role
    else:
        with pytest.raises(ActionNotAllowed):
            invite(team, inviter, role=role)
        assert not Invitation.objects.exists()
        assert not events(AuditAction.INVITATION_SENT)


def test_a_lead_of_another_team_cannot_invite_into_this_one(team):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    other_lead = MembershipFactory(team=other, role=Role.LEAD).user
    with pytest.raises(ActionNotAllowed):
        invite(team, other_lead, role=Role.VIEWER)


def test_only_the_organisations_admins_invite_org_admins(team, lead, org_admin):
    with pytest.raises(ActionNotAllowed):
        invitation_create(
            inviter=lead,
            organization=team.organization,
            team=None,
            email="a@example.com",
            role=Role.ORG_ADMIN,
        )
    with pytest.raises(ActionNotAllowed):  # a team role needs a team
        invitation_create(
            inviter=org_admin,
            organization=team.organization,
            team=None,
            email="a@example.com",
            role=Role.MEMBER,
        )
    invitation, _ = invitation_create(
        inviter=org_admin,
        organization=team.organization,
        team=None,
        email="a@example.com",
        role=Role.ORG_ADMIN,
    )
    assert invitation.team is None


def test_one_pending_invitation_per_address_and_team(team, lead):
    invite(team, lead, email="nadia@example.com")
    with pytest.raises(ApplicationError, match="already has a pending invitation"):
        invite(team, lead, email="NADIA@example.com")
    other = TeamFactory(organization=team.organization)
    MembershipFactory(team=other, user=lead, role=Role.LEAD)
    invite(other, lead, email="nadia@example.com")  # another team is another invitation
    assert Invitation.objects.count() == 2


def test_an_expired_invitation_is_renewed_rather_than_duplicated(team, lead):
    first, old_token = invite(team, lead, role=Role.VIEWER)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    renewed, token = invite(team, lead, role=Role.MEMBER)
    assert renewed.pk == first.pk
    assert renewed.role == Role.MEMBER
    assert token != old_token
    assert invitation_for_token(old_token) is None


def test_inviting_someone_already_in_the_team_is_refused(team, member):
    member.email = "alice@example.com"
    member.save()
    lead = MembershipFactory(team=team, role=Role.LEAD).user
    with pytest.raises(ApplicationError, match="already belongs"):
        invite(team, lead, email="Alice@example.com")


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 250 + "@example.com"])
def test_an_invalid_address_is_refused(team, lead, email):
    with pytest.raises(ApplicationError, match="valid email"):
        invite(team, lead, email=email)


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    team, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, old_token = invite(team, lead)
    with django_capture_on_commit_callbacks(execute=True):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(hours=1)
        )
        last_email_asked_for(invitation, minutes_ago=11)
        invitation, token = invitation_resend(invitation=invitation, user=lead)
    assert len(mail.outbox) == 2
    assert LINK.search(mail.outbox[1].body).group(1) == token
    assert invitation_for_token(old_token) is None
    assert invitation.expires_at - timezone.now() > timedelta(days=6)
    resent = events(AuditAction.INVITATION_SENT)
    assert [e.details.get("resent") for e in resent] == [True, None]


def test_revoke_stops_the_link_and_is_recorded_once(team, lead, member):
    invitation, token = invite(team, lead)
    with pytest.raises(ActionNotAllowed):
        invitation_revoke(invitation=invitation, user=member)
    invitation_revoke(invitation=invitation, user=lead)
    invitation_revoke(invitation=invitation, user=lead)
    assert len(events(AuditAction.INVITATION_REVOKED)) == 1
    newcomer = UserFactory(username="nadia", email="nadia@example.com")
    with pytest.raises(InvitationInvalid) as refused:
        invitation_accept(token=token, user=newcomer)
    assert refused.value.state is InvitationState.REVOKED
    with pytest.raises(ApplicationError):
        invitation_resend(invitation=invitation, user=lead)


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
    settings.EMAIL_BACKEND = "tests.test_invitations.RefusingBackend"
    RefusingBackend.attempts = 0
    invitation, token = invite(team, lead)
    assert send_invitation_email.apply(args=[invitation.pk, encrypt(token)]).get()["sent"] is False
    assert RefusingBackend.attempts == 1
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.FAILED
    assert invitation.delivery_error.startswith("the mail server refused the connection")
    assert invitation.is_pending


def test_a_transient_failure_asks_the_worker_to_retry(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.test_invitations.RefusingBackend"
    invitation, token = invite(team, lead)
    with pytest.raises(InvitationEmailDeferred):
        invitation_send_email(invitation_id=invitation.pk, token=token, last_attempt=False)
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.RETRYING
    assert invitation.delivery_error.startswith("the mail server refused the connection")


def test_a_refused_address_is_final_even_on_a_worker(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.test_invitations.RejectingBackend"
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
    settings.EMAIL_BACKEND = "tests.test_invitations.RejectingBackend"
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
    settings.EMAIL_BACKEND = "tests.test_invitations.RefusingBackend"
    invitation, token = invite(team, lead)
    with pytest.raises(InvitationEmailDeferred):
        invitation_send_email(invitation_id=invitation.pk, token=token, last_attempt=False)
    assert events(AuditAction.INVITATION_DELIVERY_FAILED) == []


def test_a_resent_invitation_that_fails_again_is_recorded_again(team, lead, settings):
    settings.EMAIL_BACKEND = "tests.test_invitations.RejectingBackend"
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
    settings.EMAIL_BACKEND = "tests.test_invitations.ResentMeanwhileBackend"
    invitation, token = invite(team, lead)
    assert invitation_send_email(invitation_id=invitation.pk, token=token) is False
    invitation.refresh_from_db()
    assert invitation.delivery_state == DeliveryState.QUEUED
    assert events(AuditAction.INVITATION_DELIVERY_FAILED) == []
