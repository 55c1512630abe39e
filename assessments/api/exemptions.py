"""Exemptions: a team lead asks (create), an org admin approves or rejects, the asker may
withdraw. `active` says whether an exemption is in force today; results carry the reading with
the exemptions in force beside the raw one (`with_exemptions`)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import signed_in, visible_teams
from ..models import Exemption, ExemptionStatus, Team
from ..services.exemptions import (
    TEXT_MAX_LENGTH,
    exemption_approve,
    exemption_reject,
    exemption_request,
    exemption_withdraw,
)
from .base import TeamScopedViewSet
from .serializers.fields import related_choices_limit


class ExemptionSerializer(serializers.ModelSerializer[Exemption]):
    capability = serializers.CharField(
        source="capability_key", read_only=True, help_text="A capability key."
    )
    active = serializers.SerializerMethodField(
        help_text="Approved and not past its expiry date today: in force."
    )
    requested_by = serializers.SerializerMethodField(
        help_text="The username of who asked; null when the account is gone."
    )
    decided_by = serializers.SerializerMethodField(
        help_text="Who approved, rejected or withdrew it; null while it waits."
    )

    class Meta:
        model = Exemption
        fields = [
            "id",
            "team",
            "capability",
            "reason",
            "expires_on",
            "status",
            "active",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "expires_on": {"help_text": "The last day the exemption is in force."},
            "reason": {"help_text": "Why the capability does not apply to the team, as typed."},
        }

    def get_requested_by(self, exemption: Exemption) -> str | None:
        return exemption.requested_by.get_username() if exemption.requested_by else None

    def get_decided_by(self, exemption: Exemption) -> str | None:
        return exemption.decided_by.get_username() if exemption.decided_by else None

    def get_active(self, exemption: Exemption) -> bool:
        return exemption.is_active_on(self.context.get("today") or timezone.localdate())


class ExemptionCreateSerializer(serializers.Serializer[Any]):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        error_messages={
            "does_not_exist": "There is no team with id {pk_value} that you can see.",
            "incorrect_type": "Give the team's id as a number.",
        },
    )
    capability = serializers.CharField(max_length=80, help_text="A capability key.")
    # Blank reaches the service, whose sentence says what a reason is for.
    reason = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )
    expires_on = serializers.DateField(
        help_text="The last day in force: after today, at most a year ahead."
    )

    def __init__(
        self, *args: Any, visible_teams: QuerySet[Team] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if visible_teams is not None:
            related_choices_limit(self, "team", visible_teams)


class ExemptionDecisionSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to the team; required to reject.",
    )


class ExemptionFilterSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=ExemptionStatus.choices, required=False)
    active = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only the exemptions in force today; false: only the others.",
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[ExemptionFilterSerializer],
        description="Exemptions of the teams you can see, newest request first.",
    ),
    create=extend_schema(
        request=ExemptionCreateSerializer,
        responses={201: ExemptionSerializer},
        description=(
            "Ask for a team's exemption from a capability until a date (team leads and org "
            "admins). It waits for an org admin's decision; one request per capability at a "
            "time."
        ),
    ),
)
class ExemptionViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Exemptions of the teams you can see."""

    serializer_class = ExemptionSerializer
    queryset = Exemption.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Exemption]:
        filters = {}
        if self.action == "list":
            query = ExemptionFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        return selectors.exemption_list(
            team_id=filters.get("team"),
            status=filters.get("status"),
            active=filters.get("active"),
            today=timezone.localdate(),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _answer(
        self,
        exemption: Exemption,
        *,
        status_code: int = status.HTTP_200_OK,
        headers: dict[str, str] | None = None,
    ) -> Response:
        fresh = self.get_queryset().get(pk=exemption.pk)
        return Response(self.get_serializer(fresh).data, status=status_code, headers=headers or {})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ExemptionCreateSerializer(
            data=request.data, visible_teams=visible_teams(request.user)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        exemption = exemption_request(
            team=data["team"],
            user=signed_in(request.user),
            capability_key=data["capability"],
            reason=data["reason"],
            expires_on=data["expires_on"],
        )
        url = reverse("api:exemption-detail", kwargs={"pk": exemption.pk}, request=request)
        return self._answer(
            exemption, status_code=status.HTTP_201_CREATED, headers={"Location": url}
        )

    def _note(self, request: Request) -> str:
        serializer = ExemptionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note: str = serializer.validated_data["note"]
        return note

    @extend_schema(
        request=ExemptionDecisionSerializer,
        responses=ExemptionSerializer,
        description=(
            "Approve a request waiting for a decision (org admins of the team's organisation, "
            "not the one who asked). In force from now until its expiry date."
        ),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        exemption = self.get_object()
        return self._answer(
            exemption_approve(
                exemption=exemption, user=signed_in(request.user), note=self._note(request)
            )
        )

    @extend_schema(
        request=ExemptionDecisionSerializer,
        responses=ExemptionSerializer,
        description=(
            "Reject a request waiting for a decision, with a note saying why (org admins of "
            "the team's organisation, not the one who asked)."
        ),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        exemption = self.get_object()
        return self._answer(
            exemption_reject(
                exemption=exemption, user=signed_in(request.user), note=self._note(request)
            )
        )

    @extend_schema(
        request=None,
        responses=ExemptionSerializer,
        description="Withdraw a request before it is decided (team leads and org admins).",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        exemption = self.get_object()
        return self._answer(exemption_withdraw(exemption=exemption, user=signed_in(request.user)))
