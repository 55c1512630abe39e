"""Reads about teams: the home page's overview, one team for a user, its members, the people to
ask."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from ..access import EDIT_ROLES, MANAGE_ROLES, UserOrAnonymous, team_roles, visible_teams
from ..models import (
    Assessment,
    AssessmentStatus,
    Exemption,
    ExemptionStatus,
    Membership,
    Repository,
    Result,
    Role,
    Scan,
    Team,
    needs_confirmation,
)
from .assessments import latest_submission_id_subquery
from .repositories import latest_scan_subquery

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A submission older than this is due again: teams assess themselves about once a quarter.
ASSESSMENT_DUE_AFTER = timedelta(days=92)


class DraftCounts(TypedDict):
    """What the home page says of an open draft: answers given, and how many of them were
    carried over and still need confirming."""

    answered: int
    to_confirm: int


@dataclass
class TeamOverview:
    """One team as the home page shows it: where it stands and the one thing to do next."""

    team: Team
    role: str | None
    latest_result: Result | None = None
    previous_index: float | None = None
    # The latest submitted assessment, whose result may still be being computed.
    latest_submitted: Assessment | None = None
    draft: "WithAnnotations[Assessment, DraftCounts] | None" = None
    last_scan: Scan | None = None
    repository_count: int = 0
    # The usernames of the team's leads, whom a member asks to connect a repository.
    lead_names: list[str] = field(default_factory=list)
    # Exemption requests waiting for an org admin's decision.
    exemptions_waiting: int = 0

    @property
    def can_edit(self) -> bool:
        return self.role in EDIT_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES

    def is_due(self, now: datetime) -> bool:
        if self.latest_submitted is None:
            return False
        submitted_at = self.latest_submitted.submitted_at
        assert submitted_at is not None  # the database holds every submission to have a date
        return now - submitted_at > ASSESSMENT_DUE_AFTER

    def next_action(self, now: datetime) -> str:
        """The one next step for this user, by priority: finish what is open, then start, then
        give the scanner something to read, then read the result."""
        if self.draft is not None and self.can_edit:
            return "confirm" if self.draft.to_confirm else "continue"
        if self.latest_submitted is None:
            return "start" if self.can_edit else "wait"
        if self.latest_result is None:
            return "pending"
        if self.repository_count == 0 and self.can_manage:
            return "connect"
        if self.is_due(now) and self.can_edit:
            return "start_again"
        return "result"


def team_overview_for_user(*, user: UserOrAnonymous) -> list[TeamOverview]:
    """The teams the user can see, each with its latest result and the one before (for the
    trend), its open draft with how many answers are given and how many still need confirming,
    its last scan, and the user's role in it. A fixed number of queries however many teams.
    """
    newest_result = Result.objects.filter(assessment__team=OuterRef("pk")).order_by(
        "-assessment__submitted_at", "-pk"
    )
    teams = list(
        visible_teams(user)
        .select_related("organization")
        .annotate(
            # The latest result is the team's own `latest_result`; the one before, for the trend.
            previous_index=Subquery(newest_result.values("index")[1:2]),
            latest_submitted_id=latest_submission_id_subquery(),
            last_scan_id=latest_scan_subquery(outer="repository__team"),
            repository_count=Subquery(
                Repository.objects.filter(team=OuterRef("pk"))
                .order_by()
                .values("team")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            has_draft=Exists(
                Assessment.objects.filter(team=OuterRef("pk"), status=AssessmentStatus.DRAFT)
            ),
            exemptions_waiting=Subquery(
                Exemption.objects.filter(team=OuterRef("pk"), status=ExemptionStatus.REQUESTED)
                .order_by()
                .values("team")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
        .order_by("organization__name", "name")
    )
    if not teams:
        return []
    team_ids = [team.pk for team in teams]

    results = {
        result.pk: result
        for result in Result.objects.filter(
            pk__in=[t.latest_result_id for t in teams if t.latest_result_id]
        ).defer("snapshot", "lenses")
    }
    submitted = {
        assessment.pk: assessment
        for assessment in Assessment.objects.filter(
            pk__in=[t.latest_submitted_id for t in teams if t.latest_submitted_id]
        ).select_related("submitted_by")
    }
    drafts = {}
    if any(t.has_draft for t in teams):
        drafts = {
            draft.team_id: draft
            for draft in Assessment.objects.filter(
                team_id__in=team_ids, status=AssessmentStatus.DRAFT
            ).annotate(
                answered=Count("answers"),
                to_confirm=Count("answers", filter=needs_confirmation("answers__")),
            )
        }
    scans = {
        scan.pk: scan
        for scan in Scan.objects.filter(
            pk__in=[t.last_scan_id for t in teams if t.last_scan_id]
        ).defer("findings", "report")
    }
    roles = team_roles(user, teams)
    leads: dict[int, list[str]] = {}
    for team_id, username in team_leads(team_ids=team_ids).values_list("team_id", "user__username"):
        leads.setdefault(team_id, []).append(username)

    return [
        TeamOverview(
            team=team,
            role=roles.get(team.pk),
            latest_result=(
                results.get(team.latest_result_id) if team.latest_result_id is not None else None
            ),
            previous_index=team.previous_index,
            latest_submitted=submitted.get(team.latest_submitted_id),
            draft=drafts.get(team.pk),
            last_scan=scans.get(team.last_scan_id),
            repository_count=team.repository_count or 0,
            lead_names=leads.get(team.pk, []),
            exemptions_waiting=team.exemptions_waiting or 0,
        )
        for team in teams
    ]


def team_list_for_user(*, user: UserOrAnonymous) -> QuerySet[Team]:
    """The teams the user can see (`access.visible_teams`), each with its organisation."""
    return visible_teams(user).select_related("organization")


def team_get_for_user(*, user: UserOrAnonymous, slug: str) -> Team:
    """The team, or 404 when it does not exist or the user may not see it (indistinguishable)."""
    try:
        return team_list_for_user(user=user).get(slug=slug)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None


def team_list_with_member_count(*, tag: str | None = None) -> QuerySet[Team]:
    """Every team (with this tag, if given) with its organisation, tags and number of members,
    by organisation and name, in a fixed number of queries however many there are. Not
    narrowed to a user: the caller applies tenancy (the API's TeamScoped views do)."""
    teams = (
        Team.objects.select_related("organization")
        .prefetch_related("tags")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("organization__name", "name", "id")
    )
    if tag:
        teams = teams.filter(tags__name=tag)
    return teams


def team_choices_for_organization(*, organization_id: int) -> list[tuple[str, str]]:
    """The organisation's teams as (slug, name), by slug: the teams an import can map to."""
    return list(
        Team.objects.filter(organization_id=organization_id)
        .order_by("slug")
        .values_list("slug", "name")
    )


def membership_list_for_team(*, team: Team) -> QuerySet[Membership]:
    """The team's members with their users, by role and username, for the team page."""
    return team.memberships.select_related("user").order_by("role", "user__username")


def team_leads(*, team_ids: Iterable[int]) -> QuerySet[Membership]:
    """The leads of these teams whose accounts are active, as their memberships (`team_id`)
    with their users, by username."""
    return (
        Membership.objects.filter(team_id__in=team_ids, role=Role.LEAD, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


def team_manager_names(*, team: Team, limit: int = 5) -> dict[str, list[str]]:
    """The usernames of the team's leads and of its organisation's admins, the people a refused
    member can ask; at most `limit` of each (the team page lists every member)."""
    memberships = (
        Membership.objects.filter(
            Q(team=team, role=Role.LEAD)
            | Q(organization_id=team.organization_id, team__isnull=True, role=Role.ORG_ADMIN),
            user__is_active=True,
        )
        .order_by("user__username")
        .values_list("role", "user__username")
    )
    names: dict[str, list[str]] = {"leads": [], "admins": []}
    for role, username in memberships:
        group = names["leads"] if role == Role.LEAD else names["admins"]
        if len(group) < limit:
            group.append(username)
    return names


def teams_missing_capability(*, user: UserOrAnonymous, capability: str) -> list[Team]:
    """The visible teams whose latest result does not have `capability` in place."""
    return list(
        visible_teams(user)
        .filter(
            latest_result__capabilities__capability_key=capability,
            latest_result__capabilities__met=False,
        )
        .select_related("organization", "latest_result")
        .order_by("name", "pk")
    )
