"""Reads of the audit log: only the admins of an organisation read its events
(`access.visible_to_org_admins`); a team's own people do not."""

from datetime import datetime

from django.db.models import QuerySet

from ..access import UserOrAnonymous, administered_organization_ids, visible_to_org_admins
from ..models import AuditEvent, Team


def audit_event_list(
    *, team_id: int | None = None, action: str | None = None, since: datetime | None = None
) -> QuerySet[AuditEvent]:
    """Events (of one team, of one action, from `since` on), newest first, with who and where,
    before tenancy: the caller narrows them to a user (the API's TeamScoped views do)."""
    events = AuditEvent.objects.all()
    if team_id is not None:
        events = events.filter(team_id=team_id)
    if action is not None:
        events = events.filter(action=action)
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events.select_related("organization", "team", "actor").order_by("-created_at", "-id")


def audit_events_for_user(
    *,
    user: UserOrAnonymous,
    team: Team | None = None,
    action: str | None = None,
    since: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The events of the organisations the user administers (of one team, of one action),
    newest first; none for anyone else."""
    return visible_to_org_admins(
        audit_event_list(team_id=team.pk if team is not None else None, action=action, since=since),
        user,
    )


def audit_teams_for_user(*, user: UserOrAnonymous) -> QuerySet[Team]:
    """The teams whose events the user reads (of the organisations they administer), for the
    log's team filter."""
    teams = Team.objects.select_related("organization").order_by("organization__name", "name")
    administered = administered_organization_ids(user)
    return teams if administered is None else teams.filter(organization_id__in=administered)
