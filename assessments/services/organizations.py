"""Settings an organisation's admins choose for the whole organisation."""

from django.contrib.auth.models import User
from django.db import transaction

from ..access import is_admin_of_organization
from ..errors import ActionNotAllowed, ApplicationError
from ..models import AuditAction, HeadlineLens, Organization
from .audit import audit_record


def organization_headline_lens_set(
    *, organization: Organization, headline_lens: str, actor: User | None
) -> bool:
    """Choose the maturity model the organisation's pages lead with; the other stays beside it.
    Returns whether anything changed (choosing the current one again records nothing)."""
    if actor is not None and not is_admin_of_organization(actor, organization.pk):
        raise ActionNotAllowed(
            "Only org admins change the organisation's settings: they apply to every team."
        )
    if headline_lens not in HeadlineLens.values:
        raise ApplicationError("Choose Google's levels or Microsoft's maturity model.")
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        previous = locked.headline_lens
        if previous == headline_lens:
            return False
        locked.headline_lens = headline_lens
        locked.full_clean()
        locked.save(update_fields=["headline_lens"])
        audit_record(
            organization=locked,
            actor=actor,
            action=AuditAction.HEADLINE_LENS_CHANGED,
            target=locked,
            details={"from": previous, "to": headline_lens},
        )
    organization.headline_lens = headline_lens
    return True
