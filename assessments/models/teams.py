"""Organisations, their teams and tags, who belongs where with which role, and the base of
every team-owned object."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class HeadlineLens(models.TextChoices):
    GOOGLE = "google", "Google's MLOps levels (0-2)"
    MICROSOFT = "microsoft", "Microsoft's MLOps maturity model (0-4)"


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The maturity model the organisation's pages lead with; the other is shown beside it.
    headline_lens = models.CharField(
        max_length=20, choices=HeadlineLens.choices, default=HeadlineLens.GOOGLE
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    # Unique across organisations so that demo and API identifiers stay unambiguous.
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The result of the team's latest submission, kept by the service that writes results, in
    # the same transaction: pages and dashboards join to it instead of searching the history.
    latest_result = models.OneToOneField(
        "Result", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The latest result's criticality, written with `latest_result`: the debt statement prices
    # every team's gaps by it, and reading it here spares reading the results of every team.
    criticality = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class TeamTag(models.Model):
    """A label such as `unit:payments` or `area:search`, for filtering dashboards."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="team_tag_once")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    LEAD = "lead", "Team lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class MembershipSource(models.TextChoices):
    MANUAL = "manual", "Given by hand"
    SSO = "sso", "Granted by a single sign-on group"


class Membership(models.Model):
    """A user's role: organisation-wide for admins, per team for everyone else.

    `source` says who keeps it: one given by hand stays until a person changes it; one granted
    by a single sign-on group rule is kept in step with the user's groups at each sign-in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    source = models.CharField(
        max_length=10, choices=MembershipSource.choices, default=MembershipSource.MANUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.ORG_ADMIN) & Q(team__isnull=True))
                | (~Q(role=Role.ORG_ADMIN) & Q(team__isnull=False)),
                name="membership_admin_is_org_wide_others_per_team",
            ),
            models.UniqueConstraint(
                fields=["user", "team"],
                condition=Q(team__isnull=False),
                name="membership_one_role_per_team",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(role=Role.ORG_ADMIN),
                name="membership_one_admin_row_per_org",
            ),
        ]

    def __str__(self) -> str:
        where = self.team or self.organization
        return f"{self.user} — {self.get_role_display()} of {where}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.team is not None and self.team.organization_id != self.organization_id:
            raise ValidationError("The team belongs to another organisation.")


class TeamOwned(models.Model):
    """Base of every object that belongs to a team; query it through `access.visible_to`.

    `team_path` is the lookup from the model to its team, for objects owned through a parent.
    Models only say whose an object is; who may see it is decided in `access.py`.
    """

    team_path = "team"

    class Meta:
        abstract = True
