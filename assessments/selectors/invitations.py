"""Invitations as their inviters read them: pending ones, within `access.invitations_visible_to`."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from ..access import UserOrAnonymous, invitations_visible_to
from ..models import Invitation, Membership, Organization, Role, Team


def _pending(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return (
        queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("organization", "team", "invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_list_pending(*, team_id: int | None = None) -> QuerySet[Invitation]:
    """Pending invitations, newest first, of one team when `team_id` is given; the API's rows,
    which it narrows to `invitations_visible_to` the caller."""
    queryset = Invitation.objects.all()
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    return _pending(queryset)


def invitation_list_pending_for_team(*, team: Team) -> QuerySet[Invitation]:
    """The team's pending invitations, newest first; the caller checked who may see them."""
    return _pending(Invitation.objects.filter(team=team))


def invitation_list_pending_for_user(*, user: UserOrAnonymous) -> QuerySet[Invitation]:
    """Every pending invitation the user may see, resend and revoke, newest first."""
    return _pending(invitations_visible_to(user))


def invitation_get_for_user(*, user: UserOrAnonymous, invitation_id: int) -> Invitation:
    """The invitation, or 404 when there is none or the user may not see it (indistinguishable)."""
    try:
        return (
            invitations_visible_to(user)
            .select_related("organization", "team")
            .get(pk=invitation_id)
        )
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None


def invitations_by_id(*, ids: list[int]) -> dict[int, Invitation]:
    """The invitations the caller just wrote, with their inviter, by id (the API's answer)."""
    return Invitation.objects.select_related("invited_by").in_bulk(ids)


def account_exists_for_email(*, email: str) -> bool:
    """Whether an account uses this address: its owner logs in to accept an invitation."""
    return User.objects.filter(email__iexact=email).exists()


def membership_exists_for_email(
    *, email: str, organization: Organization, team: Team | None
) -> bool:
    """Whether an active account with this address (in any case) already holds the place an
    invitation would give: a membership of `team`, or, when None, the organisation's admin
    role. Only a membership held in that place counts, not the rights an org admin or a
    superuser has over every team."""
    users = User.objects.filter(email__iexact=email, is_active=True)
    if team is None:
        return Membership.objects.filter(
            user__in=users, organization=organization, role=Role.ORG_ADMIN
        ).exists()
    return Membership.objects.filter(user__in=users, team=team).exists()
