"""Organisations, teams, memberships and team tags: creating them, changing them and the audit
records of it. Who may see what is decided in access.py."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from ..errors import ApplicationError
from ..models import (
    AuditAction,
    Membership,
    MembershipSource,
    Organization,
    Role,
    Team,
    TeamTag,
)
from .audit import audit_record


@transaction.atomic
def organization_get_or_create(*, slug: str, name: str) -> Organization:
    organization, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    if created:
        organization.full_clean()
    return organization


@transaction.atomic
def team_get_or_create(
    *, organization: Organization, slug: str, name: str, description: str = ""
) -> Team:
    team, created = Team.objects.get_or_create(
        slug=slug,
        defaults={"organization": organization, "name": name, "description": description},
    )
    if created:
        team.full_clean()
    return team


@transaction.atomic
def membership_set(
    *,
    user: User,
    role: str,
    organization: Organization,
    team: Team | None = None,
    actor: User | None,
    source: str = MembershipSource.MANUAL,
    note: dict[str, str] | None = None,
) -> Membership:
    """Give the user one role: org-wide for admins, per team otherwise (replacing the old one).

    `actor` is who gives it, for the audit log; None when the system does (demo data, imports,
    single sign-on). `source` is who keeps it: a role set by hand makes the membership a
    hand-made one, which single sign-on never changes; `note` adds facts to the audit event
    (the group that granted it). Setting the role a user already holds records nothing."""
    if role == Role.ORG_ADMIN:
        membership, created = Membership.objects.get_or_create(
            user=user, organization=organization, role=Role.ORG_ADMIN, defaults={"source": source}
        )
        if created:
            _record_membership_added(membership, actor=actor, note=note)
        elif source == MembershipSource.MANUAL and membership.source != source:
            membership.source = source
            membership.save(update_fields=["source"])
        return membership
    if team is None:
        raise ApplicationError(
            "Only org admins hold their role across the organisation; give the team for any "
            "other role."
        )
    old_role = (
        Membership.objects.select_for_update()
        .filter(user=user, team=team)
        .values_list("role", flat=True)
        .first()
    )
    membership, _ = Membership.objects.update_or_create(
        user=user,
        team=team,
        defaults={"organization": team.organization, "role": role, "source": source},
    )
    membership.full_clean()
    if old_role is None:
        _record_membership_added(membership, actor=actor, note=note)
    elif old_role != role:
        audit_record(
            organization=membership.organization,
            team=team,
            actor=actor,
            action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
            target=membership,
            details={
                "username": user.get_username(),
                "old_role": old_role,
                "new_role": role,
                **(note or {}),
            },
        )
    return membership


@transaction.atomic
def membership_remove(
    *,
    membership: Membership,
    actor: User | None,
    action: AuditAction = AuditAction.MEMBERSHIP_REMOVED,
    note: dict[str, str] | None = None,
) -> bool:
    """Take the role away: the user leaves the team (or stops administering the organisation).

    `actor` is who removes it, for the audit log (None: the system); `action` tells why (by
    hand, or left an SSO group). Removing a membership already gone changes nothing and
    records nothing; returns whether one went."""
    current = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organization", "team")
        .filter(pk=membership.pk)
        .first()
    )
    if current is None:
        return False
    _record_membership(current, actor=actor, action=action, note=note)
    current.delete()
    return True


def _record_membership_added(
    membership: Membership, *, actor: User | None, note: dict[str, str] | None
) -> None:
    action = (
        AuditAction.MEMBERSHIP_GRANTED_BY_SSO
        if membership.source == MembershipSource.SSO
        else AuditAction.MEMBERSHIP_ADDED
    )
    _record_membership(membership, actor=actor, action=action, note=note)


def _record_membership(
    membership: Membership,
    *,
    actor: User | None,
    action: AuditAction,
    note: dict[str, str] | None,
) -> None:
    """One audit event about a membership: whose, which role, and why (`note`)."""
    audit_record(
        organization=membership.organization,
        team=membership.team,
        actor=actor,
        action=action,
        target=membership,
        details={
            "username": membership.user.get_username(),
            "role": membership.role,
            **(note or {}),
        },
    )


TAG_MAX_LENGTH = 60


@transaction.atomic
def team_tags_set(*, team: Team, names: Iterable[str]) -> list[str]:
    """Replace the team's tags; tags are trimmed, lower-cased labels such as `unit:payments`."""
    cleaned = sorted({name.strip().lower() for name in names if name.strip()})
    for name in cleaned:
        if len(name) > TAG_MAX_LENGTH:
            raise ApplicationError(
                f"The tag '{name[:20]}…' is longer than {TAG_MAX_LENGTH} characters."
            )
    TeamTag.objects.filter(team=team).exclude(name__in=cleaned).delete()
    existing = set(TeamTag.objects.filter(team=team).values_list("name", flat=True))
    TeamTag.objects.bulk_create(TeamTag(team=team, name=n) for n in cleaned if n not in existing)
    return cleaned
