"""Every read used by views and the API; owns filtering by tenancy and prefetching."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from . import maturity
from .access import EDIT_ROLES, MANAGE_ROLES, team_role_kept, visible_teams, visible_to
from .maturity.versions import load_catalogue_version
from .models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Membership,
    Repository,
    Result,
    Role,
    Scan,
    ScanStatus,
    Team,
    needs_confirmation,
)

# A submission older than this is due again: teams assess themselves about once a quarter.
ASSESSMENT_DUE_AFTER = timedelta(days=92)


@dataclass
class TeamOverview:
    """One team as the home page shows it: where it stands and the one thing to do next."""

    team: Team
    role: str | None
    latest_result: Result | None = None
    previous_index: float | None = None
    # The latest submitted assessment, whose result may still be being computed.
    latest_submitted: Assessment | None = None
    # The open draft, annotated with `answered` and `to_confirm` (carried over, not confirmed).
    draft: Assessment | None = None
    last_scan: Scan | None = None
    repository_count: int = 0
    # The usernames of the team's leads, whom a member asks to connect a repository.
    lead_names: list[str] = field(default_factory=list)

    @property
    def can_edit(self) -> bool:
        return self.role in EDIT_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES

    def is_due(self, now: datetime) -> bool:
        return (
            self.latest_submitted is not None
            and now - self.latest_submitted.submitted_at > ASSESSMENT_DUE_AFTER
        )

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


def team_overview_for_user(*, user) -> list[TeamOverview]:
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
            latest_submitted_id=Subquery(
                Assessment.objects.filter(team=OuterRef("pk"), status=AssessmentStatus.SUBMITTED)
                .order_by("-submitted_at", "-pk")
                .values("pk")[:1]
            ),
            last_scan_id=Subquery(
                Scan.objects.filter(repository__team=OuterRef("pk"))
                .order_by("-queued_at", "-pk")
                .values("pk")[:1]
            ),
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
        ).defer("snapshot")
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
    roles = _roles_in_teams(user=user, teams=teams)
    leads: dict[int, list[str]] = {}
    for team_id, username in (
        Membership.objects.filter(team_id__in=team_ids, role=Role.LEAD, user__is_active=True)
        .order_by("user__username")
        .values_list("team_id", "user__username")
    ):
        leads.setdefault(team_id, []).append(username)

    return [
        TeamOverview(
            team=team,
            role=roles.get(team.pk),
            latest_result=results.get(team.latest_result_id),
            previous_index=team.previous_index,
            latest_submitted=submitted.get(team.latest_submitted_id),
            draft=drafts.get(team.pk),
            last_scan=scans.get(team.last_scan_id),
            repository_count=team.repository_count or 0,
            lead_names=leads.get(team.pk, []),
        )
        for team in teams
    ]


def _roles_in_teams(*, user, teams: list[Team]) -> dict[int, str]:
    """The user's effective role in each team, as `access.team_role` decides, in one query."""
    if user.is_superuser:
        return {team.pk: Role.ORG_ADMIN for team in teams}
    per_team: dict[int, str] = {}
    admin_of: set[int] = set()
    for team_id, organization_id, role in Membership.objects.filter(user=user).values_list(
        "team_id", "organization_id", "role"
    ):
        if role == Role.ORG_ADMIN:
            admin_of.add(organization_id)
        else:
            per_team[team_id] = role
    return {
        team.pk: Role.ORG_ADMIN if team.organization_id in admin_of else per_team.get(team.pk)
        for team in teams
    }


def organization_admin_of(*, user) -> bool:
    """Whether the user administers an organisation (the home page's empty state differs)."""
    return Membership.objects.filter(user=user, role=Role.ORG_ADMIN).exists()


def team_get_for_user(*, user, slug: str) -> Team:
    """The team, or 404 when it does not exist or the user may not see it (indistinguishable)."""
    try:
        return visible_teams(user).select_related("organization").get(slug=slug)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None


def assessment_list_for_team(*, team: Team) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(team=team)
        .select_related("result", "created_by", "submitted_by")
        .defer("result__snapshot")
        .order_by("-created_at")
    )


def assessment_get_for_user(*, user, assessment_id: int) -> Assessment:
    """The assessment, or 404 when it does not exist or belongs to a team the user cannot see.

    Visibility is the user's role in the team (none: not visible), read once and kept for the
    permission checks that follow in the same request; two plain queries cost less than the
    tenancy subquery on the questionnaire's hottest path, autosave.
    """
    assessment = Assessment.objects.select_related("team").filter(pk=assessment_id).first()
    if assessment is None or team_role_kept(user, assessment.team) is None:
        raise Http404("No such assessment.")
    return assessment


def result_history_for_team(*, team: Team, with_snapshots: bool = True) -> list[Result]:
    """The team's results in submission order, oldest first (snapshots are the heavy part)."""
    results = (
        Result.objects.filter(assessment__team=team)
        .select_related("assessment")
        .order_by("assessment__submitted_at")
    )
    if not with_snapshots:
        results = results.defer("snapshot")
    return list(results)


def dimension_index_history_for_team(*, team: Team) -> list[tuple[object, dict[str, float]]]:
    """(submitted at, index per dimension) of each of the team's results, oldest first; reads
    one key of each snapshot, not the whole snapshot."""
    return list(
        Result.objects.filter(assessment__team=team)
        .order_by("assessment__submitted_at")
        .values_list("assessment__submitted_at", "snapshot__result__dimension_index")
    )


def debt_statement_for_team(*, team: Team, today: date | None = None) -> list[maturity.DebtItem]:
    """The team's open gaps with the date first seen, days outstanding and interest.

    Criticality and target come from the latest result, since the bill is what the team owes now.
    """
    history = result_history_for_team(team=team)
    if not history:
        return []
    latest = history[-1].snapshot
    return maturity.debt_statement(
        [
            (
                r.assessment.submitted_at.date(),
                maturity.MaturityResult.from_dict(r.snapshot["result"]),
            )
            for r in history
        ],
        criticality=latest["target"].get("criticality") or "non_critical",
        catalogue=load_catalogue_version(history[-1].catalogue_version),
        today=today or timezone.localdate(),
        target_level=latest["target"]["level"],
    )


def answers_for_assessment(*, assessment: Assessment) -> dict[str, Answer]:
    return {
        answer.question_key: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }


def evidence_hints_for_team(*, team: Team) -> dict[str, maturity.Evidence]:
    """The strongest repository finding per capability, to show beside its questions."""
    evidence = evidence_for_team(team) or []
    rank = {strength: i for i, strength in enumerate(reversed(maturity.STRENGTHS))}
    best: dict[str, maturity.Evidence] = {}
    for finding in evidence:
        current = best.get(finding.capability)
        if current is None or (finding.grade, rank.get(finding.strength, -1)) > (
            current.grade,
            rank.get(current.strength, -1),
        ):
            best[finding.capability] = finding
    return best


def previous_result(*, assessment: Assessment) -> Result | None:
    """The team's result submitted just before this one, for deltas and the radar chart."""
    return (
        Result.objects.filter(
            assessment__team_id=assessment.team_id,
            assessment__submitted_at__lt=assessment.submitted_at,
        )
        .order_by("-assessment__submitted_at")
        .first()
    )


def organization_median_dimension_index(*, organization_id: int) -> dict[str, float]:
    """Median per-dimension index over the latest result of every team of the organisation.

    One join through each team's `latest_result`, whatever the length of the history: no
    search for the newest result per team, so no plan that depends on fresh statistics.
    """
    # Only the small per-dimension dict leaves the database, not the whole snapshot.
    indexes = Team.objects.filter(
        organization_id=organization_id, latest_result__isnull=False
    ).values_list("latest_result__snapshot__result__dimension_index", flat=True)
    per_dimension: dict[str, list[float]] = {}
    for dimension_index in indexes:
        for key, value in (dimension_index or {}).items():
            per_dimension.setdefault(key, []).append(value)
    return {key: statistics.median(values) for key, values in per_dimension.items()}


def _latest_conclusive_scans(team: Team) -> list[Scan]:
    """Each repository's latest successful scan, as the scan that holds its findings (a rescan
    of a commit seen before points at that commit's scan), with its repository; inconclusive
    ones are left out. One query."""
    latest_scan = (
        Scan.objects.filter(
            repository=OuterRef("pk"), status__in=[ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED]
        )
        .order_by("-finished_at", "-pk")
        .annotate(result_scan=Coalesce("same_as_id", "pk"))
        .values("result_scan")[:1]
    )
    scan_ids = (
        Repository.objects.filter(team=team)
        .annotate(latest_scan=Subquery(latest_scan))
        .values("latest_scan")
    )
    scans = (
        Scan.objects.filter(pk__in=scan_ids)
        .exclude(report__inconclusive=True)
        .select_related("repository")
        .defer("report")
    )
    return list(scans)


def evidence_for_team(team: Team) -> list[maturity.Evidence] | None:
    """Findings of each repository's latest conclusive scan; None when there is none.

    None (no scan) and [] (scanned, nothing found) mean different things to the engine: only a
    scan that happened can contradict a claim. A rescan of a commit seen before points at that
    commit's stored findings, so going back to an earlier commit brings its evidence back.
    """
    scans = _latest_conclusive_scans(team)
    if not scans:
        return None
    return [maturity.Evidence.from_dict(finding) for scan in scans for finding in scan.findings]


def evidence_sources_for_team(team: Team) -> list[tuple[maturity.Evidence, dict]]:
    """Each finding of the team's latest conclusive scans with where it comes from (the
    repository's name, the scanned commit, a link to the file on the forge when known), to
    say where a suggested answer comes from."""
    found = []
    for scan in _latest_conclusive_scans(team):
        repository, commit = scan.repository, scan.commit or ""
        for finding in scan.findings:
            evidence = maturity.Evidence.from_dict(finding)
            where = {
                "repository": repository.display_name,
                "commit": commit,
                "url": repository.file_url(commit, evidence.path, evidence.line),
            }
            found.append((evidence, where))
    return found


def recent_scan_coverage(team: Team, *, now=None) -> tuple[bool, frozenset[str] | None]:
    """Whether a conclusive scan of the team's repositories is recent enough to contradict,
    and the dimensions those repositories hold (None: the whole system).

    A claim without evidence is only a contradiction while the evidence describes the code as
    it is, and only about a part of the system a scanned repository holds; an old scan still
    grades capabilities but proves nothing missing.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.SCAN_CONTRADICTS_DAYS)
    holds = Repository.objects.filter(
        team=team,
        scans__status__in=[ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED],
        scans__report__inconclusive=False,
        scans__finished_at__gte=since,
    ).values_list("holds", flat=True)
    holds = list(holds)
    if not holds:
        return False, None
    if any(not parts for parts in holds):
        return True, None
    return True, frozenset(part for parts in holds for part in parts)


def repository_list_for_team(*, team: Team) -> list[Repository]:
    """The team's repositories, each with its latest scan (two queries in all)."""
    repositories = list(Repository.objects.filter(team=team).order_by("url", "branch"))
    latest_ids = (
        Repository.objects.filter(team=team)
        .annotate(
            latest=Subquery(
                Scan.objects.filter(repository=OuterRef("pk"))
                .order_by("-queued_at", "-pk")
                .values("pk")[:1]
            )
        )
        .values("latest")
    )
    latest = {
        scan.repository_id: scan
        for scan in Scan.objects.filter(pk__in=latest_ids).defer("findings")
    }
    for repository in repositories:
        repository.last_scan = latest.get(repository.pk)
    return repositories


def repository_get_for_user(*, user, repository_id: int) -> Repository:
    try:
        return (
            visible_to(Repository.objects.all(), user).select_related("team").get(pk=repository_id)
        )
    except Repository.DoesNotExist:
        raise Http404("No such repository.") from None


def scan_list_for_repository(*, repository: Repository, limit: int = 20) -> list[Scan]:
    return list(repository.scans.order_by("-queued_at", "-pk")[:limit])


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
    names = {"leads": [], "admins": []}
    for role, username in memberships:
        group = names["leads"] if role == Role.LEAD else names["admins"]
        if len(group) < limit:
            group.append(username)
    return names
