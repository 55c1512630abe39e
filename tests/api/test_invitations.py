"""/api/v1/invitations/: list, invite one, invite many with per-row errors, resend, revoke;
under the invitation pages' rules (leads for their own team, org admins for their organisation)."""

import pytest
from django.core import mail

from assessments.models import AuditAction, AuditEvent, Invitation, Role
from assessments.services.invitations import invitation_create

from ..factories import MembershipFactory, TeamFactory, UserFactory, last_email_asked_for
from .conftest import error_of, token_client

URL = "/api/v1/invitations/"
BULK = f"{URL}bulk/"


def invited(team, by, email="nadia@example.com", role=Role.MEMBER):
    invitation, _ = invitation_create(
        inviter=by, organization=team.organization, team=team, email=email, role=role
    )
    return invitation


def test_a_lead_invites_one_address_and_gets_it_back_without_a_token(as_lead, team):
    response = as_lead.post(
        URL, {"team": team.id, "email": "Nadia@Example.com", "role": "member"}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"].endswith(f"{URL}{data['id']}/")
    assert {k: data[k] for k in ("team", "email", "role", "invited_by", "delivery_state")} == {
        "team": team.id,
        "email": "nadia@example.com",
        "role": "member",
        "invited_by": "lena",
        "delivery_state": "queued",
    }
    invitation = Invitation.objects.get()
    assert "token" not in str(data)
    assert invitation.token_hash not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_email_goes_out_after_the_request_commits(as_lead, team):
    response = as_lead.post(
        URL, {"team": team.id, "email": "nadia@example.com", "role": "viewer"}, format="json"
    )
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["nadia@example.com"]
    assert Invitation.objects.get().delivery_state == "sent"


def test_a_lead_cannot_invite_a_lead_of_another_rank_or_an_org_admin(as_lead, team):
    response = as_lead.post(
        URL, {"team": None, "organization": team.organization_id, "email": "x@example.com",
              "role": "org_admin"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400  # a lead administers no organisation
    assert "no organisation with id" in error_of(response)["detail"]
    response = as_lead.post(
        URL, {"team": team.id, "email": "x@example.com", "role": "org_admin"}, format="json"
    )
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_a_plain_member_is_refused_and_sees_no_invitations(as_member, team, lead):
    invitation = invited(team, lead)
    response = as_member.post(
        URL, {"team": team.id, "email": "x@example.com", "role": "viewer"}, format="json"
    )
    assert response.status_code == 403
    assert "Only team leads and org admins can invite people" in error_of(response)["detail"]
    assert as_member.get(URL).json()["count"] == 0
    assert as_member.get(f"{URL}{invitation.id}/").status_code == 404
    assert as_member.post(f"{URL}{invitation.id}/revoke/").status_code == 404
    response = as_member.post(
        BULK, {"team": team.id, "emails": ["x@example.com"], "role": "viewer"}, format="json"
    )
    assert response.status_code == 403
    assert Invitation.objects.count() == 1


def test_an_admin_of_another_organisation_sees_and_changes_nothing(stranger_org_admin, team, lead):
    client = token_client(stranger_org_admin)
    invitation = invited(team, lead)
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"team": team.id}).json()["count"] == 0
    for method, url in (
        ("get", f"{URL}{invitation.id}/"),
        ("post", f"{URL}{invitation.id}/revoke/"),
        ("post", f"{URL}{invitation.id}/resend/"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 404
        assert "nadia" not in response.content.decode()
    for url, body in (
        (URL, {"team": team.id, "email": "x@example.com", "role": "member"}),
        (BULK, {"team": team.id, "emails": ["x@example.com"], "role": "member"}),
        (
            URL,
            {"organization": team.organization_id, "email": "x@example.com", "role": "org_admin"},
        ),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400
        assert "that you" in error_of(response)["detail"]
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Invitation.objects.count() == 1


def test_a_lead_sees_only_the_invitations_of_teams_they_lead(as_lead, team, lead, org_admin):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    mine = invited(team, lead)
    invited(other, org_admin, email="someone@example.com")
    rows = as_lead.get(URL).json()["results"]
    assert [row["id"] for row in rows] == [mine.id]
    admin_rows = token_client(org_admin).get(URL, {"team": other.id}).json()["results"]
    assert [row["email"] for row in admin_rows] == ["someone@example.com"]


def test_an_org_admin_invites_another_org_admin(as_org_admin, team):
    response = as_org_admin.post(
        URL,
        {"organization": team.organization_id, "email": "ops@example.com", "role": "org_admin"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["team"], response.json()["role"]) == (None, "org_admin")


def test_bulk_invites_each_row_and_says_why_the_others_failed(as_lead, team, lead):
    MembershipFactory(team=team, user=UserFactory(username="amy", email="amy@example.com"))
    invited(team, lead, email="pending@example.com")
    emails = [
        "one@example.com",
        "not an address",
        "amy@example.com",
        "pending@example.com",
        "Two@Example.com",
        "two@example.com",
    ]
    response = as_lead.post(
        BULK, {"team": team.id, "emails": emails, "role": "viewer"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["invited"], data["failed"]) == (2, 4)
    assert [row["email"] for row in data["results"]] == emails
    made = [row["invitation"]["email"] if row["invitation"] else None for row in data["results"]]
    assert made == ["one@example.com", None, None, None, "two@example.com", None]
    errors = [row["error"]["message"] if row["error"] else None for row in data["results"]]
    assert errors[0] is None
    assert errors[1] == "Give a valid email address, e.g. name@example.com."
    assert errors[2] == "amy@example.com already belongs to Fraud Detection."
    assert errors[3].startswith("pending@example.com already has a pending invitation")
    assert errors[5].startswith("two@example.com already has a pending invitation")
    assert {row["error"]["code"] for row in data["results"] if row["error"]} == {"invalid"}
    assert Invitation.objects.filter(team=team).count() == 3


def test_bulk_refuses_an_empty_or_too_long_list_in_one_sentence(as_lead, team):
    for emails, sentence in (
        ([], "Give at least one email address."),
        ([f"p{n}@example.com" for n in range(101)], "Give at most 100 email addresses"),
    ):
        response = as_lead.post(
            BULK, {"team": team.id, "emails": emails, "role": "viewer"}, format="json"
        )
        assert response.status_code == 400
        assert sentence in error_of(response)["detail"]
    assert Invitation.objects.count() == 0


def test_resend_and_revoke(as_lead, team, lead):
    invitation = invited(team, lead)
    last_email_asked_for(invitation, minutes_ago=11)
    old_hash = invitation.token_hash
    response = as_lead.post(f"{URL}{invitation.id}/resend/")
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert as_lead.post(f"{URL}{invitation.id}/revoke/").status_code == 204
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert as_lead.get(URL).json()["count"] == 0
    assert as_lead.post(f"{URL}{invitation.id}/revoke/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED).count() == 1


def test_a_lead_cannot_revoke_an_invitation_above_their_rank(as_lead, team, org_admin, lead):
    """An org admin's invitation of a lead is visible to the team's lead, who may revoke it;
    an org admin's invitation to the organisation is not visible to them at all."""
    org_wide, _ = invitation_create(
        inviter=org_admin,
        organization=team.organization,
        team=None,
        email="ops@example.com",
        role=Role.ORG_ADMIN,
    )
    assert as_lead.post(f"{URL}{org_wide.id}/revoke/").status_code == 404
    org_wide.refresh_from_db()
    assert org_wide.is_pending


def test_a_resend_within_the_cooldown_answers_429_with_retry_after(as_lead, team, lead, settings):
    settings.INVITATION_RESEND_COOLDOWN_MINUTES = 10
    invitation = invited(team, lead)
    last_email_asked_for(invitation, minutes_ago=4)
    old_hash = invitation.token_hash
    response = as_lead.post(f"{URL}{invitation.id}/resend/")
    assert response.status_code == 429
    assert 355 <= int(response["Retry-After"]) <= 360
    body = error_of(response)
    assert body["error"]["code"] == "resend_too_soon"
    assert body["detail"] == (
        "This invitation was sent 4 minutes ago; it can be sent again in 6 minutes."
    )
    assert body["retry_after_seconds"] == int(response["Retry-After"])
    invitation.refresh_from_db()
    assert invitation.token_hash == old_hash
    assert not AuditEvent.objects.filter(details__resent=True).exists()


def test_only_those_who_manage_an_invitation_meet_its_cooldown(
    as_member, as_other, as_org_admin, anonymous, team, lead
):
    """Others are refused as before (404 for a member and outside the team, 401 signed out):
    the wait tells them nothing; an org admin is told to wait like the lead."""
    invitation = invited(team, lead)
    url = f"{URL}{invitation.id}/resend/"
    assert as_member.post(url).status_code == 404
    assert as_other.post(url).status_code == 404
    assert anonymous.post(url).status_code == 401
    assert as_org_admin.post(url).status_code == 429
