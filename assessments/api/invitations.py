"""Invitations: list the pending ones, invite one address or many at once, resend, revoke.

The same rules as the invitation pages, through the same services: org admins invite to any
team of their organisation (and other org admins organisation-wide), team leads to their own
teams with a role no higher than theirs; nobody else sees or sends invitations. Others' rows
are missing from lists and answer 404, like rows that do not exist. The token is never shown:
it travels only in the email, which a worker sends after the invitation is saved
(`delivery_state` says where it is).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import UserOrAnonymous, signed_in
from ..models import DeliveryState, Invitation, Organization, Role, Team
from ..services.invitations import (
    EMAIL_MAX_LENGTH,
    invitation_create,
    invitation_create_many,
    invitation_resend,
    invitation_revoke,
)
from .base import TeamScopedViewSet
from .exceptions import error_body
from .serializers import ErrorSerializer
from .serializers.fields import related_choices_limit

BULK_MAX_EMAILS = 100


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    invited_by = serializers.SerializerMethodField(
        help_text="The username of who invited; null when the account is gone."
    )
    delivery_state = serializers.ChoiceField(
        choices=DeliveryState.choices,
        read_only=True,
        help_text="queued: a worker will send the email; sent; retrying: the mail server failed "
        "for now and the email will be tried again; failed: not delivered (see delivery_error), "
        "resend it once mail works.",
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organization",
            "team",
            "email",
            "role",
            "invited_by",
            "created_at",
            "expires_at",
            "delivery_state",
            "sent_at",
            "delivery_error",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "team": {"help_text": "Null for an organisation admin's invitation."},
            "expires_at": {"help_text": "The link in the email works until then."},
            "sent_at": {"help_text": "When the mail server last took the email."},
            "delivery_error": {"help_text": "Why the last attempt failed; empty otherwise."},
        }

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.get_username() if invitation.invited_by else None


class _InvitationPlaceSerializer(serializers.Serializer[Any]):
    """Where to invite: a team (with a team role), or an organisation (role org_admin)."""

    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The team to invite to; leave out (or null) to invite an organisation admin.",
        error_messages={
            "does_not_exist": "There is no team with id {pk_value} that you can see.",
            "incorrect_type": "Give the team's id as a number.",
        },
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The organisation, for an organisation admin's invitation (no team).",
        error_messages={
            "does_not_exist": "There is no organisation with id {pk_value} that you administer.",
            "incorrect_type": "Give the organisation's id as a number.",
        },
    )
    role = serializers.ChoiceField(
        choices=Role.choices,
        help_text="lead, member or viewer for a team; org_admin for an organisation.",
    )

    def __init__(self, *args: Any, user: UserOrAnonymous | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            related_choices_limit(self, "team", selectors.team_list_for_user(user=user))
            related_choices_limit(
                self, "organization", selectors.organizations_administered(user=user)
            )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        team, organization = data.get("team"), data.get("organization")
        if team is None and organization is None:
            raise serializers.ValidationError(
                "Give a team, or an organisation to invite an organisation admin."
            )
        if (
            team is not None
            and organization is not None
            and team.organization_id != (organization.pk)
        ):
            raise serializers.ValidationError("The team belongs to another organisation.")
        data["organization"] = team.organization if team is not None else organization
        return data


class InvitationCreateSerializer(_InvitationPlaceSerializer):
    # Checked by the service, whose sentence says what a valid address looks like.
    email = serializers.CharField(max_length=EMAIL_MAX_LENGTH, trim_whitespace=True)


class InvitationBulkSerializer(_InvitationPlaceSerializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=EMAIL_MAX_LENGTH, allow_blank=True),
        min_length=1,
        max_length=BULK_MAX_EMAILS,
        help_text=f"Up to {BULK_MAX_EMAILS} addresses, each invited on its own.",
        error_messages={
            "min_length": "Give at least one email address.",
            "max_length": f"Give at most {BULK_MAX_EMAILS} email addresses per request.",
        },
    )


class BulkRowErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class BulkRowSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(help_text="The address as given.")
    invitation = InvitationSerializer(allow_null=True, help_text="Null when this row failed.")
    error = BulkRowErrorSerializer(allow_null=True, help_text="Why this row was not invited.")


class BulkResultSerializer(serializers.Serializer[Any]):
    invited = serializers.IntegerField(help_text="How many rows made an invitation.")
    failed = serializers.IntegerField(help_text="How many rows did not.")
    results = BulkRowSerializer(many=True, help_text="One per address, in the order given.")


class InvitationFilterSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


@extend_schema_view(
    list=extend_schema(
        parameters=[InvitationFilterSerializer],
        description=(
            "Pending invitations (neither accepted nor revoked) of the teams you lead and the "
            "organisations you administer, newest first."
        ),
    ),
    retrieve=extend_schema(description="A pending invitation you may manage."),
    create=extend_schema(
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        description=(
            "Invite one address: to a team (org admins; team leads to their own team with a "
            "role up to lead), or to an organisation as its admin (its admins). The email is "
            "sent by a worker once the invitation is saved."
        ),
    ),
)
class InvitationViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Pending invitations you may manage."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Invitation]:
        team_id = None
        if self.action == "list":
            query = InvitationFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            team_id = query.validated_data.get("team")
        return selectors.invitation_list_pending(team_id=team_id)

    def _answer(
        self,
        invitation: Invitation,
        *,
        status_code: int = status.HTTP_200_OK,
        headers: dict[str, str] | None = None,
    ) -> Response:
        fresh = selectors.invitations_by_id(ids=[invitation.pk])[invitation.pk]
        return Response(self.get_serializer(fresh).data, status=status_code, headers=headers or {})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InvitationCreateSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, _ = invitation_create(
            inviter=signed_in(request.user),
            organization=data["organization"],
            team=data["team"],
            email=data["email"],
            role=data["role"],
        )
        url = reverse("api:invitation-detail", kwargs={"pk": invitation.pk}, request=request)
        return self._answer(
            invitation, status_code=status.HTTP_201_CREATED, headers={"Location": url}
        )

    @extend_schema(
        request=InvitationBulkSerializer,
        responses={200: BulkResultSerializer},
        description=(
            f"Invite up to {BULK_MAX_EMAILS} addresses to one place with one role. Each address "
            "is invited on its own: a row that fails (an invalid address, someone already a "
            "member or already invited, a repeat of an earlier row) carries its error and the "
            "others are still invited. A request that is wrong as a whole (no permission, an "
            "unknown team) invites nobody and answers 400 or 403."
        ),
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        serializer = InvitationBulkSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = invitation_create_many(
            inviter=signed_in(request.user),
            organization=data["organization"],
            team=data["team"],
            emails=data["emails"],
            role=data["role"],
        )
        fresh = selectors.invitations_by_id(
            ids=[row.invitation.pk for row in rows if row.invitation is not None]
        )
        context = self.get_serializer_context()
        results = [
            {
                "email": row.email,
                "invitation": None
                if row.invitation is None
                else InvitationSerializer(fresh[row.invitation.pk], context=context).data,
                "error": None
                if row.error is None
                else error_body(code="invalid", message=row.error)["error"],
            }
            for row in rows
        ]
        invited = sum(row.invitation is not None for row in rows)
        return Response({"invited": invited, "failed": len(rows) - invited, "results": results})

    @extend_schema(
        request=None,
        responses={
            200: InvitationSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="The email was asked for too recently; nothing changed. The "
                "sentence says when it can be sent again, `retry_after_seconds` and the "
                "Retry-After header in how many seconds.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds until the invitation can be sent again.",
            )
        ],
        description=(
            "Send the email again with a new link (the old one stops working) and a new expiry. "
            "Refused (429) within INVITATION_RESEND_COOLDOWN_MINUTES (10 by default) of the "
            "last email, unless that one was not delivered."
        ),
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        invitation, _ = invitation_resend(
            invitation=self.get_object(), user=signed_in(request.user)
        )
        return self._answer(invitation)

    @extend_schema(
        request=None,
        responses={204: None},
        description=(
            "Withdraw a pending invitation: its link stops working and it leaves the list "
            "(so revoking it again answers 404, as for any invitation no longer pending)."
        ),
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        invitation_revoke(invitation=self.get_object(), user=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
