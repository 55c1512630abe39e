"""Reads of a user's personal API tokens, for the profile page."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from ..models import ApiToken


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, revoked ones included, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for_user(*, user: User, token_id: int) -> ApiToken:
    """The user's own token, or 404: someone else's token is indistinguishable from none."""
    try:
        return ApiToken.objects.get(user=user, pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
