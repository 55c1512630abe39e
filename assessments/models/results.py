"""What the engine made of a submitted assessment: the result, its capability rows for
dashboards, and the team's roadmap steps."""

from django.db import models
from django.db.models import Q

from .assessments import Assessment
from .teams import Team, TeamOwned


class Result(TeamOwned):
    """The engine's output for a submitted assessment: a full snapshot plus headline fields."""

    team_path = "assessment__team"

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    catalogue_version = models.CharField(max_length=40)
    overall_level = models.PositiveSmallIntegerField()
    index = models.FloatField()
    target_level = models.PositiveSmallIntegerField()
    weakest_dimension = models.CharField(max_length=80)
    ml_test_score = models.FloatField()
    # Everything the engine returned (levels, reasons, roadmap, contradictions), JSON-ready.
    snapshot = models.JSONField()
    computed_at = models.DateTimeField()
    # Small copies of snapshot figures, written with the result, so that a dashboard aggregates
    # thousands of latest results without reading their large snapshots or capability rows.
    # {dimension key: level} as the engine decided it, without the dimensions not applicable to
    # the team (they have no level to count; the snapshot names them).
    dimension_levels = models.JSONField(default=dict)
    # {dimension key: index}, for the organisation medians beside a team's own.
    dimension_index = models.JSONField(default=dict)
    # Capability keys the target level needs and the team does not meet (optional ones never).
    target_gaps = models.JSONField(default=list)
    # On the way to the next level: capabilities in place of those required; none at level 2.
    next_level_in_place = models.PositiveSmallIntegerField(null=True, blank=True)
    next_level_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # The assessment's team and submission time, and the target's criticality: trends over a
    # whole organisation's history and its debt read them without joining each assessment or
    # opening each snapshot. Tenancy still goes through the assessment (`team_path`).
    team = models.ForeignKey(
        # The history index below leads with the team: no index of its own.
        Team,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
    )
    submitted_at = models.DateTimeField(null=True)
    criticality = models.CharField(max_length=40, blank=True)
    # The other lenses' readings of the same result (maturity.lenses), JSON-ready, and small
    # copies for dashboards and the export: Microsoft's level (0-4) and each EU AI Act
    # article's status {article: "supported" | "partly" | "missing" | "not_assessed"}.
    lenses = models.JSONField(default=dict)
    microsoft_level = models.PositiveSmallIntegerField(null=True, blank=True)
    eu_ai_act_articles = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_level__lte=2) & Q(target_level__lte=2),
                name="result_levels_in_range",
            ),
            models.CheckConstraint(
                condition=Q(index__gte=0) & Q(index__lte=100), name="result_index_in_range"
            ),
            models.CheckConstraint(
                condition=Q(microsoft_level__lte=4), name="result_microsoft_level_in_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "submitted_at"],
                include=["index", "overall_level"],
                name="result_team_history",
            )
        ]

    def __str__(self) -> str:
        return f"Result of {self.assessment}: level {self.overall_level}"


class ResultCapability(TeamOwned):
    """One row per capability of a result, so dashboards aggregate in the database."""

    team_path = "result__assessment__team"

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="capabilities")
    capability_key = models.CharField(max_length=80)
    dimension_key = models.CharField(max_length=80)
    required_level = models.PositiveSmallIntegerField()
    grade = models.FloatField(null=True)
    source = models.CharField(max_length=20)
    met = models.BooleanField()

    class Meta:
        ordering = ["capability_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "capability_key"], name="result_capability_once_per_result"
            )
        ]
        indexes = [models.Index(fields=["capability_key", "met"])]

    def __str__(self) -> str:
        return f"{self.capability_key}: {self.grade}"


class RoadmapStepStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    # Still unmet, but the target level no longer asks for it.
    DROPPED = "dropped", "No longer needed for the target"


class RoadmapStep(TeamOwned):
    """A team's roadmap step across assessments: opened when the gap appears, done when met."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roadmap_steps")
    step_id = models.CharField(max_length=100)
    capability_key = models.CharField(max_length=80)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RoadmapStepStatus.choices)
    first_seen = models.DateTimeField()
    opened_in = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    done_in = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "position"]
        constraints = [
            models.UniqueConstraint(fields=["team", "step_id"], name="roadmap_step_once_per_team")
        ]
        indexes = [
            # The organisation's debt and the ranking's open steps read only open steps, by team:
            # the teams' roadmaps now. Holding the capability and the date first seen, this
            # index answers them without visiting the table (PostgreSQL; a plain partial index
            # elsewhere), a few rows per team however long the teams' history.
            models.Index(
                fields=["team", "capability_key", "first_seen"],
                name="roadmap_open_steps",
                condition=models.Q(status=RoadmapStepStatus.OPEN),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.step_id} ({self.status})"


class OrganizationMonth(models.Model):
    """How many results an organisation's teams submitted in a month, and their indexes' sum.

    A read model kept by `services/organization_months.py` as results are written and deleted,
    so the organisation-wide monthly average reads a row per month instead of every result in
    the history. Pages filtered to some of the teams still aggregate the results themselves.
    """

    organization = models.ForeignKey(
        "Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month, in the site's time zone
    assessments = models.PositiveIntegerField()
    index_sum = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="organization_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}: {self.assessments} results"


# What `LatestResult` copies from the team's latest result: the columns dashboards count,
# filter, sort and show, none of them large. One list, read by every path that writes it.
LATEST_RESULT_COPIES = (
    "assessment_id",
    "submitted_at",
    "overall_level",
    "index",
    "target_level",
    "weakest_dimension",
    "next_level_in_place",
    "next_level_total",
    "microsoft_level",
    "dimension_levels",
    "dimension_index",
    "target_gaps",
    "criticality",
)


class LatestResult(TeamOwned):
    """The small columns of each team's latest result, one narrow row per team.

    A read model written with `Team.latest_result`, in the same transaction (see
    services/results.py): the organisation dashboards count levels, filter, sort and page the
    latest results of thousands of teams from this table instead of finding a row per team
    among the whole history of wide results, which at 5,000 teams x 12 months meant reading
    every result. The names are the result's own, so a query reads either the same way.
    """

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, primary_key=True, related_name="latest"
    )
    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField(null=True)
    overall_level = models.PositiveSmallIntegerField()
    index = models.FloatField()
    target_level = models.PositiveSmallIntegerField()
    weakest_dimension = models.CharField(max_length=80)
    next_level_in_place = models.PositiveSmallIntegerField(null=True, blank=True)
    next_level_total = models.PositiveSmallIntegerField(null=True, blank=True)
    microsoft_level = models.PositiveSmallIntegerField(null=True, blank=True)
    dimension_levels = models.JSONField(default=dict)
    dimension_index = models.JSONField(default=dict)
    target_gaps = models.JSONField(default=list)
    criticality = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.team_id}: result {self.result_id}"
