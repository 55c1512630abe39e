"""Routes of the REST API under /api/v1/ (DRF router; names in the `api` namespace)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .assessments import AssessmentViewSet
from .audit import AuditEventViewSet
from .campaigns import CampaignViewSet
from .catalogue import CatalogueView
from .check_answers import AssessmentCheckAnswerViewSet
from .custom_checks import CheckSetVersionViewSet
from .exemptions import ExemptionViewSet
from .export import ExportResultsView
from .forges import ForgeConnectionViewSet, ForgeImportViewSet
from .invitations import InvitationViewSet
from .notfound import api_not_found
from .repositories import RepositoryViewSet, ScanViewSet
from .sso import GroupMappingRuleViewSet
from .teams import TeamViewSet
from .tokens import AuthTokenView

app_name = "api"

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("assessments", AssessmentViewSet, basename="assessment")
# The organisation's own questions of an assessment: /assessments/{id}/check-answers/...
router.register("assessments", AssessmentCheckAnswerViewSet, basename="assessment-checks")
router.register("repositories", RepositoryViewSet, basename="repository")
router.register("scans", ScanViewSet, basename="scan")
router.register("exemptions", ExemptionViewSet, basename="exemption")
router.register("audit", AuditEventViewSet, basename="audit")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("forges", ForgeConnectionViewSet, basename="forge")
router.register("imports", ForgeImportViewSet, basename="import")
router.register("sso-rules", GroupMappingRuleViewSet, basename="sso-rule")
router.register("check-sets", CheckSetVersionViewSet, basename="check-set")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = [
    path("catalogue/", CatalogueView.as_view(), name="catalogue"),
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("export/results/", ExportResultsView.as_view(), name="export-results"),
    *router.urls,
    # Last: any other address under /api/v1/ answers 404 in the API's error shape.
    re_path(r"^.*$", api_not_found, name="not-found"),
]
