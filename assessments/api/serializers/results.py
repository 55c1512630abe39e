"""Results, their evidence, debt and progress, and the roadmap."""

from typing import Any

from rest_framework import serializers

from ...maturity.custom_checks import ANSWER_OPTIONS
from ...maturity.lenses import ARTICLE_STATUSES, MICROSOFT_ASPECTS
from ...maturity.results import STATUSES

EU_AI_ACT_NOT_LEGAL_ADVICE = (
    "A readiness aid that maps engineering practices to the Act's requirements; it is not "
    "legal advice."
)


class EvidenceSerializer(serializers.Serializer[Any]):
    capability = serializers.CharField()
    grade = serializers.FloatField()
    strength = serializers.CharField()
    reason = serializers.CharField()
    path = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    detector = serializers.CharField(allow_null=True)


class CapabilityResultSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField()
    optional = serializers.BooleanField()
    grade = serializers.FloatField(
        help_text="The grade levels use: unknown counts 0, not applicable 1."
    )
    status = serializers.CharField()
    source = serializers.CharField(help_text="Where the grade came from: answer, evidence, ...")  # type: ignore[assignment]  # DRF moves declared fields out of the class
    met = serializers.BooleanField()
    answer_grade = serializers.FloatField(allow_null=True)
    evidence_grade = serializers.FloatField(allow_null=True)
    evidence_strength = serializers.CharField(allow_null=True)
    evidence = EvidenceSerializer(many=True)


class ContradictionSerializer(serializers.Serializer[Any]):
    capability = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()


class MLTestScoreSerializer(serializers.Serializer[Any]):
    sections = serializers.DictField(child=serializers.FloatField())
    score = serializers.FloatField()
    weakest_section = serializers.CharField()
    band = serializers.CharField()


class LensCapabilitySerializer(serializers.Serializer[Any]):
    capability = serializers.CharField(help_text="Capability key in the result's catalogue.")
    title = serializers.CharField()
    status = serializers.ChoiceField(
        choices=list(STATUSES),
        help_text="The capability's status in this result, as for `capabilities[].status`.",
    )


class MicrosoftBlockerSerializer(LensCapabilitySerializer):
    aspect = serializers.ChoiceField(
        choices=list(MICROSOFT_ASPECTS),
        help_text="The aspect of Microsoft's level it stands for.",
    )


class MicrosoftLensSerializer(serializers.Serializer[Any]):
    version = serializers.CharField(help_text="Version of the lens data (microsoft.yaml).")
    level = serializers.IntegerField(
        min_value=0,
        max_value=4,
        help_text="Microsoft's MLOps maturity level, 0-4, cumulative like Google's levels.",
    )
    title = serializers.CharField(help_text="The level's name, e.g. 'Automated training'.")
    next_level = serializers.IntegerField(allow_null=True, help_text="Null at level 4.")
    next_level_title = serializers.CharField(allow_null=True)
    why_not_next_level = MicrosoftBlockerSerializer(
        many=True, help_text="The next level's capabilities that are not met."
    )
    skipped = serializers.ListField(
        child=serializers.CharField(),
        help_text="Capabilities the lens asks for that this result's catalogue version lacks; "
        "they are left out of the reading.",
    )


class EuArticleSerializer(serializers.Serializer[Any]):
    article = serializers.CharField(help_text="The article number, e.g. '9'.")
    title = serializers.CharField()
    status = serializers.ChoiceField(
        choices=list(ARTICLE_STATUSES),
        help_text="supported: every capability it needs that applies to the team is met; "
        "partly: some are met or partly done; missing: none; not_assessed: the catalogue has "
        "none of them, or none applies to the team.",
    )
    supported_by = LensCapabilitySerializer(many=True)
    missing = LensCapabilitySerializer(many=True)
    not_applicable = LensCapabilitySerializer(
        many=True,
        required=False,
        help_text="Capabilities the article asks for that do not apply to the team (answered "
        "not applicable, or in a dimension its context switches off): neither support nor "
        "missing. Absent from readings stored before EU AI Act lens data 2026.12.2.",
    )


class KeyDateSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    event = serializers.CharField()
    headline = serializers.BooleanField(
        default=False, help_text="One of the dates to show beside the reading."
    )


class EuAiActLensSerializer(serializers.Serializer[Any]):
    version = serializers.CharField(help_text="Version of the lens data (eu_ai_act.yaml).")
    disclaimer = serializers.CharField(
        help_text="A readiness aid, not legal advice: the sentence to show with the reading."
    )
    in_force_since = serializers.DateField(allow_null=True)
    dates = KeyDateSerializer(many=True, help_text="The Act's dates, as enacted.")
    dates_note = serializers.CharField()
    articles = EuArticleSerializer(many=True)
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Number of articles per status."
    )
    skipped = serializers.ListField(child=serializers.CharField())


class LensesSerializer(serializers.Serializer[Any]):
    microsoft = MicrosoftLensSerializer()
    eu_ai_act = EuAiActLensSerializer(
        help_text="EU AI Act readiness for high-risk AI systems, article by article. "
        + EU_AI_ACT_NOT_LEGAL_ADVICE
    )


class TargetSerializer(serializers.Serializer[Any]):
    level = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    criticality = serializers.CharField(allow_null=True)
    over_investment = serializers.BooleanField()
    finding = serializers.CharField(allow_null=True)
    missing_context = serializers.ListField(child=serializers.CharField())


class DebtItemSerializer(serializers.Serializer[Any]):
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


class DebtTotalSerializer(serializers.Serializer[Any]):
    items = serializers.IntegerField()
    principal = serializers.FloatField()
    interest = serializers.FloatField()
    balance = serializers.FloatField()


class LevelProgressSerializer(serializers.Serializer[Any]):
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


class DebtSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField(help_text="The submission date: the bill as it stood then.")
    items = DebtItemSerializer(many=True)
    total = DebtTotalSerializer()


class ReadingWithExemptionsSerializer(serializers.Serializer[Any]):
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
    lenses = LensesSerializer(
        help_text="The other lenses read with the exemptions: an exempted capability counts "
        "as met for Microsoft's levels and neither as support nor as missing for an EU AI Act "
        "article."
    )


class OrganizationCheckRepositorySerializer(serializers.Serializer[Any]):
    repository = serializers.IntegerField()
    repository_name = serializers.CharField()
    scan = serializers.IntegerField(help_text="The scan that applied the check.")
    commit = serializers.CharField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()
    path = serializers.CharField(allow_null=True, help_text="The file that shows it, if any.")
    line = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="The file on the forge, when known.")


class OrganizationCheckAnswerSerializer(serializers.Serializer[Any]):
    option = serializers.ChoiceField(choices=[option.key for option in ANSWER_OPTIONS])
    label = serializers.CharField()  # type: ignore[assignment]  # DRF moves declared fields out of the class
    grade = serializers.FloatField(allow_null=True, help_text="1, 0.5, 0, or null for 'unknown'.")
    note = serializers.CharField(allow_blank=True)
    check_set_version = serializers.IntegerField(
        help_text="The check set version whose question was answered."
    )
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()


class OrganizationCheckSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField()
    question = serializers.CharField(allow_null=True)
    rule = serializers.DictField(
        allow_null=True,
        help_text="One of {file_exists: glob}, {file_contains: {path, pattern}}, "
        "{dependency_present: name}; null for a check that only asks a question.",
    )
    rule_text = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(
        allow_null=True,
        help_text="True when one of the team's repositories passes the rule or, failing scan "
        "evidence, when the team answered the question 'yes'; null until either says something.",
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]  # DRF moves declared fields out of the class
        choices=["scanned", "answered"],
        allow_null=True,
        help_text="What decided `passed`: the scans' evidence or the team's answer.",
    )
    answer = OrganizationCheckAnswerSerializer(
        allow_null=True, help_text="The team's answer in this assessment; null when none."
    )
    repositories = OrganizationCheckRepositorySerializer(many=True)


class OrganizationChecksSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The organisation's current check set version.")
    counts_towards_levels = serializers.BooleanField()
    level = serializers.IntegerField(
        allow_null=True,
        help_text="The organisation's reading: the Google level capped below the lowest level "
        "with a check not passing; null unless the checks count towards levels.",
    )
    scanned_repositories = serializers.IntegerField()
    checks = OrganizationCheckSerializer(many=True)


class ResultSerializer(serializers.Serializer[Any]):
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
    not_applicable_dimensions = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Dimension keys whose every capability is not applicable to the team (the LLM "
            "applications of a team without any, say). Their entries in `dimensions` and "
            "`dimension_index` keep their meaning (all met: 2 and 100) but read as not applicable."
        ),
    )
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
    lenses = LensesSerializer(
        help_text="The same answers and evidence read through other models: Microsoft's MLOps "
        "maturity levels (0-4) and EU AI Act readiness. The Google fields above keep their "
        "names and meaning."
    )
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
    organization_checks = OrganizationChecksSerializer(
        allow_null=True,
        help_text=(
            "The organisation's own checks on the team's latest scans; null when it has none. "
            "The Google figures above never change with them."
        ),
    )


class RoadmapStepSerializer(serializers.Serializer[Any]):
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
