"""Persistence only: tables and constraints, one module per subject. Who may see what is
decided in `access.py`, never here."""

from .assessments import Answer, Assessment, AssessmentStatus, needs_confirmation
from .audit import AuditAction, AuditEvent, OrganizationAdminOnly
from .badges import TeamBadge
from .campaigns import Campaign, CampaignGoalKind, CampaignReminder, ReminderKind
from .custom_checks import CheckAnswer, CheckSetVersion, RepositoryCheckOutcome
from .exemptions import Exemption, ExemptionStatus
from .forges import ForgeConnection, ForgeImport, ForgeKind, ImportState
from .invitations import DeliveryState, Invitation
from .kits import KitBuild, KitBuildStatus
from .repositories import Repository, Scan, ScanStatus
from .results import (
    LATEST_RESULT_COPIES,
    LatestResult,
    OrganizationMonth,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
)
from .sso import GroupMappingRule, SsoIdentity
from .teams import (
    HeadlineLens,
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
    "LATEST_RESULT_COPIES",
    "Answer",
    "ApiToken",
    "Assessment",
    "AssessmentStatus",
    "AuditAction",
    "HeadlineLens",
    "AuditEvent",
    "Campaign",
    "CheckAnswer",
    "CheckSetVersion",
    "CampaignReminder",
    "Exemption",
    "ExemptionStatus",
    "CampaignGoalKind",
    "DeliveryState",
    "Invitation",
    "KitBuild",
    "KitBuildStatus",
    "ForgeConnection",
    "ForgeImport",
    "ForgeKind",
    "ImportState",
    "GroupMappingRule",
    "Membership",
    "MembershipSource",
    "Organization",
    "OrganizationAdminOnly",
    "LatestResult",
    "OrganizationMonth",
    "ReminderKind",
    "Repository",
    "RepositoryCheckOutcome",
    "Result",
    "ResultCapability",
    "RoadmapStep",
    "RoadmapStepStatus",
    "Role",
    "Scan",
    "ScanStatus",
    "SsoIdentity",
    "Team",
    "TeamBadge",
    "TeamOwned",
    "TeamTag",
    "needs_confirmation",
]
