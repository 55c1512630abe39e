"""Writing the audit log. The services that change memberships, exemptions, repositories and
tokens call `audit_record` inside their own transaction, so an event exists exactly when its
change was committed: a refused or failed change leaves none."""

from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction

from ..models import AuditAction, AuditEvent, Organization, Team

# Details are a few facts for a reader of the log, not a copy of the object.
DETAILS_MAX_KEYS = 8


def audit_record(
    *,
    organization: Organization,
    team: Team | None = None,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    details: dict[str, Any],
) -> AuditEvent:
    """Record that `actor` (None: the system) did `action` to `target`; call it inside the
    transaction that makes the change. `details` must hold no secret: it is shown to org admins
    and exported through the API."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run in the transaction of the change it records")
    if len(details) > DETAILS_MAX_KEYS:
        raise ValueError(f"audit details take at most {DETAILS_MAX_KEYS} facts")
    return AuditEvent.objects.create(
        organization=organization,
        team=team,
        actor=actor,
        action=action,
        object_type=target._meta.model_name or type(target).__name__.lower(),
        object_id=str(target.pk),
        details=details,
    )
