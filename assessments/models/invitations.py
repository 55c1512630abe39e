"""Invitations by email, for organisations without single sign-on."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .teams import Organization, Role, Team


class DeliveryState(models.TextChoices):
    """Where the invitation's email is: queued for the worker, sent, being retried after a
    transient failure of the mail server, or failed for good (the inviter resends it)."""

    QUEUED = "queued", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Not delivered"


class Invitation(models.Model):
    """An invitation to join a team with a role, or the organisation as an admin (no team).

    Only the SHA-256 of the token is stored, as for API tokens: the token travels in the email's
    link and nowhere else. Pending means neither accepted nor revoked; a pending invitation may
    still have expired. One pending invitation per address and team (or organisation).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # Stored lower-cased, so that one address is one invitation whatever its spelling.
    email = models.EmailField(max_length=254)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # When the latest email was asked for (the invitation made, renewed or resent): resending
    # is refused for a while after it (services/invitations.invitation_resend_available_at).
    send_requested_at = models.DateTimeField(null=True, blank=True)
    # The last time the email went out, and why the last attempt failed (empty once it worked).
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True)
    delivery_state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.ORG_ADMIN) & Q(team__isnull=True))
                | (~Q(role=Role.ORG_ADMIN) & Q(team__isnull=False)),
                name="invitation_admin_is_org_wide_others_per_team",
            ),
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=Q(team__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_team",
            ),
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(team__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "created_at"], name="invitation_org")]

    def __str__(self) -> str:
        where = self.team or self.organization
        return f"{self.email} as {self.get_role_display()} of {where}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
