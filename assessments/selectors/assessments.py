"""Reads about assessments and their answers."""

from django.db.models import QuerySet
from django.http import Http404

from ..access import team_role_kept
from ..models import Answer, Assessment, Team


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


def answers_for_assessment(*, assessment: Assessment) -> dict[str, Answer]:
    return {
        answer.question_key: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }
