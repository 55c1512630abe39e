"""Forge connections and imports (org admins only): connect a GitHub organisation or a GitLab
group (the token is write-only), preview an import with mapping rules (creates nothing), run
it, and follow the first scans of the repositories it connected.

Both are records of an organisation's administration: other people, including the teams' own
members, see none of them (404 on detail routes, empty lists), like rows that do not exist.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import signed_in
from ..models import ForgeConnection, ForgeImport, ForgeKind, ImportState, Organization
from ..services.forges import forge_connect, forge_import_start, forge_preview
from .base import TeamScopedViewSet
from .serializers.fields import related_choices_limit


class ForgeConnectionSerializer(serializers.ModelSerializer[ForgeConnection]):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        error_messages={
            "does_not_exist": "There is no organisation with id {pk_value} that you administer.",
            "incorrect_type": "Give the organisation's id as a number.",
        },
    )
    kind = serializers.ChoiceField(choices=ForgeKind.choices)
    api_url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="The forge's API address; empty for https://api.github.com or "
        "https://gitlab.com/api/v4. Checked like repository URLs (https, public addresses).",
    )
    token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        style={"input_type": "password"},
        help_text="A read-only token that can list the repositories; stored encrypted, never "
        "shown again, and given to the repositories the imports connect (to clone them).",
    )
    has_token = serializers.SerializerMethodField()

    class Meta:
        model = ForgeConnection
        fields = [
            "id",
            "organization",
            "kind",
            "api_url",
            "owner",
            "token",
            "has_token",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "owner": {
                "help_text": "The GitHub organisation, or the GitLab group's path or id.",
                "validators": [],
            }
        }
        validators: list[Callable[..., object]] = []

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            related_choices_limit(self, "organization", organizations)

    def get_has_token(self, connection: ForgeConnection) -> bool:
        return bool(connection.token_encrypted)


class ProgressSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Repositories the import connected.")
    waiting = serializers.IntegerField(help_text="Waiting for their first scan to be released.")
    queued = serializers.IntegerField()
    running = serializers.IntegerField()
    scanned = serializers.IntegerField()
    failed = serializers.IntegerField()


class ImportRowSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField()
    clone_url = serializers.CharField()
    team = serializers.CharField(allow_null=True, help_text="The team slug a rule mapped it to.")
    action = serializers.ChoiceField(
        choices=["create", "exists", "unmapped", "archived", "fork", "created", "refused"],
        help_text="Preview: create, exists, unmapped, archived, fork. After the run: created, "
        "exists, refused (with `reason`), or the same skips.",
    )
    topics = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField(required=False)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # DRF moves declared fields out of the class
        choices=["manual", "codeowners", "rule", ""],
        required=False,
        help_text="What mapped it: a `repo:` rule (manual), its CODEOWNERS, or another rule; "
        "empty when nothing did.",
    )
    rule = serializers.CharField(
        required=False,
        help_text="Which rule, in words, e.g. `.github/CODEOWNERS line 3: @acme/fraud`, "
        "`Rule line 2: topic:fraud`, `Manual (rules line 1)`.",
    )
    note = serializers.CharField(
        required=False, help_text="Why its CODEOWNERS did not map it, when it has one."
    )


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "description": "Repositories by action (create, exists, unmapped, archived, fork; "
        "after the run: listed, created, refused).",
    }
)
class CountsField(serializers.JSONField):
    pass


class ForgeImportSerializer(serializers.ModelSerializer[ForgeImport]):
    state = serializers.ChoiceField(choices=ImportState.choices, read_only=True)
    counts = CountsField(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ForgeImport
        fields = [
            "id",
            "organization",
            "connection",
            "state",
            "rules",
            "include_archived",
            "include_forks",
            "read_codeowners",
            "counts",
            "api_calls",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, forge_import: ForgeImport) -> dict[str, int]:
        return selectors.import_progress(forge_import)


class ForgeImportDetailSerializer(ForgeImportSerializer):
    repositories = ImportRowSerializer(source="preview", many=True, read_only=True)

    class Meta(ForgeImportSerializer.Meta):
        fields = [*ForgeImportSerializer.Meta.fields, "repositories"]
        read_only_fields = fields


class ForgeImportCreateSerializer(serializers.Serializer[Any]):
    connection = serializers.PrimaryKeyRelatedField(
        queryset=ForgeConnection.objects.none(),
        error_messages={
            "does_not_exist": "There is no forge connection with id {pk_value} that you "
            "administer.",
            "incorrect_type": "Give the connection's id as a number.",
        },
    )
    rules = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="Mapping rules, one a line: `repo:acme/x = team`, `topic:fraud = team`, "
        "`name:fraud-* = team`, `regex:^acme/search = team`, and `owners:@acme/ds = team` to "
        "link a CODEOWNERS team whose slug differs from the team's.",
    )
    include_archived = serializers.BooleanField(required=False, default=False)
    include_forks = serializers.BooleanField(required=False, default=False)
    read_codeowners = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Map a repository by the team its CODEOWNERS names for `*` (up to three API "
        "calls per repository; a preview reads the first 200).",
    )

    def __init__(
        self, *args: Any, connections: QuerySet[ForgeConnection] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if connections is not None:
            related_choices_limit(self, "connection", connections)


@extend_schema_view(
    create=extend_schema(
        description="Connect a GitHub organisation or a GitLab group (org admins). The token "
        "is write-only."
    ),
)
class ForgeConnectionViewSet(
    TeamScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Forges connected by the organisations you administer."""

    serializer_class = ForgeConnectionSerializer
    queryset = ForgeConnection.objects.none()  # for the schema; rows: get_base_queryset()

    def get_base_queryset(self) -> QuerySet[ForgeConnection]:
        return selectors.forge_connection_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ForgeConnectionSerializer(
            data=request.data,
            organizations=selectors.organizations_administered(user=request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        connection = forge_connect(
            organization=data["organization"],
            user=signed_in(request.user),
            kind=data["kind"],
            owner=data["owner"],
            token=data.get("token", ""),
            api_url=data.get("api_url", ""),
        )
        url = reverse("api:forge-detail", kwargs={"pk": connection.pk}, request=request)
        return Response(
            ForgeConnectionSerializer(connection).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": url},
        )


@extend_schema_view(
    list=extend_schema(description="Previews and imports, newest first (org admins)."),
    retrieve=extend_schema(
        description="One import with every repository and what it does with it, and the "
        "progress of the first scans of the repositories it connected."
    ),
    create=extend_schema(
        request=ForgeImportCreateSerializer,
        responses={201: ForgeImportDetailSerializer},
        description="Preview an import: the forge is listed and each repository mapped to a "
        "team by the rules; nothing is connected until `run`.",
    ),
)
class ForgeImportViewSet(
    TeamScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Imports of forge repositories in the organisations you administer."""

    queryset = ForgeImport.objects.none()  # for the schema; rows: get_base_queryset()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return ForgeImportSerializer
        return ForgeImportDetailSerializer

    def get_base_queryset(self) -> QuerySet[ForgeImport]:
        return selectors.forge_import_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        connections = selectors.forge_connection_list_for_user(user=request.user)
        serializer = ForgeImportCreateSerializer(data=request.data, connections=connections)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preview = forge_preview(
            connection=data["connection"],
            user=signed_in(request.user),
            rules=data["rules"],
            include_archived=data["include_archived"],
            include_forks=data["include_forks"],
            read_codeowners=data["read_codeowners"],
        )
        url = reverse("api:import-detail", kwargs={"pk": preview.pk}, request=request)
        return Response(
            ForgeImportDetailSerializer(preview).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": url},
        )

    @extend_schema(
        request=None,
        responses={202: ForgeImportSerializer},
        description="Run a previewed import: the forge is listed again and the mapped "
        "repositories not connected yet are connected; their first scans are released a few "
        "per organisation at a time. 400 when the import has already run.",
    )
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        forge_import = self.get_object()
        forge_import = forge_import_start(forge_import=forge_import, user=signed_in(request.user))
        url = reverse("api:import-detail", kwargs={"pk": forge_import.pk}, request=request)
        return Response(
            ForgeImportSerializer(forge_import).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )
