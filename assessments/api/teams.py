"""The teams of the API: the list (filtered by tag) and each team, with its member count."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from .. import selectors
from ..models import Team
from . import serializers as s
from .base import TeamScopedViewSet


@extend_schema_view(list=extend_schema(parameters=[s.TeamFilterSerializer]))
class TeamViewSet(TeamScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The teams you belong to, and every team of the organisations you administer."""

    serializer_class = s.TeamSerializer
    queryset = Team.objects.none()  # for the schema; rows come from get_base_queryset()

    def get_base_queryset(self) -> QuerySet[Team]:
        tag = None
        if self.action == "list":
            query = s.TeamFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            tag = query.validated_data.get("tag")
        return selectors.team_list_with_member_count(tag=tag)
