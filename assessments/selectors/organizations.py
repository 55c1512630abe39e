"""Reads of organisations as their admins reach them (`access.administered_organization_ids`)."""

from django.db.models import QuerySet

from ..access import UserOrAnonymous, administered_organization_ids
from ..models import Organization


def organizations_administered(*, user: UserOrAnonymous) -> QuerySet[Organization]:
    """The organisations the user administers (every one for a superuser), by name: where
    they start campaigns, invite admins, connect forges and import repositories."""
    administered = administered_organization_ids(user)
    organizations = Organization.objects.order_by("name", "id")
    if administered is None:
        return organizations
    return organizations.filter(pk__in=administered)
