"""An organisation's own checks: the versions of its check set, and what each scan found."""

from django.conf import settings
from django.db import models
from django.db.models import Q

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

    def __str__(self):
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

    def __str__(self):
        return f"{self.check_key}: {'passed' if self.passed else 'failed'} ({self.scan_id})"
