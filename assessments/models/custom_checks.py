"""An organisation's own checks: the versions of its check set, what each scan found, and
what each team answered to their questions."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..maturity.custom_checks import ANSWER_OPTIONS
from .assessments import Assessment
from .audit import OrganizationAdminOnly
from .repositories import Scan
from .teams import Organization, TeamOwned


class CheckSetVersion(OrganizationAdminOnly):
    """One version of an organisation's check set, never changed once written: an import or
    an edit adds the next version, and the highest number is the one scans apply.

    `document` is the validated set (`maturity.custom_checks.CheckSet.to_dict()` without its
    number) and `yaml_text` its export, so a download is exactly what was stored."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="check_set_versions"
    )
    number = models.PositiveIntegerField()
    counts_towards_levels = models.BooleanField(default=False)
    document = models.JSONField()
    yaml_text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="check_set_version_number_once"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="check_set_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: checks v{self.number}"

    @property
    def check_count(self) -> int:
        return len(self.document.get("checks", []))


class RepositoryCheckOutcome(TeamOwned):
    """Whether one of the organisation's checks passed on the commit a scan read, with the file
    (and line) that shows it. Written with the scan, for the check set version it applied."""

    team_path = "scan__repository__team"

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="check_outcomes")
    version = models.ForeignKey(CheckSetVersion, on_delete=models.CASCADE, related_name="outcomes")
    check_key = models.CharField(max_length=80)
    passed = models.BooleanField()
    reason = models.CharField(max_length=300)
    path = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["scan", "check_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scan", "check_key"], name="check_outcome_once_per_scan"
            )
        ]
        indexes = [models.Index(fields=["version", "check_key"], name="check_outcome_version_key")]

    def __str__(self) -> str:
        return f"{self.check_key}: {'passed' if self.passed else 'failed'} ({self.scan_id})"


class CheckAnswer(TeamOwned):
    """A team's answer to the question of one of its organisation's checks, in one assessment.

    Kept apart from `Answer`, whose keys are the built-in catalogue's questions: the engine
    scores those, while these are read only beside the result (`organization_checks_for_result`).
    `check_set_version` is the version whose question the team answered; `version` grows with
    every write, for the same optimistic concurrency as `Answer`."""

    team_path = "assessment__team"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="check_answers"
    )
    check_key = models.CharField(max_length=80)
    check_set_version = models.ForeignKey(
        CheckSetVersion, on_delete=models.CASCADE, related_name="answers"
    )
    option_key = models.CharField(max_length=20)
    note = models.TextField(blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # As for `Answer`: copied from the last submission, needing a look until confirmed.
    carried_over_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "check_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "check_key"], name="check_answer_one_per_check"
            ),
            models.CheckConstraint(
                condition=Q(option_key__in=[option.key for option in ANSWER_OPTIONS]),
                name="check_answer_known_option",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_key} = {self.option_key}"

    @property
    def needs_confirmation(self) -> bool:
        return self.carried_over_from is not None
