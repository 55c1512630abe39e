"""Every read used by views and the API; owns filtering by tenancy and prefetching."""

from datetime import date

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from . import maturity
from .access import visible_teams
from .maturity.versions import load_catalogue_version
from .models import Assessment, Result, Team


def team_list_for_user(*, user) -> QuerySet[Team]:
    return (
        visible_teams(user)
        .select_related("organization")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("organization__name", "name")
    )


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
        .order_by("-created_at")
    )


def assessment_get_for_user(*, user, assessment_id: int) -> Assessment:
    """The assessment, or 404 when it does not exist or belongs to a team the user cannot see."""
    try:
        return Assessment.objects.visible_to(user).select_related("team").get(pk=assessment_id)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def result_history_for_team(*, team: Team) -> list[Result]:
    """The team's results in submission order, oldest first."""
    return list(
        Result.objects.filter(assessment__team=team)
        .select_related("assessment")
        .order_by("assessment__submitted_at")
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
