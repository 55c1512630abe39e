"""Organisations, teams, assessments and their answers."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from rest_framework import serializers

from ...models import Answer, Assessment, Organization, Team, TeamTag
from .fields import related_choices_limit


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    organization = OrganizationSerializer(read_only=True)
    tags: serializers.SlugRelatedField[TeamTag] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description", "organization", "tags", "member_count"]


# --- Assessments and answers -------------------------------------------------------------------


class ResultSummarySerializer(serializers.Serializer[Any]):
    overall_level = serializers.IntegerField()
    index = serializers.FloatField()
    target_level = serializers.IntegerField()
    computed_at = serializers.DateTimeField()


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    submitted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
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


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        error_messages={
            "does_not_exist": "There is no team with id {pk_value} that you can see.",
            "incorrect_type": "Give the team's id as a number.",
        },
    )

    def __init__(
        self, *args: Any, visible_teams: QuerySet[Team] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if visible_teams is not None:
            related_choices_limit(self, "team", visible_teams)


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    question = serializers.CharField(source="question_key", read_only=True)
    option = serializers.CharField(source="option_key", read_only=True, allow_null=True)
    updated_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
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


class AnswerWriteSerializer(serializers.Serializer[Any]):
    option = serializers.CharField(max_length=40, help_text="An option key of the question.")
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Free text kept as given, except that line endings are stored as \\n.",
    )


class AnswerBulkItemSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(max_length=80, help_text="A question's key.")
    option = serializers.CharField(max_length=40, help_text="An option key of the question.")
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Free text kept as given, except that line endings are stored as \\n.",
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=999_999_999,
        required=False,
        allow_null=True,
        default=None,
        help_text="The answer's version you last read (its ETag without quotes); 0, null or "
        "absent for a question not answered yet. A stale version answers 412 and saves "
        "nothing.",
    )


class AnswerBulkWriteSerializer(serializers.Serializer[Any]):
    answers = AnswerBulkItemSerializer(
        many=True,
        allow_empty=False,
        help_text="The answers to save, each question at most once; at most one per question "
        "of the assessment's questionnaire.",
    )


class AnswerBulkResultSerializer(serializers.Serializer[Any]):
    answers = AnswerSerializer(many=True, help_text="The saved answers, in the order sent.")
