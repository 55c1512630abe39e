"""An organisation's own checks ("scorecards as code"): its versions, the current one as JSON
or YAML, and importing a new version. Org admins only, for the organisations they administer;
the same service as the /organisation/checks/ page, with the same checks and audit records."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import UserOrAnonymous, signed_in
from ..maturity.custom_checks import MAX_TEXT_BYTES
from ..models import CheckSetVersion, Organization
from ..services.custom_checks import check_set_import
from .base import TeamScopedViewSet
from .permissions import OrgAdminsOnly
from .serializers.fields import related_choices_limit


class OrgAdminsManageChecks(OrgAdminsOnly):
    message = "Only org admins manage the organisation's own checks."


class CheckSetVersionSerializer(serializers.ModelSerializer[CheckSetVersion]):
    created_by = serializers.SerializerMethodField(
        help_text="The username of who imported it; null for a deleted account."
    )
    checks = serializers.SerializerMethodField(help_text="The checks, as in the YAML.")
    yaml = serializers.CharField(source="yaml_text", help_text="The version's YAML export.")

    class Meta:
        model = CheckSetVersion
        fields = [
            "id",
            "organization",
            "number",
            "counts_towards_levels",
            "checks",
            "yaml",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_created_by(self, version: CheckSetVersion) -> str | None:
        return version.created_by.get_username() if version.created_by else None

    def get_checks(self, version: CheckSetVersion) -> list[dict[str, Any]]:
        return list(version.document.get("checks", []))


class CheckSetImportSerializer(serializers.Serializer[Any]):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), help_text="An organisation you administer."
    )
    yaml = serializers.CharField(
        max_length=MAX_TEXT_BYTES,
        trim_whitespace=False,
        help_text="The whole check set as YAML; it becomes the next version.",
    )

    def __init__(self, *args: Any, user: UserOrAnonymous | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            related_choices_limit(
                self, "organization", selectors.organizations_administered(user=user)
            )


ORGANIZATION_PARAMETER = OpenApiParameter(
    "organization",
    OpenApiTypes.INT,
    description="The organisation's id; may be left out when you administer only one.",
)


@extend_schema_view(
    list=extend_schema(
        description="Every version of the check sets of the organisations you administer, "
        "newest first."
    ),
    retrieve=extend_schema(description="One version, with its checks and its YAML."),
)
class CheckSetVersionViewSet(TeamScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The organisation's own checks, one immutable version per import."""

    serializer_class = CheckSetVersionSerializer
    permission_classes = [IsAuthenticated, OrgAdminsManageChecks]
    queryset = CheckSetVersion.objects.none()  # for the schema

    def get_base_queryset(self) -> QuerySet[CheckSetVersion]:
        return selectors.check_set_version_list()

    @extend_schema(
        request=CheckSetImportSerializer,
        responses={
            201: CheckSetVersionSerializer,
            200: OpenApiResponse(
                CheckSetVersionSerializer,
                description="The YAML says what the current version says: nothing was added.",
            ),
        },
        description=(
            "Import a check set (org admins): it becomes the next version, applied by every "
            "scan from now on. A refusal is a 400 whose `problems` list every problem, each "
            "naming its line; nothing is saved."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CheckSetImportSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        version, created = check_set_import(
            organization=serializer.validated_data["organization"],
            yaml_text=serializer.validated_data["yaml"],
            actor=signed_in(request.user),
        )
        url = reverse("api:check-set-detail", kwargs={"pk": version.pk}, request=request)
        return Response(
            CheckSetVersionSerializer(version).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": url},
        )

    def _current(self) -> CheckSetVersion:
        raw = self.request.query_params.get("organization")
        if raw is not None and not (raw.isascii() and raw.isdigit()):
            raise Http404("No organisation you administer has this id.")
        try:
            current = selectors.check_set_current_for_user(
                user=self.request.user, organization_id=None if raw is None else int(raw)
            )
        except selectors.SeveralOrganizations:
            raise Http404(
                "You administer several organisations: say which with ?organization=."
            ) from None
        if current is None:
            raise Http404("The organisation has no check set yet.")
        return current

    @extend_schema(
        parameters=[ORGANIZATION_PARAMETER],
        responses=CheckSetVersionSerializer,
        description="The current version (the one scans apply); 404 before the first import.",
    )
    @action(detail=False, methods=["get"])
    def current(self, request: Request) -> Response:
        return Response(CheckSetVersionSerializer(self._current()).data)

    @extend_schema(
        parameters=[ORGANIZATION_PARAMETER],
        responses={(200, "application/yaml"): OpenApiTypes.STR},
        description="The current version's YAML, to keep in a repository and import back.",
    )
    @action(detail=False, methods=["get"], url_path="current/yaml", url_name="current-yaml")
    def current_yaml(self, request: Request) -> HttpResponse:
        current = self._current()
        return HttpResponse(current.yaml_text, content_type="application/yaml; charset=utf-8")
