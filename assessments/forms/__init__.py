"""Browser forms, one module per area (as the views); pages import them from here."""

from .accounts import LoginForm, StyledPasswordChangeForm
from .audit import AuditFilterForm
from .campaigns import CampaignForm
from .choices import criticality_choices
from .custom_checks import CHECK_SET_MAX_BYTES, CheckSetImportForm
from .exemptions import SUGGESTED_EXEMPTION, ExemptionDecisionForm, ExemptionRequestForm
from .forges import ForgeConnectForm, ForgePreviewForm
from .invitations import InvitationForm, InvitationSignupForm, OrganizationInvitationForm
from .organizations import HeadlineLensForm
from .repositories import HOLDS_HELP, RepositoryConnectForm, RepositoryHoldsForm
from .sso import GroupMappingRuleForm
from .styled import StyledControls

__all__ = [
    "CHECK_SET_MAX_BYTES",
    "HOLDS_HELP",
    "SUGGESTED_EXEMPTION",
    "AuditFilterForm",
    "CampaignForm",
    "CheckSetImportForm",
    "ExemptionDecisionForm",
    "ExemptionRequestForm",
    "ForgeConnectForm",
    "ForgePreviewForm",
    "GroupMappingRuleForm",
    "HeadlineLensForm",
    "InvitationForm",
    "InvitationSignupForm",
    "LoginForm",
    "OrganizationInvitationForm",
    "RepositoryConnectForm",
    "RepositoryHoldsForm",
    "StyledControls",
    "StyledPasswordChangeForm",
    "criticality_choices",
]
