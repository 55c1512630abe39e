"""Every read used by views and the API; owns filtering by tenancy and prefetching."""

from django.db.models import Count, QuerySet
from django.http import Http404

from .access import visible_teams
from .models import Team


def team_list_for_user(*, user) -> QuerySet[Team]:
    return (
        visible_teams(user)
        .select_related("organization")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("organization__name", "name")
    )


def team_get_for_user(*, user, slug: str) -> Team:
    """The team, or 404 when it does not exist or the user may not see it (indistinguishable)."""
    try:
        return visible_teams(user).select_related("organization").get(slug=slug)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None
