"""Inviting as the services do it: who may invite whom to what, the email sent once the
invitation is committed (and never for one rolled back) with what people typed escaped, one
pending invitation per address, and resending and revoking, with the audit log's events.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import (
    AuditAction,
    Invitation,
    Role,
)
from assessments.services.invitation_acceptance import (
    InvitationInvalid,
    InvitationState,
    invitation_accept,
    invitation_for_token,
)
from assessments.services.invitations import (
    InvitationRow,
    invitation_create,
    invitation_create_many,
    invitation_resend,
    invitation_revoke,
)
from assessments.services.tokens import hash_token

from ..factories import MembershipFactory, TeamFactory, UserFactory, last_email_asked_for
from .helpers import LINK, events, invite


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


def invite_many(team, inviter, emails, role=Role.VIEWER):
    return invitation_create_many(
        inviter=inviter, organization=team.organization, team=team, emails=emails, role=role
    )


def test_inviting_many_gives_one_row_per_address_in_order_and_invites_the_valid_ones(team, lead):
    MembershipFactory(team=team, user=UserFactory(email="amy@example.com"))
    rows = invite_many(
        team, lead, ["one@example.com", "nope", "amy@example.com", "one@example.com"]
    )
    invitation = Invitation.objects.get(team=team)
    assert [row.invitation for row in rows] == [invitation, None, None, None]
    assert rows[0] == InvitationRow("one@example.com", invitation, None)
    assert rows[1].error == "Give a valid email address, e.g. name@example.com."
    assert rows[2].error == "amy@example.com already belongs to Fraud Detection."
    assert rows[3].email == "one@example.com"
    assert rows[3].error.startswith("one@example.com already has a pending invitation")


def test_inviting_many_is_refused_as_a_whole_before_any_row(team, member, lead):
    """Who asks is checked once: a refusal is the whole list's, not every row's."""
    with pytest.raises(ActionNotAllowed):
        invite_many(team, member, ["one@example.com", "two@example.com"])
    with pytest.raises(ActionNotAllowed):  # a lead gives no role above their own
        invite_many(team, lead, ["one@example.com"], role=Role.ORG_ADMIN)
    assert not Invitation.objects.exists()


def test_an_address_already_holds_the_place_only_through_its_own_membership(
    team, member, org_admin
):
    from django.contrib.auth.models import User

    from assessments.selectors import membership_exists_for_email

    def holds(email, team_or_none):
        return membership_exists_for_email(
            email=email, organization=team.organization, team=team_or_none
        )

    User.objects.filter(pk=member.pk).update(email="Member@Example.com")
    User.objects.filter(pk=org_admin.pk).update(email="olga@example.com")
    assert holds("member@example.com", team)
    assert not holds("member@example.com", None)
    assert holds("olga@example.com", None)
    # An org admin's rights over the organisation's teams are not a place in them.
    assert not holds("olga@example.com", team)
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert not holds("member@example.com", team)
    assert not holds("nobody@example.com", team)


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
