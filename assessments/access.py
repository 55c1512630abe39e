"""Who may see and change what. Every team-owned query and page goes through this module."""

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Membership, Role, Team, TeamOwned

Owned = TypeVar("Owned", bound=TeamOwned)

EDIT_ROLES = frozenset({Role.ORG_ADMIN, Role.LEAD, Role.MEMBER})
MANAGE_ROLES = frozenset({Role.ORG_ADMIN, Role.LEAD})


def visible_teams(user) -> QuerySet[Team]:
    """Teams the user belongs to, plus every team of the organisations the user administers."""
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    member_of = Membership.objects.filter(user=user, team__isnull=False).values("team_id")
    admin_of = Membership.objects.filter(user=user, role=Role.ORG_ADMIN).values("organization_id")
    return Team.objects.filter(Q(id__in=member_of) | Q(organization_id__in=admin_of))


def visible_team_ids(user) -> QuerySet:
    """A subquery of visible team ids, so callers filter in SQL instead of in Python."""
    return visible_teams(user).values("id")


def visible_to(queryset: QuerySet[Owned], user) -> QuerySet[Owned]:
    """The one tenancy rule for team-owned objects (models.TeamOwned): a team's members and
    its organisation's admins see them, nobody else."""
    team_path = queryset.model.team_path
    return queryset.filter(**{f"{team_path}_id__in": visible_team_ids(user)})


def team_role(user, team: Team) -> str | None:
    """The user's effective role in the team; org admin outranks any per-team role.

    None exactly when `visible_teams(user)` leaves the team out.
    """
    known = team.__dict__.get("_roles_read_in_this_request")
    if known is not None and user.pk in known:
        return known[user.pk]
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ORG_ADMIN
    roles = set(
        Membership.objects.filter(
            Q(team=team) | Q(organization_id=team.organization_id, role=Role.ORG_ADMIN), user=user
        ).values_list("role", flat=True)
    )
    for role in (Role.ORG_ADMIN, Role.LEAD, Role.MEMBER, Role.VIEWER):
        if role in roles:
            return role
    return None


def team_role_kept(user, team: Team) -> str | None:
    """`team_role`, remembered on this team instance: a request that loaded the team checks the
    role for visibility and again for permission, and the second check costs no query.

    Only for instances loaded in the current request, which the next request loads afresh."""
    role = team_role(user, team)
    team.__dict__["_roles_read_in_this_request"] = {user.pk: role}
    return role


def can_edit_team(user, team: Team) -> bool:
    """Members and above answer questionnaires, submit them and reopen them as new drafts
    (a submitted assessment never changes); viewers only read."""
    return team_role(user, team) in EDIT_ROLES


def can_manage_team(user, team: Team) -> bool:
    """Leads and org admins connect, change and remove repositories: they hold the tokens."""
    return team_role(user, team) in MANAGE_ROLES


class TeamActionRefused(PermissionDenied):
    """A page of a team the user can see but may not use: the 403 page shows `message`, the
    user's `role` in the team (decided here, so the page does not ask again) and names the
    team's people who can do it."""

    def __init__(self, message: str, *, team: Team, role: str | None):
        super().__init__(message)
        self.message = message
        self.team = team
        self.role = role


def require_manage_team(user, team: Team, *, to: str) -> None:
    """Refuse unless the user is a lead of the team or an admin of its organisation;
    `to` completes "Only team leads and org admins can ...", e.g. "connect repositories"."""
    role = team_role(user, team)
    if role not in MANAGE_ROLES:
        raise TeamActionRefused(f"Only team leads and org admins can {to}.", team=team, role=role)
