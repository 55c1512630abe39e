"""The bulk answer write of the API, POST /api/v1/assessments/{id}/answers/: its schema and its
handling, beside the assessment views that route to it."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from ..access import signed_in
from ..models import Assessment
from ..services.answers_bulk import (
    AnswerItem,
    AnswersInvalid,
    answers_bulk_limit,
    answers_bulk_save,
)
from . import serializers as s

answers_bulk_write_schema = extend_schema(
    methods=["POST"],
    request=s.AnswerBulkWriteSerializer,
    responses={
        200: s.AnswerBulkResultSerializer,
        400: OpenApiResponse(
            s.ErrorSerializer,
            description="Some answers are invalid and nothing was saved: `error.fields` "
            "names each one by its position, `answers[2]` or `answers[2].option`, with a "
            "sentence. Also for an empty batch, a batch over the limit, and a submitted "
            "assessment.",
        ),
        412: OpenApiResponse(
            s.ErrorSerializer,
            description="Some versions are stale and nothing was saved: `conflicts` lists "
            "each such answer with its question, current_option, current_note, "
            "current_version and updated_by.",
        ),
    },
    examples=[
        OpenApiExample(
            "Two answers, one new and one changed",
            request_only=True,
            value={
                "answers": [
                    {"question": "code_in_git", "option": "yes", "version": None},
                    {
                        "question": "experiments_tracked",
                        "option": "partly",
                        "note": "MLflow for the ranking models only",
                        "version": 3,
                    },
                ]
            },
        ),
        OpenApiExample(
            "A stale version: nothing saved",
            response_only=True,
            status_codes=["412"],
            value={
                "detail": "The version sent for experiments_tracked is not the current "
                "one: someone changed it since you read it; nothing was saved. Read the "
                "current values, decide which to keep and send the batch again.",
                "error": {"code": "answer_conflict", "message": "(the same)", "fields": {}},
                "conflicts": [
                    {
                        "question": "experiments_tracked",
                        "current_option": "yes",
                        "current_note": "",
                        "current_version": 4,
                        "updated_by": "lena",
                    }
                ],
            },
        ),
    ],
    description=(
        "Save many answers of a draft in one request, all or nothing: what an import "
        "script sends, one request per assessment. Each answer carries the `version` you "
        "last read (0, null or absent for a question not answered yet), with the rules of "
        "the single-answer PUT: a stale version answers 412, an invalid option 400, a "
        "submitted assessment 400, and a saved answer counts as confirmed. At most one "
        "answer per question of the assessment's questionnaire (see the catalogue). "
        "Answers not in the batch are left as they are."
    ),
)


def _bulk_item_errors(errors: dict[str, Any]) -> dict[str, Any]:
    """A bulk write's validation errors keyed by each item's position, `answers[2].option`, so
    that every sentence says which answer it is about."""
    fields: dict[str, Any] = {}
    for name, detail in errors.items():
        # Items' errors come keyed by position: {"answers": {2: {"option": [...]}}}.
        if (
            name == "answers"
            and isinstance(detail, dict)
            and all(isinstance(i, int) for i in detail)
        ):
            for index, item in sorted(detail.items()):
                key = f"answers[{index}]"
                if not isinstance(item, dict):  # a null item: ["This field may not be null."]
                    fields[key] = item
                    continue
                for field, messages in item.items():
                    fields[key if field == "non_field_errors" else f"{key}.{field}"] = messages
        else:
            fields[name] = detail
    return fields


def answers_bulk_write(request: Request, assessment: Assessment) -> Response:
    """Save the answers of the request body; the caller has checked that the user may."""
    limit = answers_bulk_limit(assessment)
    sent = request.data.get("answers") if isinstance(request.data, dict) else None
    if isinstance(sent, list) and len(sent) > limit:
        # Refused before validating thousands of items one by one.
        raise exceptions.ValidationError(
            {
                "answers": [
                    f"A bulk write takes at most {limit} answers, one per question of this "
                    f"questionnaire; this one has {len(sent)}."
                ]
            }
        )
    serializer = s.AnswerBulkWriteSerializer(data=request.data)
    if not serializer.is_valid():
        raise exceptions.ValidationError(_bulk_item_errors(serializer.errors))
    items = [
        AnswerItem(
            question_key=item["question"],
            option_key=item["option"],
            note=item["note"],
            expected_version=item["version"] or 0,
        )
        for item in serializer.validated_data["answers"]
    ]
    try:
        saved = answers_bulk_save(assessment=assessment, items=items, user=signed_in(request.user))
    except AnswersInvalid as invalid:
        fields = {f"answers[{i}]": [message] for i, message in invalid.problems.items()}
        raise exceptions.ValidationError(fields) from invalid
    return Response(s.AnswerBulkResultSerializer({"answers": saved}).data)
