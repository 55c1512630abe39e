"""The base classes of every API view.

`TeamScoped` is the one place where tenancy is applied: a subclass says which rows it serves in
`get_base_queryset()` and never overrides `get_queryset()`, which filters those rows through
`access.scoped(queryset, user)`, the rule for their model.
Another team's objects are therefore missing from lists and answer 404 on detail routes,
exactly like objects that do not exist. A test walks the URL configuration and
fails if an API view serving team data does not derive from it.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import generics, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.views import APIView

from ..access import scoped

if TYPE_CHECKING:
    # What the mixins are combined with, for the checker only: at run time they stay plain
    # mixins, so the order of the bases below is unchanged.
    _ApiView = APIView
    _GenericApiView = generics.GenericAPIView[Any]
else:
    _ApiView = _GenericApiView = object


class BlankQueryParameter(ParseError):
    default_detail = "A query parameter is empty."


class ApiViewMixin(_ApiView):
    """Refuses empty query parameters. (NUL characters never get this far: the
    RefuseNulCharactersMiddleware answers 400 for the whole site.)"""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        blank = sorted(key for key, items in request.query_params.lists() if "" in items)
        if blank:
            # An empty filter is more likely a mistake in a script than a wish to filter by "".
            raise BlankQueryParameter(
                f"The query parameter {', '.join(blank)} is empty; give a value or leave it out."
            )


class TeamScoped(ApiViewMixin, _GenericApiView):
    """Base of every API view that serves team-owned rows."""

    def get_base_queryset(self) -> QuerySet[Any]:
        """The rows this view serves, with their joins; tenancy is added by get_queryset()."""
        raise NotImplementedError(f"{type(self).__name__} must define get_base_queryset()")

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(self.get_base_queryset(), self.request.user)


class TeamScopedViewSet(TeamScoped, viewsets.GenericViewSet[Any]):
    pass


class TeamScopedAPIView(TeamScoped, generics.GenericAPIView[Any]):
    pass


class UnscopedAPIView(ApiViewMixin, APIView):
    """For the few views that serve no team data at all (the catalogue, the token trade)."""
