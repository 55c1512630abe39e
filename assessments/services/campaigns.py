"""Campaigns: an org admin sets a goal for some of the organisation's teams by a deadline.

The rules, and why:
- Only the organisation's admins start, change and archive campaigns: a campaign asks work of
  teams across the organisation, which is theirs to decide.
- The goal is checked against the catalogue (maturity.campaigns.goal_validated), so a campaign
  never asks for a capability that does not exist.
- The owner answers the teams' questions, so the owner belongs to the organisation.
- A campaign is archived, never deleted: its page and reminders stop, its audit events stay.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from .. import maturity
from ..access import is_admin_of_organization, organizations_of
from ..errors import ActionNotAllowed, ApplicationError
from ..maturity.campaigns import GoalKind, InvalidGoal, goal_validated
from ..maturity.catalogue import REQUIRED_CONTEXT_OPTIONS
from ..models import AuditAction, Campaign, Organization
from .audit import audit_record

CRITICALITIES = REQUIRED_CONTEXT_OPTIONS["business_criticality"]
TITLE_MAX_LENGTH = 200
TAG_MAX_LENGTH = 60
MOST_TAGS = 20
# A campaign is a quarter's or a year's push; one set for longer is a standing rule instead.
LONGEST_CAMPAIGN = timedelta(days=2 * 366)


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _require_admin(user: User, organization_id: int) -> None:
    if not is_admin_of_organization(user, organization_id):
        raise ActionNotAllowed("Only org admins can start, change or archive campaigns.")


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError("Give the campaign a title: the teams read it on their home page.")
    if len(title) > TITLE_MAX_LENGTH:
        raise ApplicationError(f"The title is longer than {TITLE_MAX_LENGTH} characters.")
    if "\x00" in title:
        raise ApplicationError("The title contains a NUL character, which cannot be stored.")
    return title


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = sorted({tag.strip() for tag in tags if tag and tag.strip()})
    if len(cleaned) > MOST_TAGS:
        raise ApplicationError(f"A campaign names at most {MOST_TAGS} tags.")
    for tag in cleaned:
        if len(tag) > TAG_MAX_LENGTH or "\x00" in tag:
            raise ApplicationError(
                f"The tag '{tag[:TAG_MAX_LENGTH]}…' is not a tag teams can have."
            )
    return cleaned


def _clean_criticalities(values: Iterable[str]) -> list[str]:
    cleaned = sorted(set(values))
    unknown = [value for value in cleaned if value not in CRITICALITIES]
    if unknown:
        raise ApplicationError(
            f"There is no criticality '{unknown[0]}'; choose among {', '.join(CRITICALITIES)}."
        )
    return cleaned


def _clean_dates(starts_on: date, deadline: date, *, today: date, was: Campaign | None) -> None:
    if deadline < starts_on:
        raise ApplicationError(
            f"The deadline ({_day(deadline)}) is before the start ({_day(starts_on)}); choose "
            "a deadline on or after the start."
        )
    if deadline < today and (was is None or was.deadline != deadline):
        raise ApplicationError(f"The deadline must be today ({_day(today)}) or later.")
    if deadline - starts_on > LONGEST_CAMPAIGN:
        raise ApplicationError("A campaign lasts at most two years: choose an earlier deadline.")


def _check_owner(owner: User | None, organization: Organization) -> User:
    if owner is None:
        raise ApplicationError("Choose the campaign's owner: the person teams ask about it.")
    if not owner.is_active or not organizations_of(owner).filter(pk=organization.pk).exists():
        raise ApplicationError(
            f"The owner must be an active member or admin of {organization.name}."
        )
    return owner


def _apply(
    campaign: Campaign,
    *,
    today: date,
    title: str,
    goal_kind: str,
    goal_level: int | None,
    goal_capability: str,
    scope_tags: Iterable[str],
    scope_criticalities: Iterable[str],
    owner: User | None,
    starts_on: date,
    deadline: date,
    was: Campaign | None,
) -> None:
    try:
        goal = goal_validated(
            goal_kind,
            level=goal_level,
            capability=goal_capability,
            capability_keys=(c.key for c in maturity.load_catalogue().capabilities),
        )
    except InvalidGoal as error:
        raise ApplicationError(str(error)) from None
    campaign.title = _clean_title(title)
    campaign.goal_kind = goal.kind.value
    campaign.goal_level = goal.level
    campaign.goal_capability = goal.capability or ""
    campaign.scope_tags = _clean_tags(scope_tags)
    campaign.scope_criticalities = _clean_criticalities(scope_criticalities)
    campaign.owner = _check_owner(owner, campaign.organization)
    _clean_dates(starts_on, deadline, today=today, was=was)
    campaign.starts_on = starts_on
    campaign.deadline = deadline


def _saved(campaign: Campaign) -> Campaign:
    try:
        campaign.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from None
    campaign.save()
    return campaign


def _details(campaign: Campaign) -> dict[str, Any]:
    goal = campaign.goal_level if campaign.goal_kind == GoalKind.LEVEL else campaign.goal_capability
    return {
        "title": campaign.title,
        "goal": campaign.goal_kind,
        "parameter": goal or None,
        "tags": campaign.scope_tags,
        "criticalities": campaign.scope_criticalities,
        "owner": campaign.owner.get_username() if campaign.owner else None,
        "starts_on": campaign.starts_on.isoformat(),
        "deadline": campaign.deadline.isoformat(),
    }


@transaction.atomic
def campaign_create(
    *,
    organization: Organization,
    user: User,
    title: str,
    goal_kind: str,
    goal_level: int | None = None,
    goal_capability: str = "",
    scope_tags: Iterable[str] = (),
    scope_criticalities: Iterable[str] = (),
    owner: User | None = None,
    starts_on: date | None = None,
    deadline: date,
    today: date | None = None,
) -> Campaign:
    """Start a campaign (org admins of the organisation). The owner defaults to its creator,
    the start to today."""
    today = today or timezone.localdate()
    _require_admin(user, organization.pk)
    campaign = Campaign(organization=organization, created_by=user)
    _apply(
        campaign,
        today=today,
        title=title,
        goal_kind=goal_kind,
        goal_level=goal_level,
        goal_capability=goal_capability,
        scope_tags=scope_tags,
        scope_criticalities=scope_criticalities,
        owner=owner or user,
        starts_on=starts_on or today,
        deadline=deadline,
        was=None,
    )
    _saved(campaign)
    audit_record(
        organization=organization,
        actor=user,
        action=AuditAction.CAMPAIGN_CREATED,
        target=campaign,
        details=_details(campaign),
    )
    return campaign


def _locked_open(campaign: Campaign, user: User) -> Campaign:
    _require_admin(user, campaign.organization_id)
    locked = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
    if locked.archived_at is not None:
        raise ApplicationError("This campaign is archived; it can no longer be changed.")
    return locked


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    user: User,
    title: str,
    goal_kind: str,
    goal_level: int | None = None,
    goal_capability: str = "",
    scope_tags: Iterable[str] = (),
    scope_criticalities: Iterable[str] = (),
    owner: User | None,
    starts_on: date,
    deadline: date,
    today: date | None = None,
) -> Campaign:
    """Change an open campaign (org admins of its organisation); every field is given again."""
    today = today or timezone.localdate()
    locked = _locked_open(campaign, user)
    was = Campaign.objects.get(pk=campaign.pk)
    _apply(
        locked,
        today=today,
        title=title,
        goal_kind=goal_kind,
        goal_level=goal_level,
        goal_capability=goal_capability,
        scope_tags=scope_tags,
        scope_criticalities=scope_criticalities,
        owner=owner,
        starts_on=starts_on,
        deadline=deadline,
        was=was,
    )
    before, after = _details(was), _details(locked)
    changed = {key: after[key] for key in after if after[key] != before[key]}
    if changed:
        _saved(locked)
        audit_record(
            organization=locked.organization,
            actor=user,
            action=AuditAction.CAMPAIGN_CHANGED,
            target=locked,
            details={"title": locked.title, **changed},
        )
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_archive(*, campaign: Campaign, user: User) -> Campaign:
    """Close a campaign: it leaves the teams' home pages and sends no more reminders."""
    locked = _locked_open(campaign, user)
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at"])
    audit_record(
        organization=locked.organization,
        actor=user,
        action=AuditAction.CAMPAIGN_ARCHIVED,
        target=locked,
        details={"title": locked.title},
    )
    campaign.refresh_from_db()
    return campaign
