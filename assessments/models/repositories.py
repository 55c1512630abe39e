"""Connected repositories and their scans."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..scanning.forges import forge_file_url
from .teams import Team, TeamOwned


class Repository(TeamOwned):
    """A team's git repository, scanned for evidence. The access token is stored encrypted."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="repositories")
    url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, blank=True)
    # A project folder of a monorepo, judged on its own; empty for the whole repository.
    project = models.CharField(max_length=300, blank=True)
    # Catalogue dimensions this repository holds (training pipeline, serving...); empty for the
    # whole ML system. Missing evidence only contradicts answers about what it holds.
    holds = models.JSONField(default=list, blank=True)
    # Fernet ciphertexts: the access token is never shown or logged; the webhook secret is
    # shown to the team's leads so they can configure the push hook.
    access_token_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    scan_interval_hours = models.PositiveIntegerField(default=24)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The forge import that created it, if one did.
    forge_import = models.ForeignKey(
        "ForgeImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repositories",
    )
    # Imported, its first scan not released yet: imported repositories wait for a free scan
    # slot, shared fairly between organisations (services.first_scans.first_scans_release),
    # and the periodic schedule leaves them alone meanwhile.
    first_scan_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["url"]
        verbose_name_plural = "repositories"
        indexes = [
            models.Index(
                fields=["team"],
                condition=Q(first_scan_pending=True),
                name="repository_first_scan_pending",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "url", "branch", "project"],
                name="repository_once_per_team_branch_and_project",
            )
        ]

    def __str__(self) -> str:
        name = f"{self.url}@{self.branch}" if self.branch else self.url
        return f"{name} ({self.project})" if self.project else name

    @property
    def display_name(self) -> str:
        """How people name it: owner/repo for a forge's address, the folder for a local path,
        with the project folder of a monorepo."""
        path = self.url.split("://", 1)[-1].split("?", 1)[0].rstrip("/")
        if path.endswith(".git"):
            path = path[: -len(".git")]
        parts = [part for part in path.split("/") if part]
        if "://" in self.url and len(parts) >= 3:
            name = "/".join(parts[-2:])
        else:
            name = parts[-1] if parts else self.url
        return f"{name}/{self.project}" if self.project else name

    def file_url(self, commit: str, path: str | None, line: int | None = None) -> str | None:
        """The file at the scanned commit on the forge's web page, when the forge is known.

        Paths of a project folder's scan read from the folder, except the root CI files that
        name it (see scanning.projects)."""
        return forge_file_url(self.url, commit, path, line, project=self.project)


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # The commit was already scanned by this scanner version; that scan's result stands.
    UNCHANGED = "unchanged", "Unchanged"
    FAILED = "failed", "Failed"


class Scan(TeamOwned):
    """One scan of a repository; this row, not the broker, is the source of truth."""

    team_path = "repository__team"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    commit = models.CharField(max_length=64, blank=True)
    scanner_version = models.CharField(max_length=20, blank=True)
    trigger = models.CharField(max_length=20, default="manual")
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    # The scan CLI's JSON report, and the findings the maturity engine reads as evidence.
    report = models.JSONField(null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    # A scan that points at another stands for that scan's findings: the one it points at is
    # deleted only with its repository, never from under it.
    same_as = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["repository", "status", "-finished_at"]),
            # Each repository's latest successful scan, which every questionnaire page reads
            # (selectors/evidence.py): the first entry of the index, however many scans the
            # repository has had.
            models.Index(
                fields=["repository", "-finished_at", "-id"],
                condition=Q(status__in=["succeeded", "unchanged"]),
                name="scan_latest_successful",
            ),
            # The scans in flight, counted at every scan's end to share the scan slots
            # (services.first_scans): a few rows among every scan ever made.
            models.Index(
                fields=["repository"],
                condition=Q(status__in=["queued", "running"]),
                name="scan_in_flight",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "commit", "scanner_version"],
                condition=Q(status="succeeded"),
                name="scan_one_result_per_commit_and_scanner",
            )
        ]

    def __str__(self) -> str:
        return f"Scan #{self.pk} of {self.repository} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in {ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED, ScanStatus.FAILED}
