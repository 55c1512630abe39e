"""Reads of single sign-on's group rules: only the admins of an organisation read its rules
(`access.visible_to_org_admins`)."""

from django.db.models import QuerySet

from ..access import UserOrAnonymous, visible_to_org_admins
from ..models import GroupMappingRule, Team
from .organizations import organizations_administered


def teams_administered_by(*, user: UserOrAnonymous) -> QuerySet[Team]:
    """The teams of the organisations the user administers, by organisation and name."""
    return (
        Team.objects.filter(organization__in=organizations_administered(user=user))
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
