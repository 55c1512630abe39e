"""Invitations in the browser: a team's leads and org admins invite, resend and revoke; the
invited person accepts from the email's link, signed in or not."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import (
    can_see_invitations,
    invitable_roles,
    is_org_admin,
    require_manage_team,
    signed_in,
    team_role,
)
from ..errors import ApplicationError
from ..forms import InvitationForm, InvitationSignupForm, OrganizationInvitationForm
from ..models import DeliveryState, Invitation, Role
from ..services.invitation_acceptance import (
    InvitationInvalid,
    InvitationState,
    invitation_accept,
    invitation_accept_new_user,
    invitation_for_token,
    invitation_state,
)
from ..services.invitation_guard import invitation_guess_allowed, invitation_guess_was_real
from ..services.invitations import (
    invitation_create,
    invitation_resend,
    invitation_resend_available_at,
    invitation_revoke,
)


def _delivery_message(request: HttpRequest, invitation: Invitation, *, verb: str) -> None:
    """Say where the email is: a worker sends it once the invitation is saved, so it is
    usually still on its way; the list shows when it went out or why it did not."""
    invitation.refresh_from_db(fields=["sent_at", "delivery_error", "delivery_state"])
    if invitation.delivery_state == DeliveryState.FAILED:
        messages.error(
            request,
            f"The invitation to {invitation.email} is saved, but the email could not be sent "
            f"({invitation.delivery_error}). Check the mail settings, then send it again from "
            "the list.",
        )
    elif invitation.delivery_state == DeliveryState.SENT:
        messages.success(request, f"Invitation {verb} to {invitation.email}.")
    else:
        messages.success(
            request,
            f"Invitation to {invitation.email} {'saved' if verb == 'sent' else 'renewed'}; its "
            "email is on its way (the list shows when it was sent, or why not).",
        )


def _with_resend_times(invitations: Iterable[Invitation], now: datetime) -> list[Invitation]:
    """The rows, each with `resend_available_at`: when its Resend button works again (None:
    now), as the service decides."""
    rows = list(invitations)
    for invitation in rows:
        # Read by the list template beside the model's own fields.
        invitation.resend_available_at = invitation_resend_available_at(  # type: ignore[attr-defined]
            invitation, now=now
        )
    return rows


@login_required
def team_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's pending invitations, and the form to invite someone (leads and org admins)."""
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    require_manage_team(request.user, team, to="invite people or see the team's invitations")
    roles = invitable_roles(request.user, team)
    form = InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = invitation_create(
                inviter=signed_in(request.user),
                organization=team.organization,
                team=team,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            _delivery_message(request, invitation, verb="sent")
            return redirect("team_invitations", slug=team.slug)
    now = timezone.now()
    context = {
        "team": team,
        "form": form,
        "invitations": _with_resend_times(
            selectors.invitation_list_pending_for_team(team=team), now
        ),
        "next": request.path,
        "now": now,
        "invitation_days": settings.INVITATION_DAYS,
        "is_org_admin": team_role(request.user, team) == Role.ORG_ADMIN,
    }
    return render(request, "invitations/team.html", context)


@login_required
def organization_invitations(request: HttpRequest) -> HttpResponse:
    """Every pending invitation of the organisations the user administers, and the form to
    invite an organisation admin."""
    if not is_org_admin(request.user):
        raise PermissionDenied("Only organisation admins see every invitation.")
    organizations = list(selectors.organizations_administered(user=request.user))
    form = OrganizationInvitationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = next(o for o in organizations if o.slug == form.cleaned_data["organization"])
        try:
            invitation, _ = invitation_create(
                inviter=signed_in(request.user),
                organization=organization,
                team=None,
                email=form.cleaned_data["email"],
                role=Role.ORG_ADMIN,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            _delivery_message(request, invitation, verb="sent")
            return redirect("organization_invitations")
    now = timezone.now()
    context = {
        "form": form,
        "single_organization": organizations[0] if len(organizations) == 1 else None,
        "invitations": _with_resend_times(
            selectors.invitation_list_pending_for_user(user=request.user), now
        ),
        "next": request.path,
        "now": now,
    }
    return render(request, "invitations/organization.html", context)


def _back(request: HttpRequest, invitation: Invitation) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    if invitation.team is not None and can_see_invitations(request.user, invitation.team):
        return reverse("team_invitations", args=[invitation.team.slug])
    return reverse("organization_invitations")


@login_required
@require_POST
def invitation_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(user=request.user, invitation_id=pk)
    try:
        invitation, _ = invitation_resend(invitation=invitation, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _delivery_message(request, invitation, verb="sent again")
    return redirect(_back(request, invitation))


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(user=request.user, invitation_id=pk)
    try:
        invitation_revoke(invitation=invitation, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Invitation to {invitation.email} revoked; its link no longer works."
        )
    return redirect(_back(request, invitation))


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _invalid(request: HttpRequest, state: InvitationState) -> HttpResponse:
    """The same status and page for every link that does not work; the sentence says why, and
    only a real link's holder can get anything but 'not valid'. Nothing of the invitation shows."""
    return render(request, "invitations/invalid.html", {"message": state.value}, status=404)


@never_cache
@sensitive_variables("token")
@sensitive_post_parameters("password1", "password2")
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: as the signed-in account of the invited address, by logging in
    first when an account has that address, or by creating an account for it."""
    address = _client_address(request)
    if not invitation_guess_allowed(address=address):
        return render(request, "errors/429.html", status=429)
    invitation = invitation_for_token(token)
    state = invitation_state(invitation)
    if state is not InvitationState.UNKNOWN:
        invitation_guess_was_real(address=address)
    if state is not None:
        return _invalid(request, state)
    assert invitation is not None
    user = request.user
    if user.is_authenticated:
        mode = "accept" if (user.email or "").lower() == invitation.email else "other_account"
    elif selectors.account_exists_for_email(email=invitation.email):
        mode = "login"
    else:
        mode = "signup"
    form = InvitationSignupForm(request.POST or None) if mode == "signup" else None
    error = None
    if request.method == "POST" and mode in {"accept", "signup"}:
        try:
            if mode == "accept":
                acceptance = invitation_accept(token=token, user=signed_in(user))
            elif form is not None and form.is_valid():  # mode signup: the form is there
                acceptance = invitation_accept_new_user(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, acceptance.user, backend="assessments.backends.LockoutModelBackend")
            else:
                acceptance = None
        except InvitationInvalid as invalid:
            return _invalid(request, invalid.state)
        except ApplicationError as refused:
            error = refused.message
        else:
            if acceptance is not None:
                where = invitation.team or invitation.organization
                messages.success(
                    request,
                    f"Welcome to {where}: you are now {Role(invitation.role).label.lower()}."
                    if acceptance.membership_changed
                    else f"Invitation accepted; you already had this role or a higher one in "
                    f"{where}.",
                )
                if invitation.team is not None:
                    return redirect("team_detail", slug=invitation.team.slug)
                return redirect("home")
    context = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label,
        "inviter": invitation.invited_by,
        "mode": mode,
        "form": form,
        "error": error,
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    return render(request, "invitations/accept.html", context)
