"""Exemptions in the browser: a team lead asks, an org admin decides, anyone of the team reads."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import maturity, selectors
from ..access import (
    TeamActionRefused,
    can_manage_team,
    require_manage_team,
    signed_in,
    team_role,
    team_roles,
)
from ..errors import ActionNotAllowed, ApplicationError
from ..forms import SUGGESTED_EXEMPTION, ExemptionDecisionForm, ExemptionRequestForm
from ..models import ExemptionStatus, Role, Team
from ..services.exemptions import (
    TEXT_MAX_LENGTH,
    exemption_approve,
    exemption_asked_by,
    exemption_can_decide,
    exemption_can_withdraw,
    exemption_reject,
    exemption_request,
    exemption_withdraw,
)

# Closed exemptions shown on the page; the API lists them all.
CLOSED_SHOWN = 50


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _capability_titles() -> dict[str, str]:
    return {c.key: c.title for c in maturity.load_catalogue().capabilities}


def _list_url(team: Team | None = None) -> str:
    url = reverse("exemption_list")
    return f"{url}?team={team.slug}" if team is not None else url


def _back(request: HttpRequest, default: str) -> str:
    """Where a form posted from should lead back to: a page of this site, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def exemption_list_view(request: HttpRequest) -> HttpResponse:
    """Requests to decide first (for org admins), then what is in force, then what is closed;
    of every team the user can see, or of one (`?team=<slug>`)."""
    team = None
    if request.GET.get("team"):
        team = selectors.team_get_for_user(user=request.user, slug=request.GET["team"])
    today = timezone.localdate()
    overview = selectors.exemption_overview_for_user(
        user=request.user, team=team, today=today, closed_limit=CLOSED_SHOWN
    )
    # The roles in every team listed in one query; the request remembers them, so the rules
    # below read no more.
    roles = team_roles(request.user, {e.team.pk: e.team for e in overview.waiting}.values())
    rows = [
        {
            "exemption": e,
            "is_admin": roles.get(e.team_id) == Role.ORG_ADMIN,
            "can_decide": exemption_can_decide(request.user, e),
            "asked_it": exemption_asked_by(request.user, e),
            "can_withdraw": exemption_can_withdraw(request.user, e),
            "form": ExemptionDecisionForm(prefix=f"exemption-{e.pk}"),
        }
        for e in overview.waiting
    ]
    context = {
        "team": team,
        "waiting": rows,
        "active": overview.active,
        "closed": overview.closed,
        "today": today,
        "capability_titles": _capability_titles(),
        "can_request": team is not None and can_manage_team(request.user, team),
    }
    return render(request, "assessments/exemption_list.html", context)


@login_required
def exemption_request_view(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    require_manage_team(request.user, team, to="ask for exemptions")
    today = timezone.localdate()
    initial: dict[str, object] = {"expires_on": today + SUGGESTED_EXEMPTION}
    if request.GET.get("capability"):
        initial["capability"] = request.GET["capability"]
    form = ExemptionRequestForm(request.POST or None, initial=initial, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            exemption = exemption_request(
                team=team,
                user=signed_in(request.user),
                capability_key=form.cleaned_data["capability"],
                reason=form.cleaned_data["reason"],
                expires_on=form.cleaned_data["expires_on"],
                today=today,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            title = _capability_titles()[exemption.capability_key]
            messages.success(
                request,
                f"Asked for an exemption from {title} until {_day(exemption.expires_on)}; "
                f"an org admin of {team.organization.name} decides.",
            )
            return redirect(_list_url(team))
    context = {
        "team": team,
        "form": form,
        "active": selectors.exemptions_active_for_team(team=team, today=today),
        "capability_titles": _capability_titles(),
    }
    return render(request, "assessments/exemption_request.html", context)


@login_required
@require_POST
def exemption_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = selectors.exemption_get_for_user(user=request.user, exemption_id=pk)
    back = _back(request, _list_url())
    form = ExemptionDecisionForm(request.POST, prefix=f"exemption-{pk}")
    if not form.is_valid():
        if "decision" in form.errors:
            messages.error(request, "Choose to approve or reject the request.")
        else:
            messages.error(request, f"The note is longer than {TEXT_MAX_LENGTH} characters.")
        return redirect(back)
    decide = exemption_approve if form.cleaned_data["decision"] == "approve" else exemption_reject
    try:
        decided = decide(
            exemption=exemption, user=signed_in(request.user), note=form.cleaned_data["note"]
        )
    except ActionNotAllowed as error:
        raise TeamActionRefused(
            error.message, team=exemption.team, role=team_role(request.user, exemption.team)
        ) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        title = _capability_titles().get(decided.capability_key, decided.capability_key)
        if decided.status == ExemptionStatus.APPROVED:
            text = f"Approved: {decided.team.name} is exempted from {title} until "
            text += f"{_day(decided.expires_on)}."
        else:
            text = f"Rejected {decided.team.name}'s request for {title}; the team sees your note."
        messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def exemption_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = selectors.exemption_get_for_user(user=request.user, exemption_id=pk)
    back = _back(request, _list_url(exemption.team))
    try:
        exemption_withdraw(exemption=exemption, user=signed_in(request.user))
    except ActionNotAllowed as error:
        raise TeamActionRefused(
            error.message, team=exemption.team, role=team_role(request.user, exemption.team)
        ) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Request withdrawn.")
    return redirect(back)
