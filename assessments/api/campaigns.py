"""Campaigns: org admins start, change and archive them; the people of the teams they apply
to read them and their progress (`progress/`: counts, the series since the start, and the
teams they may see with their state)."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import UserOrAnonymous, signed_in
from ..errors import ApplicationError
from ..maturity.campaigns import TeamState
from ..models import Campaign, CampaignGoalKind, Organization
from ..services.campaigns import (
    CRITICALITIES,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    campaign_archive,
    campaign_create,
    campaign_update,
)
from .base import TeamScopedViewSet
from .serializers.fields import related_choices_limit


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    owner = serializers.SerializerMethodField(help_text="The owner's username; null if gone.")
    created_by = serializers.SerializerMethodField(help_text="Who started it; null if gone.")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "organization",
            "title",
            "goal_kind",
            "goal_level",
            "goal_capability",
            "scope_tags",
            "scope_criticalities",
            "owner",
            "starts_on",
            "deadline",
            "created_by",
            "created_at",
            "archived_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "goal_level": {"help_text": "The level to reach, for level goals; else null."},
            "goal_capability": {"help_text": "The capability key, for capability goals."},
            "scope_tags": {"help_text": "Teams with any of these tags; empty: any team."},
            "scope_criticalities": {
                "help_text": "Teams whose latest business criticality is one of these; empty: any."
            },
            "deadline": {"help_text": "The last day; teams not done the day after are late."},
        }

    def get_owner(self, campaign: Campaign) -> str | None:
        return campaign.owner.get_username() if campaign.owner else None

    def get_created_by(self, campaign: Campaign) -> str | None:
        return campaign.created_by.get_username() if campaign.created_by else None


class CampaignWriteSerializer(serializers.Serializer[Any]):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        error_messages={
            "does_not_exist": "There is no organisation with id {pk_value} that you administer.",
            "incorrect_type": "Give the organisation's id as a number.",
        },
    )
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, allow_blank=True)
    goal_kind = serializers.ChoiceField(choices=CampaignGoalKind.choices)
    goal_level = serializers.IntegerField(required=False, allow_null=True, default=None)
    goal_capability = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )
    scope_tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH), required=False, default=list
    )
    scope_criticalities = serializers.ListField(
        child=serializers.ChoiceField(choices=CRITICALITIES), required=False, default=list
    )
    owner = serializers.CharField(
        max_length=150, required=False, help_text="A username; default: you."
    )
    starts_on = serializers.DateField(required=False, help_text="Default: today.")
    deadline = serializers.DateField()

    def __init__(self, *args: Any, user: UserOrAnonymous | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            organizations = selectors.organizations_administered(user=user)
            related_choices_limit(self, "organization", organizations)


class CampaignChangeSerializer(CampaignWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["organization"]
        for field in self.fields.values():
            field.required = False


class DayCountsSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    done = serializers.IntegerField()
    not_yet = serializers.IntegerField()
    exempt = serializers.IntegerField()


class TeamProgressSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    state = serializers.ChoiceField(choices=[s.value for s in TeamState])
    late = serializers.BooleanField()


class CampaignProgressSerializer(serializers.Serializer[Any]):
    today = serializers.DateField()
    done = serializers.IntegerField()
    not_yet = serializers.IntegerField()
    exempt = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Teams past the deadline and not done.")
    hidden_teams = serializers.IntegerField(
        help_text="Teams in scope that you are not in: counted above, not listed."
    )
    teams = TeamProgressSerializer(many=True, help_text="The teams in scope you may see.")
    series = DayCountsSerializer(many=True, help_text="Counts on each day since the start.")


def _owner(name: str, organization_id: int) -> User:
    owner = selectors.campaign_owner_get(username=name, organization_id=organization_id)
    if owner is None:
        raise ApplicationError("The owner must be an active member or admin of the organisation.")
    return owner


@extend_schema_view(
    list=extend_schema(description="Open campaigns you may see, soonest deadline first."),
    create=extend_schema(
        request=CampaignWriteSerializer,
        responses={201: CampaignSerializer},
        description="Start a campaign (org admins of the organisation).",
    ),
    partial_update=extend_schema(
        request=CampaignChangeSerializer,
        responses=CampaignSerializer,
        description="Change an open campaign (org admins); fields left out stay as they are.",
    ),
)
class CampaignViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Campaigns of your organisations that you may see: all of them for org admins, those
    that apply to your teams otherwise."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()  # for the schema; rows come from get_base_queryset()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Campaign]:
        return selectors.campaign_list(include_archived=self.action != "list")

    def _answer(
        self,
        campaign: Campaign,
        *,
        status_code: int = status.HTTP_200_OK,
        headers: dict[str, str] | None = None,
    ) -> Response:
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(self.get_serializer(fresh).data, status=status_code, headers=headers or {})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CampaignWriteSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if "owner" in data:
            data["owner"] = _owner(data["owner"], organization.pk)
        campaign = campaign_create(organization=organization, user=signed_in(request.user), **data)
        url = reverse("api:campaign-detail", kwargs={"pk": campaign.pk}, request=request)
        return self._answer(
            campaign, status_code=status.HTTP_201_CREATED, headers={"Location": url}
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        serializer = CampaignChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            "title": campaign.title,
            "goal_kind": campaign.goal_kind,
            "goal_level": campaign.goal_level,
            "goal_capability": campaign.goal_capability,
            "scope_tags": campaign.scope_tags,
            "scope_criticalities": campaign.scope_criticalities,
            "owner": campaign.owner,
            "starts_on": campaign.starts_on,
            "deadline": campaign.deadline,
        }
        given = dict(serializer.validated_data)
        if "owner" in given:
            given["owner"] = _owner(given["owner"], campaign.organization_id)
        fields.update(given)
        return self._answer(
            campaign_update(campaign=campaign, user=signed_in(request.user), **fields)
        )

    @extend_schema(
        request=None,
        responses=CampaignSerializer,
        description="Archive an open campaign (org admins): no more reminders or home lines.",
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(
            campaign_archive(campaign=self.get_object(), user=signed_in(request.user))
        )

    @extend_schema(
        responses=CampaignProgressSerializer,
        description=(
            "Where the teams in scope stand today and on each day since the start, read from "
            "their result history. Teams you are not in are counted, not listed."
        ),
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        campaign = self.get_object()
        progress = selectors.campaign_progress(
            campaign=campaign, today=timezone.localdate(), user=request.user
        )
        body = {
            "today": progress.today,
            "done": progress.done,
            "not_yet": progress.not_yet,
            "exempt": progress.exempt,
            "late": len(progress.late),
            "hidden_teams": progress.hidden,
            "teams": [row for row in progress.teams if row.visible],
            "series": progress.series,
        }
        return Response(CampaignProgressSerializer(body).data)
