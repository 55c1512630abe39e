"""The results export's rows, read as plain tuples so that memory stays flat however many
rows there are."""

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from ..models import Exemption, ResultCapability, Team
from .exemptions import active_on
from .periods import apply_date_range

if TYPE_CHECKING:
    # The stubs' name for what a compiled expression is: its SQL and the parameters it binds.
    from django.db.models.sql.compiler import _AsSqlType

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
    (
        "exempted_until",
        "exempted_until",
        "The last day of the team's exemption from the capability in force on the day of the "
        "export, YYYY-MM-DD; empty (CSV) or null (JSON) when none. The row's figures stay the "
        "raw reading.",
    ),
    (
        "microsoft_level",
        "result__microsoft_level",
        "The assessment's level in Microsoft's MLOps maturity model, 0-4; empty (CSV) or null "
        "(JSON) for a result not read through the lenses.",
    ),
    # The three counts are made from the result's article statuses (see `lens_columns`).
    (
        "eu_ai_act_supported",
        None,
        "EU AI Act readiness: how many of the articles read (9-15, 72) the team's practice "
        "supports. A readiness aid, not legal advice.",
    ),
    ("eu_ai_act_partly", None, "EU AI Act readiness: how many articles it partly supports."),
    ("eu_ai_act_missing", None, "EU AI Act readiness: how many articles nothing supports yet."),
    # The organisation's own checks, read as the result's `organization_checks` reads them
    # today (`selectors.export_checks`): the current check set, the team's latest scans that
    # applied it, and the team's answers in this assessment.
    (
        "organization_checks_passed",
        None,
        "How many of the organisation's current checks pass for the assessment (a scan found "
        "the evidence, or the team answered yes), as the result's `organization_checks` reads "
        "them; empty (CSV) or null (JSON) when the organisation has no checks.",
    ),
    (
        "organization_checks_failed",
        None,
        "How many of those checks do not pass; empty or null without checks.",
    ),
    (
        "organization_checks_unknown",
        None,
        "How many nothing says anything about yet (no scan applied the rule, no answer); "
        "empty or null without checks.",
    ),
    (
        "organization_level",
        None,
        "The organisation's reading of the level (the MLOps level capped below the lowest "
        "level with a check not passing), 0-2; empty or null unless the organisation counts "
        "its checks towards levels.",
    ),
)
# In JSON only, after the columns: {article: status} of the EU AI Act reading.
JSON_ONLY_COLUMNS = (
    (
        "eu_ai_act_articles",
        "result__eu_ai_act_articles",
        'JSON only: the status of each EU AI Act article, {"9": "supported" | "partly" | '
        '"missing" | "not_assessed", ...}; {} for a result not read through the lenses.',
    ),
    (
        "organization_checks",
        None,
        "JSON only: each of the organisation's current checks, in the check set's order: "
        '{"key", "dimension", "level", "passed": true | false | null, "source": "scanned" | '
        '"answered" | null, "answer": "yes" | "partly" | "no" | "unknown" | null (the team\'s '
        'answer to its question in this assessment), "answer_note": text | null}; [] when the '
        "organisation has no checks.",
    ),
)
COLUMN_NAMES = tuple(name for name, _, _ in EXPORT_COLUMNS)
_LOOKUPS = tuple(lookup for _, lookup, _ in (*EXPORT_COLUMNS, *JSON_ONLY_COLUMNS) if lookup)
_EU_COUNTED = ("supported", "partly", "missing")
_SUBMITTED_AT = COLUMN_NAMES.index("submitted_at")
ORDER = (
    "result__assessment__team__slug",
    "result__assessment__submitted_at",
    "result__assessment_id",
    "capability_key",
)


class IsoUtcTimestamp(Func):
    """A timestamp as ISO 8601 text in UTC, exactly as `datetime.isoformat()` writes it, made by
    the database: parsing a timestamp per row only to format it again was a third of the time
    the export spent per row. Other databases return the timestamp, formatted in Python."""

    output_field = CharField()

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> "_AsSqlType":
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        sql, params = compiler.compile(self.source_expressions[0])
        utc = f"(({sql}) AT TIME ZONE 'UTC')"
        text = (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
        return text, (*params, *params, *params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        # Stored as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(replace({sql}, ' ', 'T') || '+00:00')", params


def result_capability_list() -> QuerySet[ResultCapability]:
    """Every capability row of every result, before tenancy: the caller narrows it to a user
    (the API's TeamScoped views do) and hands it to `export_rows`."""
    return ResultCapability.objects.all()


def _exempted_until(today: date) -> Cast:
    """The expiry date, as text, of the row's team's exemption from the row's capability in
    force on `today`; the latest one during a renewal."""
    exemptions = Exemption.objects.filter(
        active_on(today),
        team_id=OuterRef("result__assessment__team_id"),
        capability_key=OuterRef("capability_key"),
    ).order_by("-expires_on")
    return Cast(Subquery(exemptions.values("expires_on")[:1]), output_field=CharField())


def lens_columns(articles: Mapping[str, str]) -> list[int | None]:
    """The EU AI Act count columns from a result's article statuses; empty when not read."""
    if not articles:
        return [None] * len(_EU_COUNTED)
    statuses = list(articles.values())
    return [statuses.count(status) for status in _EU_COUNTED]


def export_rows(
    queryset: QuerySet[ResultCapability],
    filters: Mapping[str, Any],
    *,
    today: date | None = None,
) -> QuerySet[ResultCapability, tuple[Any, ...]]:
    """The export's rows as tuples, from an already tenancy-scoped queryset: the columns that
    are lookups in column order, then the EU AI Act article statuses (`lens_columns` makes the
    counts from them); exemptions are those in force on `today` (the export's day by default)."""
    queryset = queryset.annotate(exempted_until=_exempted_until(today or timezone.localdate()))
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
