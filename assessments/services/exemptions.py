"""Exemptions: a team lead asks, an org admin decides, the date ends it.

An exemption never changes a stored result; it adds the reading "with exemptions" beside the
raw one (maturity.exemptions). Whether an approved exemption is in force is decided from its
date whenever it is read (`Exemption.is_active_on`), so expiry needs no job.

The rules, and why:
- Team leads and org admins ask: they answer for the team's roadmap, as they do for its
  repositories. Only org admins decide, and never on their own request: the point of an
  exemption is that someone outside the team's wish agreed the capability does not apply.
- An exemption ends within a year. Teams assess themselves about once a quarter; a year is
  four chances to notice that the capability applies after all, and forces a second look.
- One request at a time per capability (a database constraint), and no new request while an
  exemption is in force, except in its last RENEWAL_WINDOW days, so that a team can renew
  without a day in between where the capability counts against it.
- A rejection says why (the note is required); an approval may.
"""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from .. import maturity
from ..access import UserOrAnonymous, can_manage_team, team_role
from ..errors import ActionNotAllowed, ApplicationError
from ..models import AuditAction, Exemption, ExemptionStatus, Role, Team
from .audit import audit_record

LONGEST_EXEMPTION = timedelta(days=365)
RENEWAL_WINDOW = timedelta(days=30)
TEXT_MAX_LENGTH = 2000


def exemption_latest_expiry(*, today: date) -> date:
    """The last expiry date a request made today may ask for."""
    return today + LONGEST_EXEMPTION


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _capability_title(capability_key: str) -> str:
    catalogue = maturity.load_catalogue()
    if not catalogue.has_capability(capability_key):
        raise ApplicationError(
            f"There is no capability '{capability_key}' in the catalogue; choose one of its "
            "capabilities."
        )
    return catalogue.capability(capability_key).title


def _clean_text(text: str, *, what: str) -> str:
    # Line endings as an answer's note keeps them (services.answers.normalize_note); not
    # imported from there, because the forms import this module and that one reads selectors.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError(f"The {what} is longer than {TEXT_MAX_LENGTH} characters.")
    if "\x00" in text:
        raise ApplicationError(f"The {what} contains a NUL character, which cannot be stored.")
    return text


def _validated_expiry(expires_on: date, *, today: date) -> date:
    if expires_on <= today:
        raise ApplicationError(
            f"The expiry date must be after today ({_day(today)}): an exemption ends on a "
            "future day."
        )
    latest = exemption_latest_expiry(today=today)
    if expires_on > latest:
        raise ApplicationError(
            f"An exemption lasts at most a year: choose an expiry date no later than "
            f"{_day(latest)}."
        )
    return expires_on


def _record(exemption: Exemption, *, action: AuditAction, user: User) -> None:
    audit_record(
        organization=exemption.team.organization,
        team=exemption.team,
        actor=user,
        action=action,
        target=exemption,
        details={
            "capability": exemption.capability_key,
            "expires_on": exemption.expires_on.isoformat(),
        },
    )


def _saved(exemption: Exemption) -> Exemption:
    try:
        exemption.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from None
    exemption.save()
    return exemption


def _refuse_a_second_request(
    team: Team, capability_key: str, title: str, expires_on: date, today: date
) -> None:
    """No request while one waits; none while an exemption is in force, unless it is a renewal
    in the exemption's last days that ends after it."""
    current = Exemption.objects.filter(
        team=team,
        capability_key=capability_key,
        status__in=[ExemptionStatus.REQUESTED, ExemptionStatus.APPROVED],
    ).select_related("requested_by")
    for other in current:
        if other.status == ExemptionStatus.REQUESTED:
            asked_by = f" by {other.requested_by.get_username()}" if other.requested_by else ""
            raise ApplicationError(
                f"{title} already has a request waiting for a decision (asked{asked_by} on "
                f"{_day(timezone.localtime(other.requested_at).date())})."
            )
        if not other.is_active_on(today):
            continue
        if other.expires_on - today > RENEWAL_WINDOW:
            raise ApplicationError(
                f"{title} is exempted until {_day(other.expires_on)}; a renewal can be asked "
                f"for in its last {RENEWAL_WINDOW.days} days."
            )
        if expires_on <= other.expires_on:
            raise ApplicationError(
                f"A renewal must end after the current exemption, which runs until "
                f"{_day(other.expires_on)}."
            )


def exemption_request(
    *,
    team: Team,
    user: User,
    capability_key: str,
    reason: str,
    expires_on: date,
    today: date | None = None,
) -> Exemption:
    """Ask for the team to be exempted from a capability until `expires_on` (inclusive)."""
    today = today or timezone.localdate()
    if not can_manage_team(user, team):
        raise ActionNotAllowed("Only team leads and org admins can ask for an exemption.")
    title = _capability_title(capability_key)
    reason = _clean_text(reason, what="reason")
    if not reason:
        raise ApplicationError(
            "Give a reason: say why the capability does not apply to the team for now."
        )
    expires_on = _validated_expiry(expires_on, today=today)
    try:
        with transaction.atomic():
            # One request at a time per team: the checks below read what a concurrent request
            # would write.
            Team.objects.select_for_update().get(pk=team.pk)
            _refuse_a_second_request(team, capability_key, title, expires_on, today)
            exemption = _saved(
                Exemption(
                    team=team,
                    capability_key=capability_key,
                    reason=reason,
                    expires_on=expires_on,
                    requested_by=user,
                    requested_at=timezone.now(),
                )
            )
            _record(exemption, action=AuditAction.EXEMPTION_REQUESTED, user=user)
            return exemption
    except IntegrityError:
        raise ApplicationError(f"{title} already has a request waiting for a decision.") from None


def _locked_request(exemption: Exemption, *, verb: str) -> Exemption:
    """The exemption row, locked, refusing unless it still waits for a decision: two admins
    deciding at once must not both succeed."""
    locked = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if locked.status != ExemptionStatus.REQUESTED:
        raise ApplicationError(
            f"This request was {locked.get_status_display().lower()} already; only a request "
            f"waiting for a decision can be {verb}."
        )
    return locked


def exemption_asked_by(user: UserOrAnonymous, exemption: Exemption) -> bool:
    return exemption.requested_by_id is not None and exemption.requested_by_id == user.pk


def exemption_can_decide(user: UserOrAnonymous, exemption: Exemption) -> bool:
    """An org admin decides, and not the one who asked: nobody grants themselves an exemption."""
    return team_role(user, exemption.team) == Role.ORG_ADMIN and not exemption_asked_by(
        user, exemption
    )


def exemption_can_withdraw(user: UserOrAnonymous, exemption: Exemption) -> bool:
    """Whoever may ask for the team's exemptions may take a request back."""
    return can_manage_team(user, exemption.team)


def _require_decider(user: User, exemption: Exemption) -> None:
    if exemption_can_decide(user, exemption):
        return
    if team_role(user, exemption.team) != Role.ORG_ADMIN:
        raise ActionNotAllowed("Only org admins can approve or reject exemptions.")
    raise ActionNotAllowed("You asked for this exemption, so another org admin decides on it.")


_DECISION_ACTIONS = {
    ExemptionStatus.APPROVED: AuditAction.EXEMPTION_APPROVED,
    ExemptionStatus.REJECTED: AuditAction.EXEMPTION_REJECTED,
    ExemptionStatus.WITHDRAWN: AuditAction.EXEMPTION_WITHDRAWN,
}


def _decide(
    exemption: Exemption, locked: Exemption, *, status: ExemptionStatus, user: User, note: str
) -> Exemption:
    locked.status = status
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note
    _saved(locked)
    _record(locked, action=_DECISION_ACTIONS[status], user=user)
    exemption.refresh_from_db()
    return exemption


@transaction.atomic
def exemption_approve(
    *, exemption: Exemption, user: User, note: str = "", today: date | None = None
) -> Exemption:
    """Approve a waiting request: from now until its expiry date the capability counts as not
    applicable in the team's reading with exemptions."""
    today = today or timezone.localdate()
    _require_decider(user, exemption)
    note = _clean_text(note, what="note")
    locked = _locked_request(exemption, verb="approved")
    if locked.expires_on < today:
        raise ApplicationError(
            f"This request's expiry date, {_day(locked.expires_on)}, has passed; the team "
            "can ask again with a new date."
        )
    return _decide(exemption, locked, status=ExemptionStatus.APPROVED, user=user, note=note)


@transaction.atomic
def exemption_reject(*, exemption: Exemption, user: User, note: str) -> Exemption:
    """Reject a waiting request, saying why."""
    _require_decider(user, exemption)
    note = _clean_text(note, what="note")
    if not note:
        raise ApplicationError("Say why the request is rejected: the team reads the note.")
    locked = _locked_request(exemption, verb="rejected")
    return _decide(exemption, locked, status=ExemptionStatus.REJECTED, user=user, note=note)


@transaction.atomic
def exemption_withdraw(*, exemption: Exemption, user: User) -> Exemption:
    """Take back a request before it is decided."""
    if not exemption_can_withdraw(user, exemption):
        raise ActionNotAllowed("Only team leads and org admins can withdraw a request.")
    locked = _locked_request(exemption, verb="withdrawn")
    return _decide(exemption, locked, status=ExemptionStatus.WITHDRAWN, user=user, note="")
