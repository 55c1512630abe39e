"""Persistence only: tables and constraints, one module per subject. Who may see what is
decided in `access.py`, never here."""

from .assessments import Answer, Assessment, AssessmentStatus, needs_confirmation
from .audit import AuditAction, AuditEvent, OrganizationAdminOnly
from .exemptions import Exemption, ExemptionStatus
from .repositories import Repository, Scan, ScanStatus
from .results import Result, ResultCapability, RoadmapStep, RoadmapStepStatus
from .sso import GroupMappingRule, SsoIdentity
from .teams import (
    Membership,
    MembershipSource,
    Organization,
    Role,
    Team,
    TeamOwned,
    TeamTag,
)
from .tokens import ApiToken

__all__ = [
    "Answer",
    "ApiToken",
    "Assessment",
    "AssessmentStatus",
    "AuditAction",
    "AuditEvent",
    "Exemption",
    "ExemptionStatus",
    "GroupMappingRule",
    "Membership",
    "MembershipSource",
    "Organization",
    "OrganizationAdminOnly",
    "Repository",
    "Result",
    "ResultCapability",
    "RoadmapStep",
    "RoadmapStepStatus",
    "Role",
    "Scan",
    "ScanStatus",
    "SsoIdentity",
    "Team",
    "TeamOwned",
    "TeamTag",
    "needs_confirmation",
]
