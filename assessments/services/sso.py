"""Single sign-on: the account a provider's user signs in as, the memberships their groups
grant, and the group rules an org admin keeps.

Memberships granted by a rule are marked `source=sso`; at each sign-in `sso_memberships_sync`
makes them match the user's groups (granting, changing the role, removing), and never touches
a membership given by hand. Every change goes through `services.memberships` and the audit log.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import ApplicationError
from ..models import (
    AuditAction,
    GroupMappingRule,
    Membership,
    MembershipSource,
    Organization,
    Role,
    SsoIdentity,
    Team,
)
from .audit import audit_record
from .memberships import membership_remove, membership_set

USERNAME_MAX_LENGTH = 150
GROUP_MAX_LENGTH = 200
# The strongest role wins when several rules give the same user roles in one team.
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.LEAD: 2, Role.ORG_ADMIN: 3}


def groups_from_claims(claims: dict[str, Any], claim: str) -> set[str]:
    """The group names in the claim: a list of strings (or one string), trimmed."""
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(name).strip() for name in value if str(name).strip()}


def _username_base(claims: dict[str, Any]) -> str:
    for candidate in (
        claims.get("preferred_username"),
        (claims.get("email") or "").split("@")[0],
        claims.get("sub"),
    ):
        cleaned = re.sub(r"[^\w.@+-]", "", str(candidate or ""), flags=re.ASCII)
        if cleaned:
            return cleaned[: USERNAME_MAX_LENGTH - 8]
    return "user"


def _unique_username(base: str) -> str:
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def _existing_account(email: str, claims: dict[str, Any]) -> User | None:
    if not email or claims.get("email_verified") is not True:
        return None
    matches = list(User.objects.filter(email__iexact=email, sso_identity__isnull=True)[:2])
    return matches[0] if len(matches) == 1 else None


def _new_account(email: str, claims: dict[str, Any]) -> User:
    user = User(username=_unique_username(_username_base(claims)), email=email)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def sso_user_get_or_create(*, issuer: str, claims: dict[str, Any]) -> User:
    """The user the provider's account (issuer, `sub`) signs in as, created at its first sign-in.

    A first sign-in joins an existing account only when the provider vouches for the email
    (`email_verified`) and exactly one account without a provider link has it; otherwise a new
    account is made, its username from `preferred_username` (or the email's name, or `sub`),
    cleaned and made unique, with no usable password. Name and email follow the provider's."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise ApplicationError("The provider's answer names no subject (sub).")
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    email = str(claims.get("email") or "")[:254]
    if identity is not None:
        user = identity.user
    else:
        user = _existing_account(email, claims) or _new_account(email, claims)
        identity = SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    changed = []
    for field, claim in (
        ("email", "email"),
        ("first_name", "given_name"),
        ("last_name", "family_name"),
    ):
        value = str(claims.get(claim) or "")[:150]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    return user


@transaction.atomic
def sso_memberships_sync(*, user: User, groups: Iterable[str]) -> None:
    """Make the user's SSO-granted memberships match what the rules give their groups.

    Grants the missing ones, changes a role a rule now gives differently, and removes the ones
    no group grants any more; a membership given by hand is left as it is, even where a rule
    would give another role."""
    groups = set(groups)
    wanted: dict[tuple[int, int | None], tuple[GroupMappingRule, str]] = {}
    rules = GroupMappingRule.objects.filter(group__in=groups).select_related("organization", "team")
    for rule in rules:
        key = (rule.organization_id, rule.team_id)
        if key not in wanted or ROLE_RANK[Role(rule.role)] > ROLE_RANK[Role(wanted[key][1])]:
            wanted[key] = (rule, rule.role)

    held = {
        (m.organization_id, m.team_id if m.role != Role.ORG_ADMIN else None): m
        for m in Membership.objects.select_for_update(of=("self",))
        .filter(user=user)
        .select_related("organization", "team")
    }
    for key, (rule, role) in wanted.items():
        membership = held.get(key)
        if membership is not None and membership.source == MembershipSource.MANUAL:
            continue
        if membership is not None and membership.role == role:
            continue
        membership_set(
            user=user,
            role=role,
            organization=rule.organization,
            team=rule.team,
            actor=None,
            source=MembershipSource.SSO,
            note={"group": rule.group},
        )
    for key, membership in held.items():
        if membership.source == MembershipSource.SSO and key not in wanted:
            membership_remove(
                membership=membership,
                actor=None,
                action=AuditAction.MEMBERSHIP_REMOVED_BY_SSO,
            )


@transaction.atomic
def group_mapping_rule_create(
    *,
    organization: Organization,
    group: str,
    team: Team | None,
    role: str,
    actor: User | None,
) -> GroupMappingRule:
    """Add a rule: members of `group` get `role` in `team` (org-wide for org admins). It applies
    at each member's next sign-in."""
    group = group.strip()
    if not group:
        raise ApplicationError("Give the group's name, exactly as the provider sends it.")
    if len(group) > GROUP_MAX_LENGTH:
        raise ApplicationError(f"A group's name is at most {GROUP_MAX_LENGTH} characters.")
    if role not in Role.values:
        raise ApplicationError("Choose one of the roles.")
    if role == Role.ORG_ADMIN and team is not None:
        raise ApplicationError(
            "Org admins hold their role across the organisation: leave the team empty."
        )
    if role != Role.ORG_ADMIN and team is None:
        raise ApplicationError("Choose the team this group's members join with that role.")
    if team is not None and team.organization_id != organization.pk:
        raise ApplicationError("The team belongs to another organisation.")
    duplicate = GroupMappingRule.objects.filter(organization=organization, group=group, team=team)
    if duplicate.exists():
        where = f"team {team.name}" if team else "the organisation"
        raise ApplicationError(f"The group “{group}” already has a rule for {where}.")
    try:
        with transaction.atomic():
            rule = GroupMappingRule.objects.create(
                organization=organization, group=group, team=team, role=role, created_by=actor
            )
    except IntegrityError as error:  # a rule added at the same moment
        raise ApplicationError(f"The group “{group}” already has this rule.") from error
    audit_record(
        organization=organization,
        team=team,
        actor=actor,
        action=AuditAction.SSO_RULE_ADDED,
        target=rule,
        details={"group": group, "role": role},
    )
    return rule


@transaction.atomic
def group_mapping_rule_delete(*, rule: GroupMappingRule, actor: User | None) -> None:
    """Delete a rule. The memberships it granted end at each member's next sign-in."""
    audit_record(
        organization=rule.organization,
        team=rule.team,
        actor=actor,
        action=AuditAction.SSO_RULE_DELETED,
        target=rule,
        details={"group": rule.group, "role": rule.role},
    )
    rule.delete()
