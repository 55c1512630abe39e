"""Streaming export of results: one row per team x assessment x capability, as CSV or JSON.

Rows come from a `values_list()` queryset read with `.iterator(chunk_size=...)` (a server-side
cursor on PostgreSQL) and are written out in batches, so memory stays flat however many rows
there are: no model instances, no list of rows, no response buffered in full. The
organisation-check columns are read once per result from what is kept for one team at a time
(`selectors.export_checks`).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from ..maturity.custom_checks import ANSWER_OPTIONS
from ..models import ResultCapability
from ..selectors.export import (
    COLUMN_NAMES,
    EXPORT_COLUMNS,
    JSON_ONLY_COLUMNS,
    export_rows,
    lens_columns,
    result_capability_list,
)
from ..selectors.export_checks import ExportCheckReader, ResultChecks
from .base import TeamScopedAPIView
from .serializers import DateRangeFilterMixin

_SUBMITTED_AT = COLUMN_NAMES.index("submitted_at")
_MET = COLUMN_NAMES.index("met")
_TEAM_NAME = COLUMN_NAMES.index("team_name")
_ORGANIZATION = COLUMN_NAMES.index("organization")
_TEAM_ID = COLUMN_NAMES.index("team_id")
_ASSESSMENT_ID = COLUMN_NAMES.index("assessment_id")
_OVERALL_LEVEL = COLUMN_NAMES.index("overall_level")
CHUNK_SIZE = 2000  # rows fetched from the database at a time
BATCH_ROWS = 500  # rows written to the response at a time
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS_DOC = "\n".join(
    f"{position}. `{name}`: {doc}"
    for position, (name, _, doc) in enumerate((*EXPORT_COLUMNS, *JSON_ONLY_COLUMNS), 1)
)
JSON_NAMES = (*COLUMN_NAMES, *(name for name, _, _ in JSON_ONLY_COLUMNS))


class ExportFilterSerializer(DateRangeFilterMixin):
    format = serializers.ChoiceField(choices=["csv", "json"], default="csv", required=False)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    tag = serializers.CharField(required=False, max_length=60, help_text="Teams with this tag.")
    level = serializers.IntegerField(
        required=False, min_value=0, max_value=2, help_text="Only results at this overall level."
    )


class ExportCheckSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField()
    passed = serializers.BooleanField(allow_null=True)
    source = serializers.CharField(  # type: ignore[assignment]  # DRF moves declared fields out of the class
        allow_null=True, help_text="scanned or answered: what decided; null when unknown."
    )
    answer = serializers.CharField(
        allow_null=True,
        help_text=f"The team's answer ({', '.join(o.key for o in ANSWER_OPTIONS)}); null when "
        "none or the check asks no question.",
    )
    answer_note = serializers.CharField(allow_null=True)


class ExportRowSerializer(serializers.Serializer[Any]):
    organization = serializers.CharField()
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    team_name = serializers.CharField()
    assessment_id = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    catalogue_version = serializers.CharField()
    overall_level = serializers.IntegerField()
    index = serializers.FloatField()
    target_level = serializers.IntegerField()
    capability = serializers.CharField()
    dimension = serializers.CharField()
    required_level = serializers.IntegerField()
    grade = serializers.FloatField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # DRF moves declared fields out of the class
    met = serializers.BooleanField()
    exempted_until = serializers.DateField(allow_null=True)
    microsoft_level = serializers.IntegerField(allow_null=True, min_value=0, max_value=4)
    eu_ai_act_supported = serializers.IntegerField(allow_null=True)
    eu_ai_act_partly = serializers.IntegerField(allow_null=True)
    eu_ai_act_missing = serializers.IntegerField(allow_null=True)
    organization_checks_passed = serializers.IntegerField(allow_null=True)
    organization_checks_failed = serializers.IntegerField(allow_null=True)
    organization_checks_unknown = serializers.IntegerField(allow_null=True)
    organization_level = serializers.IntegerField(allow_null=True, min_value=0, max_value=2)
    eu_ai_act_articles = serializers.DictField(
        child=serializers.CharField(),
        help_text="The status of each EU AI Act article; a readiness aid, not legal advice.",
    )
    organization_checks = ExportCheckSerializer(
        many=True, help_text="The organisation's current checks as read for this result."
    )


def _iso(value: str | datetime) -> str:
    return value if isinstance(value, str) else value.isoformat()


class JsonErrorsOnly(BaseContentNegotiation):
    """`format` is this view's own parameter (csv or json), not DRF's renderer override, and
    errors are always JSON; the streamed body sets its own content type."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _result_checks(reader: ExportCheckReader, row: list[Any]) -> ResultChecks:
    return reader.for_result(
        organization=row[_ORGANIZATION],
        team_id=row[_TEAM_ID],
        assessment_id=row[_ASSESSMENT_ID],
        overall_level=row[_OVERALL_LEVEL],
    )


def csv_chunks(rows: Iterable[tuple[Any, ...]], checks: ExportCheckReader) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for count, values in enumerate(rows, 1):
        row = list(values)
        row.extend(lens_columns(row.pop()))
        row.extend(_result_checks(checks, row).counts_and_level)
        row[_SUBMITTED_AT] = _iso(row[_SUBMITTED_AT])
        row[_MET] = "true" if row[_MET] else "false"
        row[_TEAM_NAME] = _csv_cell(row[_TEAM_NAME])
        writer.writerow(row)
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterable[tuple[Any, ...]], checks: ExportCheckReader) -> Iterator[str]:
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    batch: list[str] = []
    separator = "[\n"
    for values in rows:
        row = list(values)
        articles = row.pop()
        row.extend(lens_columns(articles))
        result_checks = _result_checks(checks, row)
        row.extend(result_checks.counts_and_level)
        row.append(articles)
        row.append(result_checks.checks)
        row[_SUBMITTED_AT] = _iso(row[_SUBMITTED_AT])
        batch.append(separator + encode(dict(zip(JSON_NAMES, row, strict=True))))
        separator = ",\n"
        if len(batch) == BATCH_ROWS:
            yield "".join(batch)
            batch.clear()
    batch.append("[]\n" if separator == "[\n" else "\n]\n")
    yield "".join(batch)


class ExportResultsView(TeamScopedAPIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsOnly
    pagination_class = None  # a stream, not pages
    queryset = ResultCapability.objects.none()  # for the schema; rows come from get_queryset()

    def get_base_queryset(self) -> QuerySet[ResultCapability]:
        return result_capability_list()

    @extend_schema(
        operation_id="export_results",
        parameters=[ExportFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="CSV with a header row, columns in the order below."
            ),
            (200, "application/json"): ExportRowSerializer(many=True),
        },
        description=(
            "Every result of the teams you can see, one row per team x assessment x capability, "
            "streamed (format=csv, the default, or json: an array of objects). Rows are ordered "
            "by team slug, submission time, assessment id and capability key. Filters: team "
            "(id), tag, since / until (submission time; a bare `until` date includes that day), "
            "level (overall level).\n\nColumns, in this stable order:\n\n" + COLUMNS_DOC
        ),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        serializer = ExportFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = serializer.validated_data
        rows = export_rows(self.get_queryset(), filters).iterator(chunk_size=CHUNK_SIZE)
        if filters["format"] == "json":
            response = StreamingHttpResponse(
                json_chunks(rows, ExportCheckReader()),
                content_type="application/json; charset=utf-8",
            )
        else:
            response = StreamingHttpResponse(
                csv_chunks(rows, ExportCheckReader()), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = (
            f'attachment; filename="mlmaturity-results.{filters["format"]}"'
        )
        response["Cache-Control"] = "no-store"
        return response
