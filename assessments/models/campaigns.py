"""Campaigns: an organisation's goal for its teams by a deadline, and the reminders sent.

Which teams a campaign applies to is computed from its tags and criticalities whenever it is
read, never stored, so a team tagged tomorrow joins it tomorrow; its progress over time is
computed from the teams' result history (maturity.campaigns).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .teams import Organization, Team, TeamOwned


class CampaignGoalKind(models.TextChoices):
    LEVEL = "level", "Reach a level"
    CAPABILITY = "capability", "Meet a capability"
    ASSESSED_SINCE = "assessed_since", "Submit an assessment"


class Campaign(models.Model):
    """Read through `access.visible_campaigns`: its organisation's admins see it, and the
    people of the teams it applies to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="campaigns"
    )
    title = models.CharField(max_length=200)
    goal_kind = models.CharField(max_length=20, choices=CampaignGoalKind.choices)
    # The level to reach (level goals) or the capability to meet (capability goals).
    goal_level = models.PositiveSmallIntegerField(null=True, blank=True)
    goal_capability = models.CharField(max_length=80, blank=True)
    # The teams it applies to: any of these tags, and any of these criticalities; empty lists
    # ask nothing, so a campaign naming neither applies to every team of the organisation.
    scope_tags = models.JSONField(default=list, blank=True)
    scope_criticalities = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField()
    # The last day to reach the goal; teams not done the day after are late.
    deadline = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["organization", "archived_at"], name="campaign_org_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("starts_on")),
                name="campaign_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=Q(goal_kind="level", goal_level__in=[1, 2])
                | Q(goal_kind="capability") & ~Q(goal_capability="")
                | Q(goal_kind="assessed_since"),
                name="campaign_goal_has_its_parameter",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before_deadline", "Before the deadline"
    LATE = "late", "Late"


class CampaignReminder(TeamOwned):
    """One reminder e-mailed to a team's leads. The row is written before the e-mail is sent,
    in the same transaction, and is unique per campaign, team, kind and period: of two workers
    running the periodic task at once, only the one whose row went in sends."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    # The ISO week the reminder is for, e.g. "2026-W14".
    period = models.CharField(max_length=10)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "team", "kind", "period"], name="campaign_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.kind} reminder to {self.team} ({self.period})"
