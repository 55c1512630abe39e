"""Single sign-on: which provider account is which user, and the rules that turn a provider's
groups into organisation and team memberships."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .audit import OrganizationAdminOnly
from .teams import Organization, Role, Team


class SsoIdentity(models.Model):
    """The provider account (issuer and subject, which never change) a user signs in as."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} = {self.subject}@{self.issuer}"


class GroupMappingRule(OrganizationAdminOnly):
    """Members of the provider group `group` (exact name) get `role` in `team`, or across the
    organisation when `team` is empty (org admins, as for memberships)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sso_rules"
    )
    group = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="sso_rules"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.ORG_ADMIN) & Q(team__isnull=True))
                | (~Q(role=Role.ORG_ADMIN) & Q(team__isnull=False)),
                name="sso_rule_admin_is_org_wide_others_per_team",
            ),
            models.UniqueConstraint(
                fields=["organization", "group", "team"],
                name="sso_rule_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["organization", "group"],
                condition=Q(team__isnull=True),
                name="sso_rule_once_per_org",
            ),
        ]
        indexes = [models.Index(fields=["group"], name="sso_rule_group")]

    def __str__(self) -> str:
        where = self.team or self.organization
        return f"{self.group} → {self.get_role_display()} of {where}"
