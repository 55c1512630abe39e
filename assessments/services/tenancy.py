from django.db import transaction

from ..models import Membership, Organization, Role, Team


@transaction.atomic
def organization_get_or_create(*, slug: str, name: str) -> Organization:
    organization, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    if created:
        organization.full_clean()
    return organization


@transaction.atomic
def team_get_or_create(
    *, organization: Organization, slug: str, name: str, description: str = ""
) -> Team:
    team, created = Team.objects.get_or_create(
        slug=slug,
        defaults={"organization": organization, "name": name, "description": description},
    )
    if created:
        team.full_clean()
    return team


@transaction.atomic
def membership_set(*, user, role: str, organization: Organization, team: Team | None = None):
    """Give the user one role: org-wide for admins, per team otherwise (replacing the old one)."""
    if role == Role.ORG_ADMIN:
        membership, _ = Membership.objects.get_or_create(
            user=user, organization=organization, role=Role.ORG_ADMIN
        )
        return membership
    membership, _ = Membership.objects.update_or_create(
        user=user, team=team, defaults={"organization": team.organization, "role": role}
    )
    membership.full_clean()
    return membership
