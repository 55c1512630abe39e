"""Who may see and change what. Every team-owned query and page goes through this module, and
so do the records only an organisation's admins read."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponseBase

from .compiled_queries import CompiledQuery
from .maturity.campaigns import in_scope
from .models import (
    Campaign,
    Invitation,
    Membership,
    Organization,
    OrganizationAdminOnly,
    Role,
    Team,
    TeamOwned,
    TeamTag,
)

Owned = TypeVar("Owned", bound=TeamOwned)
AdminOnly = TypeVar("AdminOnly", bound=OrganizationAdminOnly)
# Pages and the API ask on behalf of whoever sent the request, signed in or not.
UserOrAnonymous = User | AnonymousUser


def signed_in(user: UserOrAnonymous) -> User:
    """The user of a request that a view only serves signed in (login_required, the API's
    IsAuthenticated). Anonymous here means a view lost its guard: refused, never served."""
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to do this.")
    return user


EDIT_ROLES = frozenset({Role.ORG_ADMIN, Role.LEAD, Role.MEMBER})
MANAGE_ROLES = frozenset({Role.ORG_ADMIN, Role.LEAD})


def visible_teams(user: UserOrAnonymous) -> QuerySet[Team]:
    """Teams the user belongs to, plus every team of the organisations the user administers."""
    member = member_id(user)
    if member is not None:
        return teams_of_member(member)
    return Team.objects.all() if user.is_authenticated and user.is_active else Team.objects.none()


def member_id(user: UserOrAnonymous) -> int | None:
    """The id of a signed-in, active user who is no superuser (for `teams_of_member`), or None."""
    return user.pk if user.is_authenticated and user.is_active and not user.is_superuser else None


def teams_of_member(user_id: int) -> QuerySet[Team]:
    """`visible_teams` by the id `member_id` gives: a query compiled once takes it as a value."""
    member_of = Membership.objects.filter(user_id=user_id, team__isnull=False).values("team_id")
    admin_of = Membership.objects.filter(user_id=user_id, role=Role.ORG_ADMIN)
    organizations = admin_of.values("organization_id")
    return Team.objects.filter(Q(id__in=member_of) | Q(organization_id__in=organizations))


def visible_team_ids(user: UserOrAnonymous) -> QuerySet[Team, int]:
    """A subquery of visible team ids, so callers filter in SQL instead of in Python."""
    return visible_teams(user).values_list("id", flat=True)


def visible_to(queryset: QuerySet[Owned], user: UserOrAnonymous) -> QuerySet[Owned]:
    """The one tenancy rule for team-owned objects (models.TeamOwned): a team's members and
    its organisation's admins see them, nobody else."""
    team_path = queryset.model.team_path
    return queryset.filter(**{f"{team_path}_id__in": visible_team_ids(user)})


def administered_organization_ids(user: UserOrAnonymous) -> QuerySet[Membership, int] | None:
    """A subquery of the ids of the organisations the user administers; None for a superuser,
    who administers every one."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none().values_list("organization_id", flat=True)
    return Membership.objects.filter(user=user, role=Role.ORG_ADMIN).values_list(
        "organization_id", flat=True
    )


def is_org_admin(user: UserOrAnonymous) -> bool:
    """Whether the user administers at least one organisation."""
    administered = administered_organization_ids(user)
    return administered is None or administered.exists()


def visible_to_org_admins(
    queryset: QuerySet[AdminOnly], user: UserOrAnonymous
) -> QuerySet[AdminOnly]:
    """The tenancy rule for records of an organisation's administration (models.
    OrganizationAdminOnly, the audit log): its admins see them; its teams' people do not, as
    the records name people and changes across every team."""
    administered = administered_organization_ids(user)
    if administered is None:
        return queryset
    organization_path = queryset.model.organization_path
    return queryset.filter(**{f"{organization_path}_id__in": administered})


def is_admin_of_organization(user: UserOrAnonymous, organization_id: int) -> bool:
    """Whether the user administers this organisation (a superuser administers every one)."""
    administered = administered_organization_ids(user)
    return administered is None or administered.filter(organization_id=organization_id).exists()


def organizations_of(user: UserOrAnonymous) -> QuerySet[Organization]:
    """The organisations whose data the user reaches: those where they hold a role, an admin's
    or a team's, and every one for a superuser, who administers them all."""
    if administered_organization_ids(user) is None:
        return Organization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=Membership.objects.filter(user=user).values("organization_id")
    )


def visible_campaigns(queryset: QuerySet[Campaign], user: UserOrAnonymous) -> QuerySet[Campaign]:
    """The tenancy rule for campaigns: an organisation's admins see all of its campaigns; the
    people of a team see the campaigns that apply to their team, nobody else.

    Which teams a campaign applies to is computed (tags and the latest criticality), so the
    campaigns of a member's organisations are matched here against the member's few teams, in
    three queries however many campaigns and teams the organisation has."""
    administered = administered_organization_ids(user)
    if administered is None:
        return queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    teams = list(
        Team.objects.filter(memberships__user=user)
        .values_list("id", "organization_id", "latest_result__criticality")
        .distinct()
    )
    tags: dict[int, set[str]] = {}
    for team_id, name in TeamTag.objects.filter(team_id__in=[t[0] for t in teams]).values_list(
        "team_id", "name"
    ):
        tags.setdefault(team_id, set()).add(name)
    applying = []
    if teams:
        for campaign_id, organization_id, scope_tags, criticalities in Campaign.objects.filter(
            organization_id__in={t[1] for t in teams}
        ).values_list("id", "organization_id", "scope_tags", "scope_criticalities"):
            if any(
                in_scope(
                    tags.get(team_id, ()), criticality, tags=scope_tags, criticalities=criticalities
                )
                for team_id, team_organization_id, criticality in teams
                if team_organization_id == organization_id
            ):
                applying.append(campaign_id)
    return queryset.filter(Q(organization_id__in=administered) | Q(pk__in=applying))


@dataclass
class RoleMemo:
    """The roles read during one request, by (user id, team id).

    A request checks a role for visibility and again for each permission (the page, then the
    service it calls); with the memo only the first check costs a query. It lives as long as
    the request: a role changed meanwhile holds from the next request on.
    """

    roles: dict[tuple[int, int], str | None] = field(default_factory=dict)


_request_roles: ContextVar[RoleMemo | None] = ContextVar("request_roles", default=None)


@contextmanager
def roles_remembered() -> Iterator[RoleMemo]:
    """Remember the roles read inside the block (one request: see RememberRolesMiddleware).
    Outside such a block, in tasks, commands and tests, every check reads the database."""
    memo = RoleMemo()
    token = _request_roles.set(memo)
    try:
        yield memo
    finally:
        _request_roles.reset(token)


class RememberRolesMiddleware:
    """Opens a role memo for each request, which ends with the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with roles_remembered():
            return self.get_response(request)


def _best_role(roles: Iterable[str]) -> str | None:
    """The highest of the roles held: org admin, then lead, member, viewer."""
    held = set(roles)
    for role in (Role.ORG_ADMIN, Role.LEAD, Role.MEMBER, Role.VIEWER):
        if role in held:
            return role
    return None


# The memberships that give a user a role in a team: the team's own, and an admin's of its
# organisation. Each id is a value or an OuterRef.
def _team_membership(team_id: Any) -> Q:
    return Q(team_id=team_id)


def _org_admin_membership(organization_id: Any) -> Q:
    return Q(organization_id=organization_id, role=Role.ORG_ADMIN)


# Read on every page of a team and every autosave: compiled once (see CompiledQuery).
_ROLES_IN_TEAM = CompiledQuery(
    lambda team_id, organization_id, user_id: Membership.objects.filter(
        _team_membership(team_id) | _org_admin_membership(organization_id), user_id=user_id
    ).values_list("role")
)


def roles_held_annotations(*, team_id: Any, organization_id: Any, user_id: Any) -> dict[str, Any]:
    """The memberships `team_role` reads, as annotations for a query that reads the team
    anyway (an OuterRef for each id), so that it learns the user's role without a query of
    its own: `role_in_team`, the team's own membership's role, and `is_org_admin`. Pass the
    two values read to `roles_held`."""
    return {
        "role_in_team": Subquery(
            Membership.objects.filter(_team_membership(team_id), user_id=user_id).values("role")[:1]
        ),
        "is_org_admin": Exists(
            Membership.objects.filter(_org_admin_membership(organization_id), user_id=user_id)
        ),
    }


def roles_held(role_in_team: str | None, is_org_admin: bool) -> list[str]:
    """The roles read by `roles_held_annotations`, for `remember_roles_held`."""
    return [role for role in (role_in_team, Role.ORG_ADMIN if is_org_admin else None) if role]


def remember_roles_held(user: User, team: Team, held: Iterable[str]) -> None:
    """Remember, for the rest of the request, the roles `user` holds in `team` (its own
    membership's and, if they are one, the org admin's) as a caller's own query read them, so
    `team_role` answers without a query of its own. Outside a request it remembers nothing."""
    memo = _request_roles.get()
    if memo is not None:
        memo.roles[(user.pk, team.pk)] = _best_role(held)


def team_role(user: UserOrAnonymous, team: Team) -> str | None:
    """The user's effective role in the team; org admin outranks any per-team role.

    None exactly when `visible_teams(user)` leaves the team out. Read once per request.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ORG_ADMIN
    memo = _request_roles.get()
    key = (user.pk, team.pk)
    if memo is not None and key in memo.roles:
        return memo.roles[key]
    role = _best_role(
        held
        for (held,) in _ROLES_IN_TEAM.rows(
            team_id=team.pk, organization_id=team.organization_id, user_id=user.pk
        )
    )
    if memo is not None:
        memo.roles[key] = role
    return role


def team_roles(user: UserOrAnonymous, teams: Iterable[Team]) -> dict[int, str | None]:
    """`team_role` for each team, by team id, in one query however many teams."""
    teams = list(teams)
    if not user.is_authenticated or not user.is_active:
        return {team.pk: None for team in teams}
    if user.is_superuser:
        return {team.pk: Role.ORG_ADMIN for team in teams}
    per_team: dict[int, set[str]] = {}
    admin_of: set[int] = set()
    for team_id, organization_id, role in Membership.objects.filter(user=user).values_list(
        "team_id", "organization_id", "role"
    ):
        if role == Role.ORG_ADMIN:
            admin_of.add(organization_id)
        else:
            per_team.setdefault(team_id, set()).add(role)
    roles = {
        team.pk: Role.ORG_ADMIN
        if team.organization_id in admin_of
        else _best_role(per_team.get(team.pk, ()))
        for team in teams
    }
    memo = _request_roles.get()
    if memo is not None:
        memo.roles.update(((user.pk, team_id), role) for team_id, role in roles.items())
    return roles


def can_edit_team(user: UserOrAnonymous, team: Team) -> bool:
    """Members and above answer questionnaires, submit them and reopen them as new drafts
    (a submitted assessment never changes); viewers only read."""
    return team_role(user, team) in EDIT_ROLES


def can_manage_team(user: UserOrAnonymous, team: Team) -> bool:
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


def require_manage_team(user: UserOrAnonymous, team: Team, *, to: str) -> None:
    """Refuse unless the user is a lead of the team or an admin of its organisation;
    `to` completes "Only team leads and org admins can ...", e.g. "connect repositories"."""
    role = team_role(user, team)
    if role not in MANAGE_ROLES:
        raise TeamActionRefused(f"Only team leads and org admins can {to}.", team=team, role=role)


# Highest first: a role may give roles up to its own, never above.
ROLE_RANK: dict[str, int] = {Role.ORG_ADMIN: 3, Role.LEAD: 2, Role.MEMBER: 1, Role.VIEWER: 0}


def invitable_roles(user: UserOrAnonymous, team: Team) -> list[str]:
    """The team roles the user may invite people to: org admins any team role, leads their own
    team's roles up to lead; nobody else invites. Org admins are invited organisation-wide,
    by the organisation's admins (`can_invite_org_admin`)."""
    role = team_role(user, team)
    if role not in MANAGE_ROLES:
        return []
    return [r for r in (Role.LEAD, Role.MEMBER, Role.VIEWER) if ROLE_RANK[r] <= ROLE_RANK[role]]


def can_invite(
    user: UserOrAnonymous, *, organization_id: int, team: Team | None, role: str
) -> bool:
    """Whether the user may invite (and resend or revoke an invitation) to this role: to a
    team, see `invitable_roles`; to the organisation as an admin, its admins only."""
    if team is None:
        return role == Role.ORG_ADMIN and is_admin_of_organization(user, organization_id)
    return team.organization_id == organization_id and role in invitable_roles(user, team)


def can_see_invitations(user: UserOrAnonymous, team: Team) -> bool:
    """A team's pending invitations (names and addresses) are for its leads and org admins."""
    return team_role(user, team) in MANAGE_ROLES


def invitations_visible_to(user: UserOrAnonymous) -> QuerySet[Invitation]:
    """The invitations the user may see, resend and revoke (within `can_invite`): those of the
    organisations the user administers, and of the teams the user leads."""
    administered = administered_organization_ids(user)
    if administered is None:
        return Invitation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Invitation.objects.none()
    led = Membership.objects.filter(user=user, role=Role.LEAD, team__isnull=False).values("team_id")
    return Invitation.objects.filter(Q(organization_id__in=administered) | Q(team_id__in=led))


def scoped(queryset: QuerySet[Any], user: UserOrAnonymous) -> QuerySet[Any]:
    """The rows of `queryset` the user may see, by the rule of its model: teams the user sees,
    campaigns, invitations (names and addresses of people invited: the team's leads and the
    organisation's admins only), records of an organisation's administration, and every other
    row through the team that owns it."""
    model = queryset.model
    if model is Team:
        return queryset.filter(id__in=visible_team_ids(user))
    if model is Campaign:
        return visible_campaigns(queryset, user)
    if model is Invitation:
        return queryset.filter(pk__in=invitations_visible_to(user).values("pk"))
    if issubclass(model, OrganizationAdminOnly):
        return visible_to_org_admins(queryset, user)
    return visible_to(queryset, user)
