"""Repositories (create = connect; the access token is write-only) and their scans.

A scan answers its status and, once finished, `report`: the same JSON as the `scan_repo` CLI.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import can_manage_team, signed_in, visible_teams
from ..errors import ActionNotAllowed
from ..kits import Kit, as_patch, kit_steps
from ..models import KitBuildStatus, Repository, Scan, ScanStatus, Team
from ..services.kits import KIT_RETRY_SECONDS, kit_build_request
from ..services.repositories import repository_connect, repository_disconnect
from ..services.scans import scan_enqueue
from .base import TeamScopedViewSet
from .exceptions import error_body
from .pagination import ApiPagination
from .permissions import TeamManagerCanWrite
from .serializers.fields import related_choices_limit


class ScanSummarySerializer(serializers.ModelSerializer[Scan]):
    class Meta:
        model = Scan
        fields = ["id", "status", "trigger", "commit", "queued_at", "finished_at"]
        read_only_fields = fields


class ScanSerializer(serializers.ModelSerializer[Scan]):
    class Meta:
        model = Scan
        fields = [
            "id",
            "repository",
            "status",
            "trigger",
            "commit",
            "scanner_version",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "failure_reason",
            "same_as",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "same_as": {"help_text": "For an unchanged commit: the scan whose result stands."}
        }


class KitFileSerializer(serializers.Serializer[Any]):
    path = serializers.CharField()
    added = serializers.BooleanField(help_text="A new file; false: a file of the commit, changed.")
    content = serializers.CharField(help_text="The file's text once the patch is applied.")


class KitPendingSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(help_text='"preparing" until the kit is built.')
    detail = serializers.CharField()


# How long a client waits before asking again for a kit being prepared.
KIT_POLL_SECONDS = 3


class KitSerializer(serializers.Serializer[Any]):
    step = serializers.CharField(help_text="The capability key of the roadmap step.")
    title = serializers.CharField()
    commit = serializers.CharField(help_text="The commit the patch applies to.")
    files = KitFileSerializer(many=True)
    does = serializers.ListField(child=serializers.CharField())
    does_not = serializers.ListField(child=serializers.CharField())
    patch = serializers.CharField(help_text="A unified diff in git's format, for `git apply`.")


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": True,
        "description": "The scan_repo CLI's JSON report; null until the scan has finished.",
    }
)
class ReportField(serializers.JSONField):
    pass


class ScanDetailSerializer(ScanSerializer):
    report = ReportField(read_only=True)

    class Meta(ScanSerializer.Meta):
        fields = [*ScanSerializer.Meta.fields, "report"]
        read_only_fields = fields


class RepositorySerializer(serializers.ModelSerializer[Repository]):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        error_messages={
            "does_not_exist": "There is no team with id {pk_value} that you can see.",
            "incorrect_type": "Give the team's id as a number.",
        },
    )
    access_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        style={"input_type": "password"},
        help_text="For private repositories; stored encrypted, never shown again.",
    )
    holds = serializers.ListField(
        child=serializers.CharField(max_length=80),
        required=False,
        default=list,
        max_length=20,
        help_text="Catalogue dimension keys of the parts of the ML system this repository "
        "holds; empty for the whole system. Missing evidence only contradicts answers about "
        "what a repository holds.",
    )
    has_access_token = serializers.SerializerMethodField()
    last_scan = serializers.SerializerMethodField()

    class Meta:
        model = Repository
        fields = [
            "id",
            "team",
            "url",
            "branch",
            "project",
            "holds",
            "access_token",
            "has_access_token",
            "scan_interval_hours",
            "created_at",
            "last_scan",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "url": {"help_text": "An https:// git URL."},
            "project": {
                "help_text": "A project folder of a monorepo, judged on its own (such as "
                "projects/churn); empty for the whole repository."
            },
            "scan_interval_hours": {"min_value": 1, "max_value": 24 * 30},
        }

    def __init__(
        self, *args: Any, visible_teams: QuerySet[Team] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if visible_teams is not None:
            related_choices_limit(self, "team", visible_teams)

    def get_has_access_token(self, repository: Repository) -> bool:
        return bool(repository.access_token_encrypted)

    @extend_schema_field(ScanSummarySerializer(allow_null=True))
    def get_last_scan(self, repository: Repository) -> dict[str, Any] | None:
        # Read with the repository by selectors.repository_list_with_latest_scan, as a
        # Prefetch's to_attr, which the Django plugin cannot see.
        latest: list[Scan] = repository.latest_scans  # type: ignore[attr-defined]
        return ScanSummarySerializer(latest[0]).data if latest else None


@extend_schema_view(
    create=extend_schema(
        description=(
            "Connect a repository to a team (team leads and org admins); its first scan is "
            "queued. The access token is write-only."
        )
    ),
    destroy=extend_schema(description="Disconnect the repository (team leads and org admins)."),
)
class RepositoryViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Repositories of the teams you can see."""

    serializer_class = RepositorySerializer
    permission_classes = [IsAuthenticated, TeamManagerCanWrite]
    queryset = Repository.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Repository]:
        return selectors.repository_list_with_latest_scan()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RepositorySerializer(
            data=request.data, visible_teams=visible_teams(request.user)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        repository = repository_connect(
            team=data["team"],
            user=signed_in(request.user),
            url=data["url"],
            branch=data.get("branch", ""),
            project=data.get("project", ""),
            holds=data.get("holds", []),
            access_token=data.get("access_token", ""),
            scan_interval_hours=data.get("scan_interval_hours", 24),
        )
        url = reverse("api:repository-detail", kwargs={"pk": repository.pk}, request=request)
        body = RepositorySerializer(self.get_queryset().get(pk=repository.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})

    def perform_destroy(self, instance: Repository) -> None:
        repository_disconnect(repository=instance, user=signed_in(self.request.user))

    @extend_schema(
        methods=["GET"],
        responses=ScanSerializer(many=True),
        description="The repository's scans, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={202: ScanSerializer},
        description=(
            "Queue a scan (team leads and org admins): 202 with the scan, whose URL is the "
            "Location header. When a scan is already waiting or running, that one is returned."
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=ApiPagination)
    def scans(self, request: Request, pk: str | None = None) -> Response:
        repository = self.get_object()
        if request.method == "GET":
            scans = selectors.scan_list(repository_id=repository.pk)
            page = self.paginate_queryset(scans)
            return self.get_paginated_response(ScanSerializer(page, many=True).data)
        if not can_manage_team(request.user, repository.team):
            raise ActionNotAllowed("Only team leads and org admins can start scans.")
        scan = scan_enqueue(repository=repository, trigger="api")
        url = reverse("api:scan-detail", kwargs={"pk": scan.pk}, request=request)
        return Response(
            ScanSerializer(scan).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "capability",
                str,
                OpenApiParameter.PATH,
                enum=list(kit_steps()),
                description="The capability key of the roadmap step.",
            )
        ],
        responses={200: KitSerializer, 202: KitPendingSerializer},
        description="The level-up kit of a roadmap step (a catalogue capability key) for the "
        "repository as last scanned. A worker builds it: until it is ready the answer is 202 "
        "with Retry-After (seconds); then 200 with the kit, or 400 with a sentence when the kit "
        "does not fit the repository or the repository could not be read (then with "
        "Retry-After).",
    )
    @action(detail=True, methods=["get"], url_path=r"kits/(?P<capability>[a-z0-9_]+)")
    def kit(self, request: Request, pk: str | None = None, *, capability: str) -> Response:
        repository = self.get_object()
        build = kit_build_request(repository=repository, capability=capability)
        if build.status in {KitBuildStatus.PENDING, KitBuildStatus.RUNNING}:
            pending = {"status": "preparing", "detail": "The kit is being prepared; ask again."}
            return Response(
                KitPendingSerializer(pending).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Retry-After": str(KIT_POLL_SECONDS)},
            )
        if build.status in {KitBuildStatus.UNAVAILABLE, KitBuildStatus.FAILED}:
            # A repository that could not be read is the repository's problem, not the
            # service's: 400, with when to ask again.
            failed = build.status == KitBuildStatus.FAILED
            return Response(
                error_body(code="invalid", message=build.failure_reason),
                status=status.HTTP_400_BAD_REQUEST,
                headers={"Retry-After": str(KIT_RETRY_SECONDS)} if failed else {},
            )
        # Neither preparing nor refused: the build is ready, and a ready build holds its kit.
        assert build.kit is not None
        kit = Kit.from_dict(build.kit)
        data = {
            "step": kit.step,
            "title": kit.title,
            "commit": build.commit,
            "files": [{"path": c.path, "added": c.added, "content": c.after} for c in kit.changes],
            "does": list(kit.does),
            "does_not": list(kit.does_not),
            "patch": as_patch(kit.changes),
        }
        return Response(KitSerializer(data).data)


class ScanFilterSerializer(serializers.Serializer[Any]):
    repository = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=ScanStatus.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=[ScanFilterSerializer]))
class ScanViewSet(TeamScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Scans of the teams' repositories you can see; a finished scan carries its report."""

    queryset = Scan.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return ScanDetailSerializer if self.action == "retrieve" else ScanSerializer

    def get_base_queryset(self) -> QuerySet[Scan]:
        if self.action != "list":
            return selectors.scan_list(with_report=True)
        filters = ScanFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        # The report can be large; lists leave it out.
        return selectors.scan_list(
            repository_id=filters.validated_data.get("repository"),
            status=filters.validated_data.get("status"),
        )
