"""The audit log, read-only: who changed what in the organisations you administer (memberships
and roles, exemptions, repositories, API tokens), newest first. Org admins only."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.permissions import IsAuthenticated

from .. import selectors
from ..models import AuditAction, AuditEvent
from .base import TeamScopedViewSet
from .permissions import OrgAdminsOnly
from .serializers import DateBoundField


class OrgAdminsReadTheLog(OrgAdminsOnly):
    """The log names people and changes across every team, so only org admins read it."""

    message = "Only org admins can read the audit log."


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.SerializerMethodField(
        help_text="The username of who made the change; null for the system or a deleted account."
    )
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)
    description = serializers.CharField(
        source="get_action_display", read_only=True, help_text="The action in words."
    )
    details = serializers.DictField(
        read_only=True,
        help_text="A few facts about the change: the user and roles, the capability and expiry "
        "date, the repository address, the token's name. Never a secret.",
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "organization",
            "team",
            "actor",
            "action",
            "description",
            "object_type",
            "object_id",
            "details",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "team": {"help_text": "The team the change concerns; null for organisation-wide ones."},
            "object_type": {"help_text": "What was changed: membership, exemption, ..."},
            "object_id": {"help_text": "Its id, which may be gone (a disconnected repository)."},
        }

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


class AuditEventFilterSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    since = DateBoundField(required=False, help_text="On or after this date or date-time.")


@extend_schema_view(
    list=extend_schema(
        parameters=[AuditEventFilterSerializer],
        description=(
            "Changes in the organisations you administer, newest first (org admins only): "
            "memberships and roles, exemptions, repository connections, API tokens."
        ),
    ),
)
class AuditEventViewSet(TeamScopedViewSet, mixins.ListModelMixin):
    """The audit log of the organisations you administer."""

    serializer_class = AuditEventSerializer
    permission_classes = [IsAuthenticated, OrgAdminsReadTheLog]
    queryset = AuditEvent.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[AuditEvent]:
        query = AuditEventFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        since = filters.get("since")
        return selectors.audit_event_list(
            team_id=filters.get("team"),
            action=filters.get("action"),
            since=since[0] if since else None,
        )
