"""Assessments of the teams you can see: list, start, answer (one question with its ETag, or
many at once), submit, reopen, and the result and roadmap once computed. Reads come from the
selectors, narrowed to the user by TeamScoped; writes go through the services."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import signed_in, visible_teams
from ..maturity.versions import load_catalogue_version
from ..models import Answer, Assessment, Result
from ..services.answers import answer_save
from ..services.assessments import assessment_open_draft, assessment_reopen, assessment_submit
from . import serializers as s
from .answers_bulk import answers_bulk_write, answers_bulk_write_schema
from .base import TeamScopedViewSet
from .etags import ETAG, IF_MATCH, expected_version
from .exceptions import etag_for_version
from .pagination import ApiPagination
from .permissions import TeamEditorCanWrite
from .results import result_document, roadmap_document

QUESTION_KEY = OpenApiParameter(
    "question_key", OpenApiTypes.STR, OpenApiParameter.PATH, description="A question's key."
)


@extend_schema_view(
    list=extend_schema(
        parameters=[s.AssessmentFilterSerializer],
        description=(
            "Assessments of the teams you can see, newest first. `since` / `until` compare the "
            "submission time, or the creation time of a draft."
        ),
    ),
    create=extend_schema(
        request=s.AssessmentCreateSerializer,
        responses={201: s.AssessmentSerializer, 200: s.AssessmentSerializer},
        description=(
            "Start the team's draft (members, leads and org admins). A team has one draft at a "
            "time: 201 with a new draft (prefilled from the latest submission), or 200 with the "
            "team's open draft."
        ),
    ),
)
class AssessmentViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Assessments of the teams you can see."""

    serializer_class = s.AssessmentSerializer
    permission_classes = [IsAuthenticated, TeamEditorCanWrite]
    queryset = Assessment.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Assessment]:
        filters = None
        if self.action == "list":
            query = s.AssessmentFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        return selectors.assessment_list_with_answer_count(filters=filters)

    def _detail(self, assessment_id: int) -> Assessment:
        assessment: Assessment = self.get_queryset().get(pk=assessment_id)
        return assessment

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.AssessmentCreateSerializer(
            data=request.data, visible_teams=visible_teams(request.user)
        )
        serializer.is_valid(raise_exception=True)
        opened = assessment_open_draft(
            team=serializer.validated_data["team"], user=signed_in(request.user)
        )
        pk = opened.assessment.pk
        data = self.get_serializer(self._detail(pk)).data
        url = reverse("api:assessment-detail", kwargs={"pk": pk}, request=request)
        return Response(
            data,
            status=status.HTTP_201_CREATED if opened.created else status.HTTP_200_OK,
            headers={"Location": url},
        )

    # --- answers ---

    @extend_schema(
        methods=["GET"],
        responses=s.AnswerSerializer(many=True),
        parameters=[],
        description="The assessment's answers, by question key.",
    )
    @answers_bulk_write_schema
    @action(
        detail=True, methods=["get", "post"], url_path="answers", pagination_class=ApiPagination
    )
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """The assessment's answers, by question key; POST saves many at once."""
        assessment = self.get_object()
        if request.method == "POST":
            return answers_bulk_write(request, assessment)
        answers = selectors.answer_list_for_assessment(assessment=assessment)
        page = self.paginate_queryset(answers)
        return self.get_paginated_response(s.AnswerSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        parameters=[QUESTION_KEY, ETAG],
        responses={200: s.AnswerSerializer},
        description='One answer with its ETag; an unanswered question has version 0, ETag "0".',
    )
    @extend_schema(
        methods=["PUT"],
        parameters=[QUESTION_KEY, IF_MATCH, ETAG],
        request=s.AnswerWriteSerializer,
        responses={
            200: s.AnswerSerializer,
            201: s.AnswerSerializer,
            412: OpenApiResponse(
                s.ErrorSerializer,
                description="Someone changed the answer since your If-Match; the body carries "
                "current_option, current_note, current_version and updated_by, and the ETag "
                "header the current version.",
            ),
            428: OpenApiResponse(s.ErrorSerializer, description="If-Match is missing."),
        },
        description=(
            "Answer one question (201 for a first answer, 200 for a change). Optimistic "
            "concurrency: send the ETag you read in If-Match; the response carries the new one."
        ),
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path=r"answers/(?P<question_key>[^/.]+)",
        url_name="answer",
    )
    def answer(self, request: Request, pk: str | None = None, *, question_key: str) -> Response:
        assessment = self.get_object()
        catalogue = load_catalogue_version(assessment.catalogue_version)
        if not catalogue.has_question(question_key):
            raise Http404(f"There is no question '{question_key}' in this questionnaire.")
        if request.method == "GET":
            answer = selectors.answer_for_question(
                assessment=assessment, question_key=question_key
            ) or Answer(  # type: ignore[misc]  # an unsaved stand-in: the API shows null for both
                question_key=question_key, option_key=None, version=0, updated_at=None
            )
            return Response(
                s.AnswerSerializer(answer).data,
                headers={"ETag": etag_for_version(answer.version)},
            )
        expected = expected_version(request)
        serializer = s.AnswerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = answer_save(
            assessment=assessment,
            question_key=question_key,
            option_key=serializer.validated_data["option"],
            note=serializer.validated_data["note"],
            expected_version=expected,
            user=signed_in(request.user),
        )
        # Read again with who changed it; the saved row stands in if it is already gone again.
        answer = (
            selectors.answer_for_question(assessment=assessment, question_key=question_key) or saved
        )
        return Response(
            s.AnswerSerializer(answer).data,
            status=status.HTTP_201_CREATED if expected == 0 else status.HTTP_200_OK,
            headers={"ETag": etag_for_version(answer.version)},
        )

    # --- workflow ---

    @extend_schema(
        request=None,
        responses={202: s.AssessmentSerializer},
        description=(
            "Submit the draft: it is locked and its result computed in the background. The "
            "Location header is the result's URL, which answers 404 until the result is ready."
        ),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        assessment = assessment_submit(assessment=self.get_object(), user=signed_in(request.user))
        url = reverse("api:assessment-result", kwargs={"pk": assessment.pk}, request=request)
        return Response(
            self.get_serializer(self._detail(assessment.pk)).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        request=None,
        responses={201: s.AssessmentSerializer, 200: s.AssessmentSerializer},
        description=(
            "Start a new draft from this submitted assessment's answers (201), or return the "
            "team's open draft (200)."
        ),
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        opened = assessment_reopen(assessment=source, user=signed_in(request.user))
        draft_id = opened.assessment.pk
        url = reverse("api:assessment-detail", kwargs={"pk": draft_id}, request=request)
        return Response(
            self.get_serializer(self._detail(draft_id)).data,
            status=status.HTTP_201_CREATED if opened.created else status.HTTP_200_OK,
            headers={"Location": url},
        )

    def _result(self) -> Result:
        assessment = self.get_object()
        if assessment.is_draft:
            raise Http404("This assessment is a draft; it has a result once it is submitted.")
        found = selectors.result_for_assessment(assessment=assessment)
        if found is None:
            raise Http404("The result is still being computed; try again in a few seconds.")
        return found

    @extend_schema(
        responses=s.ResultSerializer,
        description="The engine's result; 404 with a sentence until it is computed.",
    )
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.ResultSerializer(result_document(self._result())).data)

    @extend_schema(
        responses=s.RoadmapStepSerializer(many=True),
        description="The ordered steps from the result towards the target level.",
    )
    @action(detail=True, methods=["get"], pagination_class=ApiPagination)
    def roadmap(self, request: Request, pk: str | None = None) -> Response:
        steps = roadmap_document(self._result())
        # DRF pages any sequence; the stubs ask for a QuerySet.
        page = self.paginate_queryset(steps)  # type: ignore[arg-type]
        return self.get_paginated_response(s.RoadmapStepSerializer(page, many=True).data)
