"""Assessments and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .teams import Team, TeamOwned


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Assessment(TeamOwned):
    """One team's questionnaire, answered against one catalogue version (kept for ever)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    catalogue_version = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # A reopened assessment is a new draft copied from a submitted one.
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT, submitted_at__isnull=True)
                | Q(status=AssessmentStatus.SUBMITTED, submitted_at__isnull=False),
                name="assessment_submitted_has_a_date",
            ),
            # One draft per team at a time, so the team never splits its answers.
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status="draft"),
                name="assessment_one_draft_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} assessment #{self.pk} ({self.status})"

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


def needs_confirmation(prefix: str = "") -> models.Q:
    """Answers carried over from the last submission or suggested by a scan, not confirmed yet:
    the one rule for "needs a look", for a query on answers (or, with ``prefix``, through a
    relation such as ``answers__``)."""
    return models.Q(**{f"{prefix}carried_over_from__isnull": False}) | models.Q(
        **{f"{prefix}suggested_from__isnull": False}
    )


class Answer(TeamOwned):
    """One answer per question; `version` grows with every write for optimistic concurrency."""

    team_path = "assessment__team"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=80)
    option_key = models.CharField(max_length=40)
    note = models.TextField(blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the answer was copied from an earlier submission, that submission's time: the answer
    # needs a look until someone confirms or changes it, which clears this.
    carried_over_from = models.DateTimeField(null=True, blank=True)
    # An answer suggested by repository evidence: {repository, commit, path, line, reason}.
    # Like a carried-over answer it needs a look until someone confirms or changes it.
    suggested_from = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["question_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_key"], name="answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_key} = {self.option_key}"

    @property
    def needs_confirmation(self) -> bool:
        return self.carried_over_from is not None or self.suggested_from is not None
