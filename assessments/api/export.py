"""Streaming export of results: one row per team x assessment x capability, as CSV or JSON.

Rows come from a `values_list()` queryset read with `.iterator(chunk_size=...)` (a server-side
cursor on PostgreSQL) and are written out in batches, so memory stays flat however many rows
there are: no model instances, no list of rows, no response buffered in full.
"""

import csv
import io
import json

from django.db.models import CharField, Func
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from ..models import ResultCapability, Team
from .base import TeamScopedAPIView
from .serializers import DateRangeFilterMixin, apply_date_range

# The columns, in their stable order: (name, lookup from ResultCapability, description).
# Scripts and BI tools rely on this order; add new columns at the end only.
EXPORT_COLUMNS = (
    ("organization", "result__assessment__team__organization__slug", "Organisation slug."),
    ("team_id", "result__assessment__team_id", "Team id."),
    ("team", "result__assessment__team__slug", "Team slug."),
    ("team_name", "result__assessment__team__name", "Team name."),
    ("assessment_id", "result__assessment_id", "Assessment id."),
    ("submitted_at", "result__assessment__submitted_at", "Submission time, ISO 8601 UTC."),
    ("catalogue_version", "result__catalogue_version", "Catalogue version answered against."),
    ("overall_level", "result__overall_level", "The assessment's MLOps level, 0-2."),
    ("index", "result__index", "The assessment's maturity index, 0-100."),
    ("target_level", "result__target_level", "The recommended target level, 0-2."),
    ("capability", "capability_key", "Capability key."),
    ("dimension", "dimension_key", "The capability's dimension key."),
    ("required_level", "required_level", "The level that requires the capability."),
    ("grade", "grade", "0, 0.5 or 1; empty (CSV) or null (JSON) when unknown."),
    ("source", "source", "Where the grade came from (answer, evidence, ...)."),
    ("met", "met", "Whether the capability is met: true or false."),
)
COLUMN_NAMES = tuple(name for name, _, _ in EXPORT_COLUMNS)
_LOOKUPS = tuple(lookup for _, lookup, _ in EXPORT_COLUMNS)
_SUBMITTED_AT = COLUMN_NAMES.index("submitted_at")
_MET = COLUMN_NAMES.index("met")
_TEAM_NAME = COLUMN_NAMES.index("team_name")
ORDER = (
    "result__assessment__team__slug",
    "result__assessment__submitted_at",
    "result__assessment_id",
    "capability_key",
)
CHUNK_SIZE = 2000  # rows fetched from the database at a time
BATCH_ROWS = 500  # rows written to the response at a time
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS_DOC = "\n".join(
    f"{position}. `{name}`: {doc}" for position, (name, _, doc) in enumerate(EXPORT_COLUMNS, 1)
)


class ExportFilterSerializer(DateRangeFilterMixin):
    format = serializers.ChoiceField(choices=["csv", "json"], default="csv", required=False)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    tag = serializers.CharField(required=False, max_length=60, help_text="Teams with this tag.")
    level = serializers.IntegerField(
        required=False, min_value=0, max_value=2, help_text="Only results at this overall level."
    )


class ExportRowSerializer(serializers.Serializer):
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
    source = serializers.CharField()
    met = serializers.BooleanField()


class IsoUtcTimestamp(Func):
    """A timestamp as ISO 8601 text in UTC, exactly as `datetime.isoformat()` writes it, made by
    the database: parsing a timestamp per row only to format it again was a third of the time
    the export spent per row. Other databases return the timestamp, formatted in Python."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        utc = f"(({sql}) AT TIME ZONE 'UTC')"
        text = (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
        return text, (*params, *params, *params)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(replace({sql}, ' ', 'T') || '+00:00')", params


def _iso(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def export_rows(queryset, filters: dict):
    """The export's rows as tuples in column order, from an already tenancy-scoped queryset."""
    if "team" in filters:
        queryset = queryset.filter(result__assessment__team_id=filters["team"])
    if "tag" in filters:
        tagged = Team.objects.filter(tags__name=filters["tag"]).values("id")
        queryset = queryset.filter(result__assessment__team_id__in=tagged)
    if "level" in filters:
        queryset = queryset.filter(result__overall_level=filters["level"])
    queryset = apply_date_range(queryset, "result__assessment__submitted_at", filters)
    columns = [
        IsoUtcTimestamp(lookup) if position == _SUBMITTED_AT else lookup
        for position, lookup in enumerate(_LOOKUPS)
    ]
    return queryset.order_by(*ORDER).values_list(*columns)


class JsonErrorsOnly(BaseContentNegotiation):
    """`format` is this view's own parameter (csv or json), not DRF's renderer override, and
    errors are always JSON; the streamed body sets its own content type."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for count, row in enumerate(rows, 1):
        row = list(row)
        row[_SUBMITTED_AT] = _iso(row[_SUBMITTED_AT])
        row[_MET] = "true" if row[_MET] else "false"
        row[_TEAM_NAME] = _csv_cell(row[_TEAM_NAME])
        writer.writerow(row)
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows):
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    batch = []
    separator = "[\n"
    for row in rows:
        row = list(row)
        row[_SUBMITTED_AT] = _iso(row[_SUBMITTED_AT])
        batch.append(separator + encode(dict(zip(COLUMN_NAMES, row, strict=True))))
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

    def get_base_queryset(self):
        return ResultCapability.objects.all()

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
    def get(self, request):
        serializer = ExportFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = serializer.validated_data
        rows = export_rows(self.get_queryset(), filters).iterator(chunk_size=CHUNK_SIZE)
        if filters["format"] == "json":
            response = StreamingHttpResponse(
                json_chunks(rows), content_type="application/json; charset=utf-8"
            )
        else:
            response = StreamingHttpResponse(
                csv_chunks(rows), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = (
            f'attachment; filename="mlmaturity-results.{filters["format"]}"'
        )
        response["Cache-Control"] = "no-store"
        return response
