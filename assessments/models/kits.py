"""Level-up kits built by the workers: one row per repository, scanned commit, capability and
kit version, so a kit is built once per commit and the pages only read it."""

from django.db import models

from .repositories import Repository
from .teams import TeamOwned


class KitBuildStatus(models.TextChoices):
    PENDING = "pending", "Preparing"
    RUNNING = "running", "Preparing"
    READY = "ready", "Ready"
    UNAVAILABLE = "unavailable", "Does not fit"  # the kit does not fit this commit: final
    FAILED = "failed", "Failed"  # the repository could not be read: tried again later


class KitBuild(TeamOwned):
    team_path = "repository__team"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="kits")
    # The commit of the repository's last scan when the kit was asked for ("" before any):
    # a new scan asks for a new kit.
    scanned_commit = models.CharField(max_length=64, blank=True)
    capability = models.CharField(max_length=64)
    kit_version = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=KitBuildStatus.choices, default=KitBuildStatus.PENDING
    )
    # The commit the patch applies to: the branch's head when the worker fetched it.
    commit = models.CharField(max_length=64, blank=True)
    kit = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    # When a worker claimed it: a running build is lost only this long after it started, however
    # long it waited in the queue before.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "scanned_commit", "capability", "kit_version"],
                name="kit_build_one_per_commit_capability_and_version",
            )
        ]

    def __str__(self) -> str:
        return f"Kit {self.capability} of {self.repository} ({self.status})"
