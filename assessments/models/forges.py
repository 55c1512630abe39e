"""Forges connected by an organisation's admins (a GitHub organisation or a GitLab group) and
the imports of their repositories. Only org admins see them: `access.visible_to_org_admins`."""

from django.conf import settings
from django.db import models

from .audit import OrganizationAdminOnly
from .teams import Organization


class ForgeKind(models.TextChoices):
    GITHUB = "github", "GitHub organisation"
    GITLAB = "gitlab", "GitLab group"


class ForgeConnection(OrganizationAdminOnly):
    """Where to list repositories, and the token to do it with (Fernet ciphertext, like
    repository tokens: never shown or logged)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="forge_connections"
    )
    kind = models.CharField(max_length=10, choices=ForgeKind.choices)
    api_url = models.CharField(max_length=500)
    # The GitHub organisation, or the GitLab group's path or id.
    owner = models.CharField(max_length=255)
    token_encrypted = models.TextField(blank=True)
    # The secret of the one push webhook for the whole organisation or group (Fernet
    # ciphertext); empty until an org admin sets the webhook up.
    webhook_secret_encrypted = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "owner"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "api_url", "owner"], name="forge_connected_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.owner}"


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class ForgeImport(OrganizationAdminOnly):
    """One preview, and then perhaps one run, of a connection with its mapping rules.

    The run lists the forge again and applies the same rules: what it creates is what the
    preview showed, plus repositories created on the forge in between."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="forge_imports"
    )
    connection = models.ForeignKey(
        ForgeConnection, on_delete=models.CASCADE, related_name="imports"
    )
    state = models.CharField(
        max_length=12, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    rules = models.TextField(blank=True)
    include_archived = models.BooleanField(default=False)
    include_forks = models.BooleanField(default=False)
    # Read each repository's CODEOWNERS (up to three API calls each) to map it by its team.
    read_codeowners = models.BooleanField(default=False)
    # The preview's rows (full_name, clone_url, team, action, topics, and source, rule, note:
    # what mapped it), in the forge's order.
    preview = models.JSONField(default=list, blank=True)
    # Repositories by action: create, exists, unmapped, archived, fork; `created` after a run.
    counts = models.JSONField(default=dict, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} of {self.connection} ({self.state})"
