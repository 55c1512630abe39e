"""Reads about assessments and their answers."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from ..access import (
    UserOrAnonymous,
    remember_roles_held,
    roles_held,
    roles_held_annotations,
    team_role,
)
from ..compiled_queries import CompiledQuery, concrete_columns, instance_from
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CheckSetVersion,
    Organization,
    Team,
)
from .custom_checks import check_set_versions_newest_first
from .evidence import ScanIdentity, latest_scans, scans_from
from .periods import apply_date_range


def _submissions_newest_first() -> QuerySet[Assessment]:
    # One order for every reader, so they all agree on which submission is a team's latest.
    return Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).order_by(
        "-submitted_at", "-pk"
    )


def latest_submission_for_team(*, team: Team) -> Assessment | None:
    """The team's latest submitted assessment; None before its first submission."""
    return _submissions_newest_first().filter(team=team).first()


def latest_submission_id_subquery() -> Subquery:
    """The id of the team's latest submitted assessment, as a subquery to annotate a query of
    teams with (the outer row is the team)."""
    return Subquery(_submissions_newest_first().filter(team=OuterRef("pk")).values("pk")[:1])


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
# questions the questionnaire adds to the catalogue's. The questionnaire's pages also read the
# team's latest scans, whose findings they show beside the questions; autosave does not.
_CURRENT_CHECK_SET = check_set_versions_newest_first(
    CheckSetVersion.objects.all(), organization_id=OuterRef("team__organization_id")
)


def _assessment_with_team_and_roles(*, with_evidence: bool) -> CompiledQuery:
    def build(assessment_id: int, user_id: int) -> QuerySet[Assessment, tuple[Any, ...]]:
        evidence = {"evidence_scans": latest_scans("team_id")} if with_evidence else {}
        return (
            Assessment.objects.filter(pk=assessment_id)
            .order_by()
            .annotate(
                **roles_held_annotations(
                    team_id=OuterRef("team_id"),
                    organization_id=OuterRef("team__organization_id"),
                    user_id=user_id,
                ),
                check_set_id=Subquery(_CURRENT_CHECK_SET.values("pk")[:1]),
                check_set_created_at=Subquery(_CURRENT_CHECK_SET.values("created_at")[:1]),
                **evidence,
            )
            .values_list(
                *concrete_columns(Assessment),
                *concrete_columns(Team, "team__"),
                *concrete_columns(Organization, "team__organization__"),
                "role_in_team",
                "is_org_admin",
                "check_set_id",
                "check_set_created_at",
                *evidence,
            )
        )

    return CompiledQuery(build)


_ASSESSMENT = _assessment_with_team_and_roles(with_evidence=False)
_ASSESSMENT_WITH_EVIDENCE = _assessment_with_team_and_roles(with_evidence=True)


@dataclass(frozen=True)
class AssessmentWithCheckSet:
    """An assessment, and its organisation's current check set version as (id, created at):
    None when the organisation has none; and, when asked for (else empty), each of its team's
    repositories' latest successful scan, whose findings stand for it (selectors/evidence.py)."""

    assessment: Assessment
    check_set: tuple[int, datetime] | None
    evidence_scans: tuple[ScanIdentity, ...]


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
    *, user: UserOrAnonymous, assessment_id: int, with_evidence: bool = False
) -> AssessmentWithCheckSet:
    """`assessment_get_for_user`, with the organisation's current check set version read in
    the same query (the questionnaire asks its questions), and its team's latest scans
    `with_evidence` (a questionnaire page shows their findings)."""
    if not user.is_authenticated:
        raise Http404("No such assessment.")
    query = _ASSESSMENT_WITH_EVIDENCE if with_evidence else _ASSESSMENT
    found = query.rows(assessment_id=assessment_id, user_id=user.pk)
    if not found:
        raise Http404("No such assessment.")
    row, using = found[0], DEFAULT_DB_ALIAS
    team_starts = len(Assessment._meta.concrete_fields)
    organization_starts = team_starts + len(Team._meta.concrete_fields)
    assessment = instance_from(Assessment, row, 0, using)
    team = instance_from(Team, row, team_starts, using)
    team.organization = instance_from(Organization, row, organization_starts, using)
    assessment.team = team
    roles_starts = organization_starts + len(Organization._meta.concrete_fields)
    role_in_team, is_org_admin, check_set_id, check_set_created_at, *evidence = row[roles_starts:]
    remember_roles_held(user, team, roles_held(role_in_team, is_org_admin))
    if team_role(user, team) is None:
        raise Http404("No such assessment.")
    check_set = (check_set_id, check_set_created_at) if check_set_id is not None else None
    scans = scans_from(evidence[0]) if evidence else ()
    return AssessmentWithCheckSet(assessment, check_set, scans)


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
