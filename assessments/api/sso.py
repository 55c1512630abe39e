"""Single sign-on group rules: members of a provider group get a role in a team, or across the
organisation for org admins, at their next sign-in. Org admins only, for their organisations;
the same rules as the /organisation/sso/ page, with the same checks and audit records."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from .. import selectors
from ..access import UserOrAnonymous, signed_in
from ..models import GroupMappingRule, Organization, Role, Team
from ..services.sso import GROUP_MAX_LENGTH, group_mapping_rule_create, group_mapping_rule_delete
from .base import TeamScopedViewSet
from .permissions import OrgAdminsOnly
from .serializers.fields import related_choices_limit


class OrgAdminsManageSsoRules(OrgAdminsOnly):
    message = "Only org admins manage single sign-on group rules."


class GroupMappingRuleSerializer(serializers.ModelSerializer[GroupMappingRule]):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), help_text="An organisation you administer."
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        allow_null=True,
        required=False,
        help_text="A team of that organisation; null for org admins (organisation-wide).",
    )
    group = serializers.CharField(
        max_length=GROUP_MAX_LENGTH,
        help_text="The group's name exactly as the provider sends it in the groups claim.",
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = GroupMappingRule
        fields = ["id", "organization", "group", "team", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        # The service refuses a duplicate with a sentence; DRF's unique-together check would
        # also make `team` required.
        validators: list[Callable[..., object]] = []

    def __init__(self, *args: Any, user: UserOrAnonymous | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            related_choices_limit(
                self, "organization", selectors.organizations_administered(user=user)
            )
            related_choices_limit(self, "team", selectors.teams_administered_by(user=user))


@extend_schema_view(
    list=extend_schema(description="The group rules of the organisations you administer."),
    create=extend_schema(
        description=(
            "Add a rule (org admins): members of `group` get `role` in `team`, or are org "
            "admins when `team` is null, from their next sign-in."
        )
    ),
    destroy=extend_schema(
        description="Delete a rule; the memberships it granted end at each member's next sign-in."
    ),
)
class GroupMappingRuleViewSet(
    TeamScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Single sign-on group rules of the organisations you administer."""

    serializer_class = GroupMappingRuleSerializer
    permission_classes = [IsAuthenticated, OrgAdminsManageSsoRules]
    queryset = GroupMappingRule.objects.none()  # for the schema

    def get_base_queryset(self) -> QuerySet[GroupMappingRule]:
        return selectors.group_mapping_rule_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = GroupMappingRuleSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = group_mapping_rule_create(
            organization=data["organization"],
            group=data["group"],
            team=data.get("team"),
            role=data["role"],
            actor=signed_in(request.user),
        )
        url = reverse("api:sso-rule-detail", kwargs={"pk": rule.pk}, request=request)
        body = GroupMappingRuleSerializer(rule).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})

    def perform_destroy(self, instance: GroupMappingRule) -> None:
        group_mapping_rule_delete(rule=instance, actor=signed_in(self.request.user))
