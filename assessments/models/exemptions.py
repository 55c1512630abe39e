"""Exemptions from a capability: asked by a team, decided by an org admin."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from .teams import Team, TeamOwned


class ExemptionStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Exemption(TeamOwned):
    """A team's request to be exempted from a capability until a date, and its decision.

    Whether an approved exemption is still in force is read from `expires_on` against today's
    date when it is used, so expiry needs no job and no status change. The team's stored
    results never change: an exemption only adds a second reading beside them.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="exemptions")
    capability_key = models.CharField(max_length=80)
    reason = models.TextField(max_length=2000)
    # The last day the exemption is in force.
    expires_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ExemptionStatus.choices, default=ExemptionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    # Who approved, rejected or withdrew it, and when; empty while it waits for a decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["team", "status", "expires_on"], name="exemption_team_status_expiry"
            )
        ]
        constraints = [
            # One request at a time per capability: a second would split the review.
            models.UniqueConstraint(
                fields=["team", "capability_key"],
                condition=Q(status="requested"),
                name="exemption_one_open_request_per_capability",
            ),
            models.CheckConstraint(
                condition=Q(status="requested", decided_at__isnull=True)
                | (~Q(status="requested") & Q(decided_at__isnull=False)),
                name="exemption_decided_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected", "withdrawn"]),
                name="exemption_status_known",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="exemption_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.capability_key} until {self.expires_on} ({self.status})"

    def is_active_on(self, day: datetime.date) -> bool:
        """Approved and not expired on `day`: the one rule for "in force"."""
        return self.status == ExemptionStatus.APPROVED and self.expires_on >= day
