"""Reads about assessments and their answers."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from ..access import UserOrAnonymous, remember_roles_held, team_role
from ..compiled_queries import CompiledQuery, concrete_columns, instance_from
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CheckSetVersion,
    Membership,
    Organization,
    Role,
    Scan,
    ScanStatus,
    Team,
)
from .periods import apply_date_range


def assessment_list_for_team(*, team: Team) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(team=team)
        .select_related("result", "created_by", "submitted_by")
        .defer("result__snapshot")
        .order_by("-created_at")
    )


# Every questionnaire page and autosave starts here: compiled once (see CompiledQuery), with the
# user's memberships that give a role in the team (the team's own, an org admin's), so that
# visibility costs no query of its own, and the organisation's current check set version, whose
# questions the questionnaire adds to the catalogue's.
_CURRENT_CHECK_SET = CheckSetVersion.objects.filter(
    organization_id=OuterRef("team__organization_id")
).order_by("-number")
_ASSESSMENT_WITH_TEAM_AND_ROLES = CompiledQuery(
    lambda assessment_id, user_id: (
        Assessment.objects.filter(pk=assessment_id)
        .annotate(
            role_in_team=Subquery(
                Membership.objects.filter(team_id=OuterRef("team_id"), user_id=user_id).values(
                    "role"
                )[:1]
            ),
            is_org_admin=Exists(
                Membership.objects.filter(
                    organization_id=OuterRef("team__organization_id"),
                    user_id=user_id,
                    role=Role.ORG_ADMIN,
                )
            ),
            check_set_id=Subquery(_CURRENT_CHECK_SET.values("pk")[:1]),
            check_set_created_at=Subquery(_CURRENT_CHECK_SET.values("created_at")[:1]),
            has_scans=Exists(
                Scan.objects.filter(
                    repository__team_id=OuterRef("team_id"),
                    status__in=[ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED],
                )
            ),
        )
        .values_list(
            *concrete_columns(Assessment),
            *concrete_columns(Team, "team__"),
            *concrete_columns(Organization, "team__organization__"),
            "role_in_team",
            "is_org_admin",
            "check_set_id",
            "check_set_created_at",
            "has_scans",
        )
    )
)


@dataclass(frozen=True)
class AssessmentWithCheckSet:
    """An assessment, and its organisation's current check set version as (id, created at):
    None when the organisation has none; and whether a scan of its team's repositories ever
    succeeded (if none did, no scan found anything to show beside the questions)."""

    assessment: Assessment
    check_set: tuple[int, datetime] | None
    team_has_scans: bool


def assessment_get_for_user(*, user: UserOrAnonymous, assessment_id: int) -> Assessment:
    """The assessment with its team and organisation, or 404 when it does not exist or
    belongs to a team the user cannot see.

    Visibility is the user's role in the team (none: not visible), read in the same query and
    remembered by the request for the permission checks that follow: one plain query costs
    less than the tenancy subquery on the questionnaire's hottest path, autosave.
    """
    opened = assessment_with_check_set_get_for_user(user=user, assessment_id=assessment_id)
    return opened.assessment


def assessment_with_check_set_get_for_user(
    *, user: UserOrAnonymous, assessment_id: int
) -> AssessmentWithCheckSet:
    """`assessment_get_for_user`, with the organisation's current check set version read in
    the same query (the questionnaire asks its questions)."""
    if not user.is_authenticated:
        raise Http404("No such assessment.")
    found = _ASSESSMENT_WITH_TEAM_AND_ROLES.rows(assessment_id=assessment_id, user_id=user.pk)
    if not found:
        raise Http404("No such assessment.")
    row, using = found[0], DEFAULT_DB_ALIAS
    team_starts = len(Assessment._meta.concrete_fields)
    organization_starts = team_starts + len(Team._meta.concrete_fields)
    assessment = instance_from(Assessment, row, 0, using)
    team = instance_from(Team, row, team_starts, using)
    team.organization = instance_from(Organization, row, organization_starts, using)
    assessment.team = team
    role_in_team, is_org_admin, check_set_id, check_set_created_at, has_scans = row[-5:]
    held = [role for role in (role_in_team, Role.ORG_ADMIN if is_org_admin else None) if role]
    remember_roles_held(user, team, held)
    if team_role(user, team) is None:
        raise Http404("No such assessment.")
    check_set = (check_set_id, check_set_created_at) if check_set_id is not None else None
    return AssessmentWithCheckSet(assessment, check_set, has_scans)


def _answer_count() -> Coalesce:
    counted = (
        Answer.objects.filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def assessment_list_with_answer_count(
    *, filters: Mapping[str, Any] | None = None
) -> QuerySet[Assessment]:
    """Every assessment, newest first, with its team, result, authors and number of answers,
    in a fixed number of queries however many there are. Not narrowed to a user: the caller
    applies tenancy (the API's TeamScoped views do).

    `filters` (team, status, since / until) narrow the list; since / until compare the
    submission time, or the creation time of a draft.
    """
    assessments = (
        Assessment.objects.select_related("team", "result", "created_by", "submitted_by")
        .defer("result__snapshot")
        .annotate(answer_count=_answer_count())
        .order_by("-created_at", "-id")
    )
    if filters is None:
        return assessments
    if "team" in filters:
        assessments = assessments.filter(team_id=filters["team"])
    if "status" in filters:
        assessments = assessments.filter(status=filters["status"])
    assessments = assessments.annotate(activity_at=Coalesce("submitted_at", "created_at"))
    return apply_date_range(assessments, "activity_at", filters)


def team_has_open_draft(*, team_id: int) -> bool:
    return Assessment.objects.filter(team_id=team_id, status=AssessmentStatus.DRAFT).exists()


def answer_list_for_assessment(*, assessment: Assessment) -> QuerySet[Answer]:
    """The assessment's answers by question key, each with who last changed it."""
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("updated_by")
        .order_by("question_key")
    )


def answer_for_question(*, assessment: Assessment, question_key: str) -> Answer | None:
    """The answer to one question with who last changed it; None when it is unanswered."""
    return (
        Answer.objects.select_related("updated_by")
        .filter(assessment=assessment, question_key=question_key)
        .first()
    )
