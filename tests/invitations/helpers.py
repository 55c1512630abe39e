"""Inviting in a test, reading the link an email carries, and the audit events recorded."""

import re

from assessments.models import AuditEvent, Role
from assessments.services.invitations import invitation_create

LINK = re.compile(r"http://testserver-site/invitations/([A-Za-z0-9_-]+)/")


def invite(team, inviter, email="nadia@example.com", role=Role.MEMBER):
    return invitation_create(
        inviter=inviter, organization=team.organization, team=team, email=email, role=role
    )


def events(action):
    return list(AuditEvent.objects.filter(action=action))
