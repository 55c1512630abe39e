"""Choosing what the dashboards show, and teams side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet, Value

from ...access import UserOrAnonymous, member_id, teams_of_member, visible_teams
from ...compiled_queries import CompiledQuery
from ...dashboards.filters import DashboardFilters
from ...models import Organization, Team, TeamTag
from .latest import latest_results

# --- Filter choices -----------------------------------------------------------------------


def filter_choices_for_user(
    *, user: UserOrAnonymous
) -> tuple[list[tuple[str, str]], list[str], dict[str, str]]:
    """The organisations and tags the user's teams have, for the filter form, and each
    organisation's headline model by slug: one query, the organisations' rows then the tags'
    (a tag as its name, twice, and no headline). Compiled once for members and admins (every
    dashboard page reads it, see CompiledQuery)."""
    member = member_id(user)
    if member is not None:
        rows = _CHOICES_OF_MEMBER.rows(user_id=member)
    else:
        rows = list(_choices(visible_teams(user)))
    organizations = [(key, label) for kind, label, key, _ in rows if kind == _ORGANIZATION]
    headlines = {key: headline for kind, _, key, headline in rows if kind == _ORGANIZATION}
    tags = [label for kind, label, _, _ in rows if kind == _TAG]
    return organizations, tags, headlines


def _choices(teams: QuerySet[Team]) -> QuerySet[Any, Any]:
    organizations = Organization.objects.filter(pk__in=teams.values("organization_id")).annotate(
        kind=Value(_ORGANIZATION),
        label=F("name"),
        key=F("slug"),
        headline=F("headline_lens"),
    )
    tags = TeamTag.objects.filter(team__in=teams).annotate(
        kind=Value(_TAG),
        label=F("name"),
        key=F("name"),
        headline=Value(""),
    )
    columns = ("kind", "label", "key", "headline")
    # UNION, not UNION ALL: a tag many teams carry comes once.
    rows: QuerySet[Any, Any] = (
        organizations.order_by()
        .values_list(*columns)
        .union(tags.order_by().values_list(*columns))
        .order_by("kind", "label")
    )
    return rows


# The two kinds of rows of the filter choices' query.
_ORGANIZATION = 0
_TAG = 1
_CHOICES_OF_MEMBER = CompiledQuery(lambda user_id: _choices(teams_of_member(user_id)))


def team_choices_for_user(*, user: UserOrAnonymous) -> list[tuple[str, str]]:
    """(slug, name) of every visible team, for choosing teams to compare (compiled once for
    members and admins, as the filter choices are)."""
    member = member_id(user)
    if member is not None:
        rows = _TEAMS_OF_MEMBER.rows(user_id=member)
    else:
        rows = list(_team_choices(visible_teams(user)))
    several = len({org for _, _, org in rows}) > 1
    return [(slug, f"{name} ({org})" if several else name) for slug, name, org in rows]


def _team_choices(teams: QuerySet[Team]) -> QuerySet[Any, Any]:
    rows: QuerySet[Any, Any] = teams.order_by("organization__name", "name").values_list(
        "slug", "name", "organization__name"
    )
    return rows


_TEAMS_OF_MEMBER = CompiledQuery(lambda user_id: _team_choices(teams_of_member(user_id)))


# --- Compare ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedTeam:
    result_id: int
    team_id: int
    name: str
    slug: str
    submitted_at: dt.datetime | None  # null only for results older than the column
    level: int
    index: float
    target_level: int
    dimension_index: dict[str, float]
    dimension_levels: dict[str, int]
    catalogue_version: str = ""
    microsoft_level: int | None = None  # None: a result stored before the lenses
    # {article: "supported" | "partly" | "missing" | "not_assessed"} (Result.eu_ai_act_articles)
    eu_ai_act_articles: dict[str, str] = field(default_factory=dict)
    headline: str = "google"  # the team's organisation's headline model

    def eu_ai_act_count(self, status: str) -> int | None:
        """How many EU AI Act articles have this status; None before the lenses."""
        if not self.eu_ai_act_articles:
            return None
        return sum(1 for value in self.eu_ai_act_articles.values() if value == status)


def compared_teams(*, user: UserOrAnonymous, filters: DashboardFilters) -> list[ComparedTeam]:
    """The chosen teams' latest results in the period, in the order they were chosen."""
    chosen = DashboardFilters(
        teams=filters.teams, date_from=filters.date_from, date_to=filters.date_to
    )
    results = latest_results(user=user, filters=chosen)
    rows = results.values(
        "pk",
        "assessment__team_id",
        "assessment__team__name",
        "assessment__team__slug",
        "assessment__submitted_at",
        "overall_level",
        "index",
        "target_level",
        "dimension_levels",
        "dimension_index",
        "catalogue_version",
        "microsoft_level",
        "eu_ai_act_articles",
        "assessment__team__organization__headline_lens",
    )
    teams = [
        ComparedTeam(
            result_id=row["pk"],
            team_id=row["assessment__team_id"],
            name=row["assessment__team__name"],
            slug=row["assessment__team__slug"],
            submitted_at=row["assessment__submitted_at"],
            level=row["overall_level"],
            index=row["index"],
            target_level=row["target_level"],
            dimension_index=row["dimension_index"] or {},
            dimension_levels=row["dimension_levels"] or {},
            catalogue_version=row["catalogue_version"],
            microsoft_level=row["microsoft_level"],
            eu_ai_act_articles=row["eu_ai_act_articles"] or {},
            headline=row["assessment__team__organization__headline_lens"],
        )
        for row in rows
    ]
    order = {slug: position for position, slug in enumerate(filters.teams)}
    return sorted(teams, key=lambda t: order.get(t.slug, len(order)))
