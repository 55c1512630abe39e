"""Turning a team's maturity badge on and off. A lead or an org admin decides, and the audit
log says who did."""

import secrets

from django.contrib.auth.models import User
from django.db import transaction

from ..access import require_manage_team
from ..models import AuditAction, Team, TeamBadge
from .audit import audit_record

# 256 random bits: the URL is the only thing between a stranger and the team's two figures.
TOKEN_BYTES = 32


@transaction.atomic
def badge_enable(*, team: Team, actor: User) -> TeamBadge:
    """Turn the badge on, or keep the one that is on (its URL may already be in a README)."""
    require_manage_team(actor, team, to="turn the maturity badge on")
    badge, created = TeamBadge.objects.get_or_create(
        team=team,
        defaults={"token": secrets.token_urlsafe(TOKEN_BYTES), "created_by": actor},
    )
    if created:
        audit_record(
            organization=team.organization,
            team=team,
            actor=actor,
            action=AuditAction.BADGE_ENABLED,
            target=badge,
            details={},
        )
    return badge


@transaction.atomic
def badge_disable(*, team: Team, actor: User) -> bool:
    """Turn the badge off: its URL answers 404 from now on. Returns whether it was on."""
    require_manage_team(actor, team, to="turn the maturity badge off")
    badge = TeamBadge.objects.filter(team=team).first()
    if badge is None:
        return False
    audit_record(
        organization=team.organization,
        team=team,
        actor=actor,
        action=AuditAction.BADGE_DISABLED,
        target=badge,
        details={},
    )
    badge.delete()
    return True
