"""A team's answers to its organisation's own questions, through the API:
GET /api/v1/assessments/{id}/check-answers/ and GET/PUT .../check-answers/{check_key}/.

Routed beside `views.AssessmentViewSet` (under /assessments/), with the same tenancy and
permissions, and the same shape and rules as the catalogue's answers (its `answer` action): an
answer's version is its ETag, a write sends it back in If-Match ("0" for an unanswered
question) and a stale one answers 412; members, leads and org admins write, viewers read; a
submitted assessment is read-only. `services.check_answers.check_answer_save`, which the
questionnaire's organisation page uses too, decides; this module only translates.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors
from ..access import signed_in
from ..maturity.custom_checks import ANSWER_OPTIONS
from ..models import Assessment
from ..selectors.custom_checks import CheckQuestionAnswer
from ..services.check_answers import check_answer_save
from .base import TeamScopedViewSet
from .etags import ETAG, IF_MATCH, expected_version
from .exceptions import etag_for_version
from .pagination import ApiPagination
from .permissions import TeamEditorCanWrite
from .serializers import ErrorSerializer

_OPTION_KEYS = ", ".join(option.key for option in ANSWER_OPTIONS)


class CheckAnswerSerializer(serializers.Serializer[Any]):
    """One of the organisation's questions with the team's answer (null fields until one)."""

    check = serializers.CharField(source="check_key", help_text="The check's key.")
    title = serializers.CharField(
        allow_null=True, help_text="The check's title; null when no longer asked."
    )
    question = serializers.CharField(
        allow_null=True, help_text="The question; null when the current checks no longer ask it."
    )
    current = serializers.BooleanField(
        help_text="Whether the organisation's current checks ask this question; an answer to "
        "one no longer asked is kept and read, but not changed."
    )
    option = serializers.CharField(
        source="answer.option_key",
        allow_null=True,
        default=None,
        help_text=f"The answer: one of {_OPTION_KEYS}; null when not answered yet.",
    )
    note = serializers.CharField(source="answer.note", default="")
    version = serializers.IntegerField(
        source="answer.version",
        default=0,
        help_text='Also sent as the ETag header, quoted: "3"; 0 when not answered yet.',
    )
    check_set_version = serializers.IntegerField(
        source="answer.check_set_version.number",
        allow_null=True,
        default=None,
        help_text="The number of the check set version whose question was answered.",
    )
    updated_by = serializers.CharField(
        source="answer.updated_by.username", allow_null=True, default=None
    )
    updated_at = serializers.DateTimeField(
        source="answer.updated_at", allow_null=True, default=None
    )
    carried_over_from = serializers.DateTimeField(
        source="answer.carried_over_from",
        allow_null=True,
        default=None,
        help_text="When the answer was copied from an earlier submission, that submission's "
        "time; null once someone confirms or changes it (saving it again confirms it).",
    )


class CheckAnswerWriteSerializer(serializers.Serializer[Any]):
    option = serializers.CharField(max_length=20, help_text=f"One of {_OPTION_KEYS}.")
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Free text kept as given, except that line endings are stored as \\n.",
    )


CHECK_KEY = OpenApiParameter(
    "check_key", OpenApiTypes.STR, OpenApiParameter.PATH, description="A check's key."
)


def _row(assessment: Assessment, check_key: str) -> CheckQuestionAnswer:
    for row in selectors.check_question_answers_for_assessment(assessment=assessment):
        if row.check_key == check_key:
            return row
    raise Http404(f"There is no question '{check_key}' in your organisation's checks.")


class AssessmentCheckAnswerViewSet(TeamScopedViewSet):
    """The organisation's questions and the team's answers of the assessments you can see."""

    permission_classes = [IsAuthenticated, TeamEditorCanWrite]
    # What OPTIONS describes for the writable answer (and what DRF's metadata asks for).
    serializer_class = CheckAnswerWriteSerializer
    queryset = Assessment.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessment_list_with_answer_count()

    @extend_schema(
        responses=CheckAnswerSerializer(many=True),
        description=(
            "The organisation's own questions with the team's answers in this assessment: the "
            "current checks' questions in their order (unanswered ones with version 0), then "
            "answers to questions no longer asked. Empty when the organisation asks none."
        ),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="check-answers",
        url_name="check-answers",
        pagination_class=ApiPagination,
    )
    def check_answers(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        rows = selectors.check_question_answers_for_assessment(assessment=assessment)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]  # any sequence paginates; the stubs ask for a queryset
        return self.get_paginated_response(CheckAnswerSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        parameters=[CHECK_KEY, ETAG],
        responses={200: CheckAnswerSerializer},
        description='One question with its answer and ETag ("0" until answered).',
    )
    @extend_schema(
        methods=["PUT"],
        parameters=[CHECK_KEY, IF_MATCH, ETAG],
        request=CheckAnswerWriteSerializer,
        responses={
            200: CheckAnswerSerializer,
            201: CheckAnswerSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="An option the question does not have, a note too long, a question "
                "the current checks no longer ask, or a submitted assessment (read-only); "
                "nothing saved.",
            ),
            412: OpenApiResponse(
                ErrorSerializer,
                description="Someone changed the answer since your If-Match; the body carries "
                "current_option, current_note, current_version and updated_by, and the ETag "
                "header the current version.",
            ),
            428: OpenApiResponse(ErrorSerializer, description="If-Match is missing."),
        },
        description=(
            "Answer one of the organisation's questions in a draft (201 for a first answer, "
            "200 for a change), as the questionnaire's organisation page does. Members, leads "
            "and org admins; send the ETag you read in If-Match."
        ),
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path=r"check-answers/(?P<check_key>[^/.]+)",
        url_name="check-answer",
    )
    def check_answer(
        self, request: Request, pk: str | None = None, check_key: str = ""
    ) -> Response:
        assessment = self.get_object()
        row = _row(assessment, check_key)
        if request.method == "GET":
            version = row.answer.version if row.answer else 0
            return Response(
                CheckAnswerSerializer(row).data, headers={"ETag": etag_for_version(version)}
            )
        expected = expected_version(request)
        serializer = CheckAnswerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_answer_save(
            assessment=assessment,
            check_key=check_key,
            option_key=serializer.validated_data["option"],
            note=serializer.validated_data["note"],
            expected_version=expected,
            user=signed_in(request.user),
        )
        row = _row(assessment, check_key)
        assert row.answer is not None
        return Response(
            CheckAnswerSerializer(row).data,
            status=status.HTTP_201_CREATED if expected == 0 else status.HTTP_200_OK,
            headers={"ETag": etag_for_version(row.answer.version)},
        )
