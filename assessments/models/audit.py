"""The audit log: who changed what in an organisation, written by the services that make the
change, in the same transaction, and never changed afterwards."""

from django.conf import settings
from django.db import models

from .teams import Organization, Team


class AuditAction(models.TextChoices):
    MEMBERSHIP_ADDED = "membership.added", "Added a member"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", "Changed a member's role"
    MEMBERSHIP_REMOVED = "membership.removed", "Removed a member"
    INVITATION_SENT = "invitation.sent", "Sent an invitation"
    INVITATION_REVOKED = "invitation.revoked", "Revoked an invitation"
    INVITATION_ACCEPTED = "invitation.accepted", "Accepted an invitation"
    INVITATION_DELIVERY_FAILED = (
        "invitation.delivery_failed",
        "An invitation's email was not delivered",
    )
    MEMBERSHIP_GRANTED_BY_SSO = "membership.granted_by_sso", "Added a member from an SSO group"
    MEMBERSHIP_REMOVED_BY_SSO = (
        "membership.removed_by_sso",
        "Removed a member who left an SSO group",
    )
    SSO_RULE_ADDED = "sso_rule.added", "Added an SSO group rule"
    SSO_RULE_DELETED = "sso_rule.deleted", "Deleted an SSO group rule"
    EXEMPTION_REQUESTED = "exemption.requested", "Asked for an exemption"
    EXEMPTION_APPROVED = "exemption.approved", "Approved an exemption"
    EXEMPTION_REJECTED = "exemption.rejected", "Rejected an exemption"
    EXEMPTION_WITHDRAWN = "exemption.withdrawn", "Withdrew an exemption request"
    REPOSITORY_CONNECTED = "repository.connected", "Connected a repository"
    REPOSITORY_REMOVED = "repository.removed", "Disconnected a repository"
    TOKEN_CREATED = "token.created", "Created an API token"
    TOKEN_REVOKED = "token.revoked", "Revoked an API token"
    BADGE_ENABLED = "badge.enabled", "Turned the maturity badge on"
    BADGE_DISABLED = "badge.disabled", "Turned the maturity badge off"
    CAMPAIGN_CREATED = "campaign.created", "Started a campaign"
    CAMPAIGN_CHANGED = "campaign.changed", "Changed a campaign"
    CAMPAIGN_ARCHIVED = "campaign.archived", "Archived a campaign"
    FORGE_CONNECTED = "forge.connected", "Connected a forge"
    IMPORT_RAN = "import.ran", "Imported a forge's repositories"
    FORGE_WEBHOOK_SECRET_SET = "forge.webhook_secret_set", "Set a forge's webhook secret"
    CHECK_SET_IMPORTED = "check_set.imported", "Imported the organisation's checks"
    HEADLINE_LENS_CHANGED = "organization.headline_lens_changed", "Changed the headline model"


class OrganizationAdminOnly(models.Model):
    """Base of records only the admins of their organisation read, not even the team's own
    people: query it through `access.visible_to_org_admins`. `organization_path` is the lookup
    from the model to its organisation."""

    organization_path = "organization"

    class Meta:
        abstract = True


class AuditEvent(OrganizationAdminOnly):
    """One change: who (null for the system, or an account since deleted), what, when.

    Append-only: `services.audit.audit_record` is the one writer and nothing updates a row.
    `details` holds a few facts about the change (old and new role, capability, repository
    address), never a secret or a token. The target is named by type and id rather than by
    foreign key, so an event outlives what it describes (a disconnected repository).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="audit_org_created"),
        ]

    def __str__(self) -> str:
        who = self.actor or "system"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.action} {self.object_type}"
