"""Exemptions: who asks, who decides, what a request must say, and what the database refuses."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import Exemption, ExemptionStatus, Role
from assessments.services.exemptions import (
    LONGEST_EXEMPTION,
    RENEWAL_WINDOW,
    exemption_approve,
    exemption_can_decide,
    exemption_can_withdraw,
    exemption_reject,
    exemption_request,
    exemption_withdraw,
)

from .assessment_helpers import answer_everything, answers_all
from .factories import MembershipFactory, UserFactory

TODAY = date(2026, 6, 1)


def ask(team, user, capability="feature_store", *, days=90, reason="No features are shared.", **kw):
    return exemption_request(
        team=team,
        user=user,
        capability_key=capability,
        reason=reason,
        expires_on=kw.pop("expires_on", TODAY + timedelta(days=days)),
        today=kw.pop("today", TODAY),
        **kw,
    )


@pytest.fixture
def submitted_result(team, member, django_capture_on_commit_callbacks):
    from assessments.models import Result
    from assessments.services.assessments import assessment_start, assessment_submit

    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    return Result.objects.get(assessment=draft)


@pytest.fixture
def second_admin(team):
    admin = UserFactory(username="oscar")
    MembershipFactory(user=admin, team=None, organization=team.organization, role=Role.ORG_ADMIN)
    return admin


# --- asking ------------------------------------------------------------------------------------


def test_a_team_lead_asks_and_the_request_waits_for_a_decision(team, lead):
    exemption = ask(team, lead, reason="  We serve no model online.\r\n  ")
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED
    assert (exemption.requested_by, exemption.decided_by, exemption.decided_at) == (
        lead,
        None,
        None,
    )
    assert exemption.reason == "We serve no model online."
    assert exemption.expires_on == TODAY + timedelta(days=90)
    assert not exemption.is_active_on(TODAY)


def test_an_org_admin_may_ask_for_a_team(team, org_admin):
    assert ask(team, org_admin).requested_by == org_admin


@pytest.mark.parametrize("who", ["member", "viewer", "other_team_member", "stranger_org_admin"])
def test_members_viewers_and_outsiders_cannot_ask(request, team, who):
    with pytest.raises(ActionNotAllowed, match="Only team leads and org admins can ask"):
        ask(team, request.getfixturevalue(who))
    assert not Exemption.objects.exists()


def test_an_unknown_capability_is_refused_by_name(team, lead):
    with pytest.raises(ApplicationError, match="There is no capability 'telepathy'"):
        ask(team, lead, "telepathy")


@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_a_request_needs_a_reason(team, lead, reason):
    with pytest.raises(ApplicationError, match="Give a reason"):
        ask(team, lead, reason=reason)


def test_a_reason_longer_than_two_thousand_characters_is_refused(team, lead):
    with pytest.raises(ApplicationError, match="longer than 2000 characters"):
        ask(team, lead, reason="x" * 2001)


def test_a_reason_with_a_nul_character_is_refused(team, lead):
    with pytest.raises(ApplicationError, match="NUL character"):
        ask(team, lead, reason="before\x00after")


@pytest.mark.parametrize("days", [0, -1, -400])
def test_the_expiry_date_must_be_in_the_future(team, lead, days):
    with pytest.raises(ApplicationError, match=r"must be after today \(1 Jun 2026\)"):
        ask(team, lead, days=days)


def test_an_exemption_lasts_at_most_a_year(team, lead):
    latest = TODAY + LONGEST_EXEMPTION
    assert ask(team, lead, expires_on=latest).expires_on == latest
    with pytest.raises(ApplicationError, match="at most a year.*no later than 1 Jun 2027"):
        ask(team, lead, "monitoring", expires_on=latest + timedelta(days=1))


def test_a_second_request_for_the_same_capability_is_refused_while_one_waits(team, lead, org_admin):
    ask(team, lead)
    with pytest.raises(ApplicationError, match="already has a request waiting.*asked by lena"):
        ask(team, org_admin, days=30)
    assert Exemption.objects.count() == 1
    assert ask(team, lead, "monitoring").capability_key == "monitoring"


def test_the_database_allows_one_waiting_request_per_team_and_capability(team, lead):
    ask(team, lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.create(
            team=team,
            capability_key="feature_store",
            reason="again",
            expires_on=TODAY + timedelta(days=5),
            requested_at=timezone.now(),
        )


def test_the_database_refuses_a_decided_exemption_without_a_date(team, lead):
    exemption = ask(team, lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.filter(pk=exemption.pk).update(status=ExemptionStatus.APPROVED)


def test_the_database_refuses_an_exemption_without_a_reason(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.create(
            team=team,
            capability_key="ci",
            reason="",
            expires_on=TODAY,
            requested_at=timezone.now(),
        )


def test_the_database_refuses_an_unknown_status(team, lead):
    exemption = ask(team, lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.filter(pk=exemption.pk).update(
            status="forgotten", decided_at=timezone.now()
        )


def test_no_new_request_while_an_exemption_is_in_force_until_its_last_days(team, lead, org_admin):
    approved = exemption_approve(exemption=ask(team, lead, days=200), user=org_admin, today=TODAY)
    with pytest.raises(ApplicationError, match="exempted until 18 Dec 2026.*last 30 days"):
        ask(team, lead, days=300)
    in_the_window = approved.expires_on - RENEWAL_WINDOW
    with pytest.raises(ApplicationError, match="must end after the current exemption"):
        ask(team, lead, expires_on=approved.expires_on, today=in_the_window)
    renewal = ask(
        team, lead, expires_on=approved.expires_on + timedelta(days=90), today=in_the_window
    )
    assert renewal.status == ExemptionStatus.REQUESTED


def test_after_an_exemption_expires_the_team_may_ask_again(team, lead, org_admin):
    approved = exemption_approve(exemption=ask(team, lead, days=10), user=org_admin, today=TODAY)
    later = approved.expires_on + timedelta(days=1)
    assert ask(team, lead, today=later, expires_on=later + timedelta(days=30)).pk != approved.pk


def test_after_a_rejection_the_team_may_ask_again(team, lead, org_admin):
    exemption_reject(exemption=ask(team, lead), user=org_admin, note="It applies to you.")
    assert ask(team, lead, reason="Now with a better reason.").status == ExemptionStatus.REQUESTED


# --- deciding ----------------------------------------------------------------------------------


def test_an_org_admin_approves_and_the_exemption_is_in_force_until_its_last_day(
    team, lead, org_admin
):
    exemption = ask(team, lead, days=10)
    approved = exemption_approve(exemption=exemption, user=org_admin, note="Fine.", today=TODAY)
    assert approved.status == ExemptionStatus.APPROVED
    assert (approved.decided_by, approved.decision_note) == (org_admin, "Fine.")
    assert approved.decided_at is not None
    assert approved.is_active_on(TODAY)
    assert approved.is_active_on(approved.expires_on)
    assert not approved.is_active_on(approved.expires_on + timedelta(days=1))


def test_an_org_admin_rejects_with_a_note(team, lead, org_admin):
    rejected = exemption_reject(
        exemption=ask(team, lead), user=org_admin, note="You share features with Search."
    )
    assert rejected.status == ExemptionStatus.REJECTED
    assert rejected.decision_note == "You share features with Search."
    assert not rejected.is_active_on(TODAY)


@pytest.mark.parametrize("note", ["", "  "])
def test_a_rejection_must_say_why(team, lead, org_admin, note):
    exemption = ask(team, lead)
    with pytest.raises(ApplicationError, match="Say why the request is rejected"):
        exemption_reject(exemption=exemption, user=org_admin, note=note)
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED


@pytest.mark.parametrize("who", ["lead", "member", "other_team_member", "stranger_org_admin"])
def test_only_an_org_admin_of_the_organisation_decides(request, team, lead, who):
    exemption = ask(team, lead)
    user = request.getfixturevalue(who)
    with pytest.raises(ActionNotAllowed, match="Only org admins can approve or reject"):
        exemption_approve(exemption=exemption, user=user, today=TODAY)
    with pytest.raises(ActionNotAllowed, match="Only org admins can approve or reject"):
        exemption_reject(exemption=exemption, user=user, note="no")
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED


def test_an_org_admin_does_not_decide_on_their_own_request(team, org_admin, second_admin):
    exemption = ask(team, org_admin)
    with pytest.raises(ActionNotAllowed, match="another org admin decides"):
        exemption_approve(exemption=exemption, user=org_admin, today=TODAY)
    with pytest.raises(ActionNotAllowed, match="another org admin decides"):
        exemption_reject(exemption=exemption, user=org_admin, note="never mind")
    approved = exemption_approve(exemption=exemption, user=second_admin, today=TODAY)
    assert approved.decided_by == second_admin


@pytest.mark.parametrize(
    ("close", "word"),
    [
        (lambda e, admin, lead: exemption_withdraw(exemption=e, user=lead), "withdrawn"),
        (lambda e, admin, lead: exemption_reject(exemption=e, user=admin, note="No."), "rejected"),
        (
            lambda e, admin, lead: exemption_approve(exemption=e, user=admin, today=TODAY),
            "approved",
        ),
    ],
    ids=["withdrawn", "rejected", "approved"],
)
def test_a_closed_request_cannot_be_decided_again(team, lead, second_admin, org_admin, close, word):
    exemption = ask(team, lead)
    close(exemption, second_admin, lead)
    with pytest.raises(ApplicationError, match=f"This request was {word} already.*approved"):
        exemption_approve(exemption=exemption, user=org_admin, today=TODAY)
    with pytest.raises(ApplicationError, match=f"This request was {word} already.*rejected"):
        exemption_reject(exemption=exemption, user=org_admin, note="No.")
    with pytest.raises(ApplicationError, match=f"This request was {word} already.*withdrawn"):
        exemption_withdraw(exemption=exemption, user=lead)


def test_a_request_whose_date_has_passed_cannot_be_approved(team, lead, org_admin):
    exemption = ask(team, lead, days=5)
    with pytest.raises(ApplicationError, match="expiry date, 6 Jun 2026, has passed"):
        exemption_approve(exemption=exemption, user=org_admin, today=TODAY + timedelta(days=6))
    # It can still be rejected, so it leaves the queue.
    exemption_reject(exemption=exemption, user=org_admin, note="Too late; ask again.")


def test_a_stale_copy_of_a_request_cannot_be_approved_after_another_admin_rejected_it(
    team, lead, org_admin, second_admin
):
    exemption = ask(team, lead)
    stale = Exemption.objects.get(pk=exemption.pk)
    exemption_reject(exemption=exemption, user=second_admin, note="No.")
    with pytest.raises(ApplicationError, match="rejected already"):
        exemption_approve(exemption=stale, user=org_admin, today=TODAY)
    assert Exemption.objects.get(pk=exemption.pk).decided_by == second_admin


# --- withdrawing -------------------------------------------------------------------------------


def test_a_lead_withdraws_a_waiting_request(team, lead):
    withdrawn = exemption_withdraw(exemption=ask(team, lead), user=lead)
    assert withdrawn.status == ExemptionStatus.WITHDRAWN
    assert withdrawn.decided_by == lead
    assert withdrawn.decided_at is not None


@pytest.mark.parametrize("who", ["member", "viewer", "other_team_member", "stranger_org_admin"])
def test_only_leads_and_org_admins_withdraw(request, team, lead, who):
    exemption = ask(team, lead)
    with pytest.raises(ActionNotAllowed, match="Only team leads and org admins can withdraw"):
        exemption_withdraw(exemption=exemption, user=request.getfixturevalue(who))


@pytest.mark.parametrize(
    ("who", "decides", "withdraws"),
    [
        ("org_admin", True, True),
        ("lead", False, True),
        ("member", False, False),
        ("viewer", False, False),
        ("other_team_member", False, False),
        ("stranger_org_admin", False, False),
    ],
)
def test_who_may_decide_and_who_may_withdraw_a_leads_request(
    request, team, lead, who, decides, withdraws
):
    exemption = ask(team, lead)
    user = request.getfixturevalue(who)
    assert exemption_can_decide(user, exemption) is decides
    assert exemption_can_withdraw(user, exemption) is withdraws


def test_the_org_admin_who_asked_may_withdraw_but_not_decide(team, org_admin):
    exemption = ask(team, org_admin)
    assert not exemption_can_decide(org_admin, exemption)
    assert exemption_can_withdraw(org_admin, exemption)


def test_a_request_survives_its_author_leaving(team, lead, org_admin):
    exemption = ask(team, lead)
    lead.delete()
    exemption.refresh_from_db()
    approved = exemption_approve(exemption=exemption, user=org_admin, today=TODAY)
    assert (approved.requested_by, approved.status) == (None, ExemptionStatus.APPROVED)


def test_exemptions_never_touch_the_stored_results(team, lead, org_admin, member, submitted_result):
    before = (submitted_result.overall_level, submitted_result.index, submitted_result.snapshot)
    exemption_approve(exemption=ask(team, lead, "pipeline_triggers"), user=org_admin, today=TODAY)
    submitted_result.refresh_from_db()
    assert (
        submitted_result.overall_level,
        submitted_result.index,
        submitted_result.snapshot,
    ) == before
