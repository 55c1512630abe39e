"""Serializers: the stable shapes scripts and BI tools rely on (see issue "REST API and export")."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Answer, Assessment, AssessmentStatus, Organization, Team

# --- Catalogue ---------------------------------------------------------------------------------


class CatalogueOptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    grade = serializers.FloatField(
        allow_null=True,
        help_text='0, 0.5 or 1; null for "don\'t know", "not applicable" and context answers.',
    )


class CatalogueQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    options = CatalogueOptionSerializer(many=True)


class CatalogueCapabilitySerializer(serializers.Serializer):
    key = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField(help_text="The MLOps level (0-2) that requires it.")
    optional = serializers.BooleanField()
    title = serializers.CharField()


class CatalogueDimensionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class CatalogueSerializer(serializers.Serializer):
    version = serializers.CharField()
    dimensions = CatalogueDimensionSerializer(many=True)
    capabilities = CatalogueCapabilitySerializer(many=True)
    questions = CatalogueQuestionSerializer(many=True)


# --- Query parameters --------------------------------------------------------------------------


# Documented as a date; a full ISO 8601 date-time is accepted too (see the field's help text).
@extend_schema_field({"type": "string", "format": "date", "minLength": 10})
class DateBoundField(serializers.Field):
    """A date (YYYY-MM-DD) or an ISO 8601 date-time. A bare date as an upper bound includes
    that whole day."""

    default_error_messages = {
        "invalid": "Give a date as YYYY-MM-DD or a date-time as YYYY-MM-DDTHH:MM[:SS][+HH:MM].",
        "out_of_range": "The date is outside the range the calendar can handle.",
    }

    def __init__(self, *, upper: bool = False, **kwargs):
        self.upper = upper
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = str(data).strip()
        try:
            # Date first: parse_datetime() would read a bare date as midnight.
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        try:
            if moment is None:
                moment = datetime.combine(day + timedelta(days=1) if self.upper else day, time.min)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # Databases compare in UTC; a date at the edge of the calendar cannot be converted.
            moment = moment.astimezone(UTC)
        except (OverflowError, ValueError):
            self.fail("out_of_range")
        return moment, self.upper and day is not None

    def to_representation(self, value):
        return value


class DateRangeFilterMixin(serializers.Serializer):
    since = DateBoundField(required=False, help_text="On or after this date or date-time.")
    until = DateBoundField(
        required=False, upper=True, help_text="On or before this date (whole day) or date-time."
    )


class TeamFilterSerializer(serializers.Serializer):
    tag = serializers.CharField(required=False, max_length=60, help_text="Teams with this tag.")


class AssessmentFilterSerializer(DateRangeFilterMixin):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False)


# --- Teams -------------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name"]


class TeamSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description", "organization", "tags", "member_count"]


# --- Assessments and answers -------------------------------------------------------------------


class ResultSummarySerializer(serializers.Serializer):
    overall_level = serializers.IntegerField()
    index = serializers.FloatField()
    target_level = serializers.IntegerField()
    computed_at = serializers.DateTimeField()


class AssessmentSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    answer_count = serializers.IntegerField(read_only=True)
    result = ResultSummarySerializer(
        read_only=True, allow_null=True, help_text="Headline figures once the result is computed."
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "team",
            "status",
            "catalogue_version",
            "copied_from",
            "created_at",
            "created_by",
            "submitted_at",
            "submitted_by",
            "answer_count",
            "result",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        error_messages={
            "does_not_exist": "There is no team with id {pk_value} that you can see.",
            "incorrect_type": "Give the team's id as a number.",
        },
    )

    def __init__(self, *args, visible_teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_teams is not None:
            self.fields["team"].queryset = visible_teams


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question_key", read_only=True)
    option = serializers.CharField(source="option_key", read_only=True, allow_null=True)
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Answer
        fields = [
            "question",
            "option",
            "note",
            "version",
            "updated_by",
            "updated_at",
            "carried_over_from",
            "suggested_from",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "version": {"help_text": 'Also sent as the ETag header, quoted: "3".'},
            "updated_at": {"allow_null": True},
            "carried_over_from": {
                "help_text": "When the answer was copied from an earlier submission, that "
                "submission's time; null once someone confirms or changes it (saving the "
                "answer again confirms it)."
            },
            "suggested_from": {
                "help_text": "For an answer suggested by repository evidence: repository, "
                "commit, path, line and reason; null once someone confirms or changes it."
            },
        }


class AnswerWriteSerializer(serializers.Serializer):
    option = serializers.CharField(max_length=40, help_text="An option key of the question.")
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Free text kept as given, except that line endings are stored as \\n.",
    )


# --- Results and roadmap -----------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    capability = serializers.CharField()
    grade = serializers.FloatField()
    strength = serializers.CharField()
    reason = serializers.CharField()
    path = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    detector = serializers.CharField(allow_null=True)


class CapabilityResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField()
    optional = serializers.BooleanField()
    grade = serializers.FloatField(
        help_text="The grade levels use: unknown counts 0, not applicable 1."
    )
    status = serializers.CharField()
    source = serializers.CharField(help_text="Where the grade came from: answer, evidence, ...")
    met = serializers.BooleanField()
    answer_grade = serializers.FloatField(allow_null=True)
    evidence_grade = serializers.FloatField(allow_null=True)
    evidence_strength = serializers.CharField(allow_null=True)
    evidence = EvidenceSerializer(many=True)


class ContradictionSerializer(serializers.Serializer):
    capability = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()


class MLTestScoreSerializer(serializers.Serializer):
    sections = serializers.DictField(child=serializers.FloatField())
    score = serializers.FloatField()
    weakest_section = serializers.CharField()
    band = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    criticality = serializers.CharField(allow_null=True)
    over_investment = serializers.BooleanField()
    finding = serializers.CharField(allow_null=True)
    missing_context = serializers.ListField(child=serializers.CharField())


class DebtItemSerializer(serializers.Serializer):
    capability = serializers.CharField()
    title = serializers.CharField()
    debt_kind = serializers.CharField()
    debt_title = serializers.CharField()
    level = serializers.IntegerField()
    first_seen = serializers.DateField()
    days_outstanding = serializers.IntegerField()
    principal = serializers.FloatField(help_text="Effort-days to close the gap.")
    interest = serializers.FloatField(help_text="Effort-days accrued from age and criticality.")
    balance = serializers.FloatField()


class DebtTotalSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    principal = serializers.FloatField()
    interest = serializers.FloatField()
    balance = serializers.FloatField()


class LevelProgressSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="The next level.")
    in_place = serializers.IntegerField(
        help_text="Capabilities required up to that level that are met."
    )
    total = serializers.IntegerField(help_text="Capabilities required up to that level.")
    blocking = serializers.ListField(
        child=serializers.CharField(),
        help_text="Unmet characteristics of the level: what holds it back.",
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Unmet additional components: needed, but not gating the level.",
    )
    unknown = serializers.ListField(
        child=serializers.CharField(),
        help_text="Not answered, or not visible in a repository.",
    )


class DebtSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="The submission date: the bill as it stood then.")
    items = DebtItemSerializer(many=True)
    total = DebtTotalSerializer()


class ReadingWithExemptionsSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="The day whose exemptions in force are applied.")
    overall_level = serializers.IntegerField()
    index = serializers.FloatField(help_text="0-100.")
    dimensions = serializers.DictField(
        child=serializers.IntegerField(), help_text="Level (0-2) per dimension key."
    )
    dimension_index = serializers.DictField(child=serializers.FloatField())
    why_not_next_level = serializers.CharField()
    capabilities = serializers.ListField(
        child=serializers.CharField(), help_text="The exempted capability keys."
    )
    exemptions = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the exemptions applied."
    )


class ResultSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    team = serializers.IntegerField()
    catalogue_version = serializers.CharField()
    computed_at = serializers.DateTimeField()
    overall_level = serializers.IntegerField()
    index = serializers.FloatField(help_text="0-100.")
    dimensions = serializers.DictField(
        child=serializers.IntegerField(), help_text="Level (0-2) per dimension key."
    )
    dimension_index = serializers.DictField(child=serializers.FloatField())
    weakest_dimension = serializers.CharField()
    capabilities = CapabilityResultSerializer(many=True)
    target_level = serializers.IntegerField()
    target = TargetSerializer()
    why_not_next_level = serializers.CharField()
    missing_for_next_level = serializers.ListField(child=serializers.CharField())
    next_level_progress = LevelProgressSerializer(
        allow_null=True, help_text="Null at the highest level."
    )
    contradictions = ContradictionSerializer(many=True)
    claimed_not_visible = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Capabilities answered as done that a recent scan did not see, where a repository "
            "may not show them (a console, another repository): not contradictions."
        ),
    )
    unknown = serializers.ListField(child=serializers.CharField())
    ml_test_score = MLTestScoreSerializer()
    scanned = serializers.BooleanField(
        help_text="Whether repository evidence from a conclusive scan was used."
    )
    evidence_can_contradict = serializers.BooleanField(
        help_text="Whether that scan was recent enough (SCAN_CONTRADICTS_DAYS) for missing "
        "evidence to contradict an answer."
    )
    debt = DebtSerializer()
    with_exemptions = ReadingWithExemptionsSerializer(
        allow_null=True,
        help_text=(
            "The reading with the team's exemptions in force today, each exempted capability "
            "counted as not applicable; null when none is in force. The figures above are the "
            "raw reading and never change."
        ),
    )


class RoadmapStepSerializer(serializers.Serializer):
    id = serializers.CharField()
    capability = serializers.CharField()
    position = serializers.IntegerField(help_text="0 is the first step to take.")
    title = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField()
    optional = serializers.BooleanField()
    action = serializers.CharField(source="what", help_text="What to do.")
    why = serializers.CharField()
    verify = serializers.CharField(help_text="How to tell it is done.")
    effort = serializers.CharField()
    effort_days = serializers.FloatField()
    debt_kind = serializers.CharField()
    prerequisites = serializers.ListField(
        child=serializers.CharField(), help_text="Ids of steps that come first."
    )


# --- Tokens ------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}, write_only=True
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="A name to tell the token apart on your profile page.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; send it as 'Authorization: Token ...'.")
    name = serializers.CharField()
    prefix = serializers.CharField()


# --- Errors (documentation of the one error shape) ---------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The same sentence as error.message.")
    error = ErrorDetailSerializer()
