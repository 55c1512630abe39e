"""Reads of single sign-on's group rules: only the admins of an organisation read its rules
(`access.visible_to_org_admins`)."""

from django.db.models import QuerySet

from ..access import UserOrAnonymous, administered_organization_ids, visible_to_org_admins
from ..models import GroupMappingRule, Organization, Team


def organizations_administered_by(*, user: UserOrAnonymous) -> QuerySet[Organization]:
    """The organisations the user administers (every one for a superuser), by name."""
    administered = administered_organization_ids(user)
    organizations = Organization.objects.order_by("name")
    if administered is not None:
        organizations = organizations.filter(id__in=administered)
    return organizations


def teams_administered_by(*, user: UserOrAnonymous) -> QuerySet[Team]:
    """The teams of the organisations the user administers, by organisation and name."""
    return (
        Team.objects.filter(organization__in=organizations_administered_by(user=user))
        .select_related("organization")
        .order_by("organization__name", "name")
    )


def group_mapping_rule_list() -> QuerySet[GroupMappingRule]:
    """Every rule with its organisation and team, before tenancy: the caller narrows them to a
    user (the API's TeamScoped views do)."""
    return GroupMappingRule.objects.select_related("organization", "team").order_by(
        "organization__name", "group", "team__name", "id"
    )


def group_mapping_rules_for_user(*, user: UserOrAnonymous) -> QuerySet[GroupMappingRule]:
    """The rules of the organisations the user administers; none for anyone else."""
    return visible_to_org_admins(group_mapping_rule_list(), user)
