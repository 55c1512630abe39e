"""Reads about campaigns: the ones a user may see, where each team in scope stands, the
progress over time, and what open campaigns ask of given teams (the home page).

Teams in scope and their states are computed on every read from the teams' tags, their
results and their exemptions (maturity.campaigns): nothing is written when a page is read.
Each read costs a fixed number of queries however many teams a campaign applies to.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from ..access import (
    UserOrAnonymous,
    visible_campaigns,
    visible_team_ids,
)
from ..maturity.campaigns import (
    DayCounts,
    ExemptionSpan,
    Goal,
    GoalKind,
    ResultFacts,
    TeamHistory,
    TeamState,
    in_scope,
    is_late,
    progress_by_day,
    team_state,
)
from ..models import (
    Campaign,
    Exemption,
    ExemptionStatus,
    Result,
    ResultCapability,
    Team,
    TeamTag,
)

# Past this many days, the progress chart has one point a week instead of one a day.
DAILY_POINTS_UP_TO = 120


def campaign_goal(campaign: Campaign) -> Goal:
    return Goal(
        kind=GoalKind(campaign.goal_kind),
        level=campaign.goal_level,
        capability=campaign.goal_capability or None,
    )


def campaign_list(*, include_archived: bool = True) -> QuerySet[Campaign]:
    """Every campaign with its organisation and people, soonest deadline first, before
    tenancy: the caller narrows them to a user (the API's TeamScoped views do)."""
    campaigns = Campaign.objects.select_related("organization", "owner", "created_by")
    if not include_archived:
        campaigns = campaigns.filter(archived_at__isnull=True)
    return campaigns.order_by("archived_at", "deadline", "id")


def campaign_list_for_user(
    *, user: UserOrAnonymous, include_archived: bool = False
) -> list[Campaign]:
    """The campaigns the user may see: all of an administered organisation's, and those that
    apply to the user's teams."""
    return list(visible_campaigns(campaign_list(include_archived=include_archived), user))


def campaign_get_for_user(*, user: UserOrAnonymous, campaign_id: int) -> Campaign:
    """The campaign, or 404 when it does not exist or the user may not see it."""
    try:
        return visible_campaigns(campaign_list(), user).get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None


def campaign_scope_teams(*, campaign: Campaign) -> QuerySet[Team]:
    """The teams the campaign applies to today, by name (the rule of maturity.campaigns.in_scope,
    in SQL)."""
    teams = Team.objects.filter(organization_id=campaign.organization_id)
    if campaign.scope_tags:
        teams = teams.filter(
            Exists(TeamTag.objects.filter(team=OuterRef("pk"), name__in=campaign.scope_tags))
        )
    if campaign.scope_criticalities:
        teams = teams.filter(latest_result__criticality__in=campaign.scope_criticalities)
    return teams.order_by("name", "id")


def _histories(
    goals: Sequence[Goal], team_ids: list[int], *, latest_only: bool
) -> dict[int, TeamHistory]:
    """Each team's results (all of them, or only the latest) and its approved exemptions from
    the goals' capabilities, as plain facts: three queries at most."""
    results = Result.objects.filter(team_id__in=team_ids, submitted_at__isnull=False)
    if latest_only:
        results = results.filter(
            pk__in=Team.objects.filter(pk__in=team_ids).values("latest_result")
        )
    rows = list(results.values_list("id", "team_id", "submitted_at", "overall_level"))
    capabilities = {g.capability for g in goals if g.kind == GoalKind.CAPABILITY and g.capability}
    met: dict[int, set[str]] = {}
    spans: dict[int, list[ExemptionSpan]] = {}
    if capabilities:
        for result_id, key in ResultCapability.objects.filter(
            result_id__in=[row[0] for row in rows], capability_key__in=capabilities, met=True
        ).values_list("result_id", "capability_key"):
            met.setdefault(result_id, set()).add(key)
        for team_id, key, decided_at, expires_on in Exemption.objects.filter(
            team_id__in=team_ids,
            capability_key__in=capabilities,
            status=ExemptionStatus.APPROVED,
            decided_at__isnull=False,
        ).values_list("team_id", "capability_key", "decided_at", "expires_on"):
            first_day = timezone.localdate(decided_at)
            spans.setdefault(team_id, []).append(ExemptionSpan(key, first_day, expires_on))
    facts: dict[int, list[ResultFacts]] = {}
    for result_id, team_id, submitted_at, level in rows:
        facts.setdefault(team_id, []).append(
            ResultFacts(
                submitted_on=timezone.localdate(submitted_at),
                overall_level=level,
                met=frozenset(met.get(result_id, ())),
            )
        )
    return {
        team_id: TeamHistory(
            results=tuple(facts.get(team_id, ())), exemptions=tuple(spans.get(team_id, ()))
        )
        for team_id in team_ids
    }


@dataclass(frozen=True)
class TeamProgress:
    team: Team
    state: TeamState
    late: bool
    # Whether the reader may open the team (a team's name is shown to its people and admins).
    visible: bool = True


@dataclass(frozen=True)
class CampaignProgress:
    """Where a campaign stands on `today`: each team in scope, the counts, the series."""

    campaign: Campaign
    today: date
    teams: list[TeamProgress]
    series: list[DayCounts] = field(default_factory=list)

    def count(self, state: TeamState) -> int:
        return sum(1 for row in self.teams if row.state == state)

    @property
    def done(self) -> int:
        return self.count(TeamState.DONE)

    @property
    def not_yet(self) -> int:
        return self.count(TeamState.NOT_YET)

    @property
    def exempt(self) -> int:
        return self.count(TeamState.EXEMPT)

    @property
    def late(self) -> list[TeamProgress]:
        return [row for row in self.teams if row.late]

    @property
    def hidden(self) -> int:
        """Teams in scope the reader may not see: counted, never named."""
        return sum(1 for row in self.teams if not row.visible)


def campaign_progress(
    *,
    campaign: Campaign,
    today: date,
    user: UserOrAnonymous | None = None,
    with_series: bool = True,
) -> CampaignProgress:
    """Each team in scope with its state and whether it is late, and (with_series) the counts
    on each day since the start, computed from the teams' result history. With `user`, the
    teams the user may not see are marked so (the page counts them without naming them)."""
    teams = list(campaign_scope_teams(campaign=campaign))
    team_ids = [team.pk for team in teams]
    goal = campaign_goal(campaign)
    histories = _histories([goal], team_ids, latest_only=not with_series)
    visible = set(visible_team_ids(user)) if user is not None else set(team_ids)
    rows = []
    for team in teams:
        state = team_state(goal, histories[team.pk], day=today, since=campaign.starts_on)
        rows.append(
            TeamProgress(
                team=team,
                state=state,
                late=is_late(state, today=today, deadline=campaign.deadline),
                visible=team.pk in visible,
            )
        )
    series: list[DayCounts] = []
    if with_series and campaign.starts_on <= today:
        step = timedelta(days=1)
        if (today - campaign.starts_on).days > DAILY_POINTS_UP_TO:
            step = timedelta(days=7)
        series = progress_by_day(
            goal, histories.values(), since=campaign.starts_on, until=today, step=step
        )
    return CampaignProgress(campaign=campaign, today=today, teams=rows, series=series)


@dataclass(frozen=True)
class CampaignAsk:
    """What one open campaign asks of one team, for the team's card on the home page."""

    campaign: Campaign
    state: TeamState
    late: bool


def campaign_asks_for_teams(*, teams: Iterable[Team], today: date) -> dict[int, list[CampaignAsk]]:
    """{team id: what each open campaign applying to it asks, soonest deadline first}, for the
    given teams, in at most six queries however many teams and campaigns."""
    teams = list(teams)
    if not teams:
        return {}
    team_ids = [team.pk for team in teams]
    campaigns = list(
        Campaign.objects.filter(
            organization_id__in={team.organization_id for team in teams}, archived_at__isnull=True
        ).order_by("deadline", "id")
    )
    if not campaigns:
        return {}
    tags: dict[int, set[str]] = {}
    for team_id, name in TeamTag.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "name"
    ):
        tags.setdefault(team_id, set()).add(name)
    criticality = dict(
        Result.objects.filter(
            pk__in=[team.latest_result_id for team in teams if team.latest_result_id]
        ).values_list("team_id", "criticality")
    )
    goals = {campaign.pk: campaign_goal(campaign) for campaign in campaigns}
    histories = _histories(list(goals.values()), team_ids, latest_only=True)
    asks: dict[int, list[CampaignAsk]] = {}
    for team in teams:
        for campaign in campaigns:
            if campaign.organization_id != team.organization_id or not in_scope(
                tags.get(team.pk, ()),
                criticality.get(team.pk) or None,
                tags=campaign.scope_tags,
                criticalities=campaign.scope_criticalities,
            ):
                continue
            state = team_state(
                goals[campaign.pk], histories[team.pk], day=today, since=campaign.starts_on
            )
            asks.setdefault(team.pk, []).append(
                CampaignAsk(
                    campaign=campaign,
                    state=state,
                    late=is_late(state, today=today, deadline=campaign.deadline),
                )
            )
    return asks


def campaign_owner_get(*, username: str, organization_id: int) -> User | None:
    """The person of the organisation with this username, or None."""
    return User.objects.filter(
        username=username, memberships__organization_id=organization_id
    ).first()


def campaign_owner_candidates(*, organization_ids: Iterable[int]) -> list[User]:
    """The active people of these organisations (admins and team members), who may own a
    campaign, by username."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=list(organization_ids),
        )
        .distinct()
        .order_by("username")
    )
