"""Campaigns in the browser: org admins start and change them, everyone in scope follows them."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import maturity, selectors
from ..access import is_admin_of_organization, is_org_admin, signed_in
from ..campaign_chart import campaign_progress_figure
from ..errors import ApplicationError
from ..forms import CampaignForm, criticality_choices
from ..maturity.campaigns import TeamState
from ..models import Campaign
from ..services.campaigns import campaign_archive, campaign_create, campaign_update

STATE_LABELS = {TeamState.DONE: "Done", TeamState.NOT_YET: "Not yet", TeamState.EXEMPT: "Exempt"}


def _capability_titles() -> dict[str, str]:
    return {c.key: c.title for c in maturity.load_catalogue().capabilities}


def _goal_sentence(campaign: Campaign) -> str:
    goal = selectors.campaign_goal(campaign).describe(_capability_titles())
    return f"Each team {goal}"


def _scope_sentence(campaign: Campaign) -> str:
    parts: list[str] = []
    if campaign.scope_tags:
        parts.append("tagged " + " or ".join(campaign.scope_tags))
    if campaign.scope_criticalities:
        labels = dict(criticality_choices())
        names = [f"“{labels.get(c, c)}”" for c in campaign.scope_criticalities]
        parts.append("whose business criticality is " + " or ".join(names))
    return "Teams " + " and ".join(parts) if parts else "Every team of the organisation"


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """Open campaigns the user may see, with where each stands; org admins start new ones."""
    today = timezone.localdate()
    campaigns = selectors.campaign_list_for_user(user=request.user)
    rows = [
        {
            "campaign": campaign,
            "goal": _goal_sentence(campaign),
            "scope": _scope_sentence(campaign),
            "progress": selectors.campaign_progress(
                campaign=campaign, today=today, with_series=False
            ),
        }
        for campaign in campaigns
    ]
    context = {
        "rows": rows,
        "today": today,
        "can_create": is_org_admin(request.user),
    }
    return render(request, "assessments/campaign_list.html", context)


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=pk)
    today = timezone.localdate()
    progress = selectors.campaign_progress(campaign=campaign, today=today, user=request.user)
    figure = None
    if progress.series:
        figure = campaign_progress_figure(
            [
                {"day": c.day.isoformat(), "done": c.done, "exempt": c.exempt, "not_yet": c.not_yet}
                for c in progress.series
            ],
            deadline=campaign.deadline.isoformat(),
        )
    context = {
        "campaign": campaign,
        "goal": _goal_sentence(campaign),
        "scope": _scope_sentence(campaign),
        "progress": progress,
        "figure": figure,
        "state_labels": STATE_LABELS,
        "today": today,
        "can_edit": not campaign.is_archived
        and is_admin_of_organization(request.user, campaign.organization_id),
    }
    return render(request, "assessments/campaign_detail.html", context)


def _form_fields(form: CampaignForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["goal_capability"] = data.get("goal_capability") or ""
    return data


def _owner(people: Iterable[User], owner_id: int) -> User | None:
    return next((user for user in people if user.pk == owner_id), None)


@login_required
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    organizations = list(selectors.organizations_administered(user=request.user))
    if not organizations:
        raise PermissionDenied("Only org admins can start campaigns.")
    organization = organizations[0]
    if len(organizations) > 1 and request.GET.get("organization"):
        organization = next(
            (o for o in organizations if str(o.pk) == request.GET["organization"]), organization
        )
    people = selectors.campaign_owner_candidates(organization_ids=[organization.pk])
    today = timezone.localdate()
    initial = {"owner": request.user.pk, "starts_on": today, "goal_level": 1}
    form = CampaignForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _form_fields(form)
        fields["owner"] = _owner(people, fields["owner"])
        try:
            campaign = campaign_create(
                organization=organization, user=signed_in(request.user), today=today, **fields
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Campaign “{campaign.title}” started.")
            return redirect("campaign_detail", pk=campaign.pk)
    context = {"form": form, "organization": organization, "organizations": organizations}
    return render(request, "assessments/campaign_form.html", context)


@login_required
def campaign_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=pk)
    if not is_admin_of_organization(request.user, campaign.organization_id):
        raise PermissionDenied("Only org admins can change campaigns.")
    if campaign.is_archived:
        messages.error(request, "This campaign is archived; it can no longer be changed.")
        return redirect("campaign_detail", pk=campaign.pk)
    people = selectors.campaign_owner_candidates(organization_ids=[campaign.organization_id])
    initial = {
        "title": campaign.title,
        "goal_kind": campaign.goal_kind,
        "goal_level": campaign.goal_level or 1,
        "goal_capability": campaign.goal_capability,
        "scope_tags": ", ".join(campaign.scope_tags),
        "scope_criticalities": campaign.scope_criticalities,
        "owner": campaign.owner_id,
        "starts_on": campaign.starts_on,
        "deadline": campaign.deadline,
    }
    form = CampaignForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _form_fields(form)
        fields["owner"] = _owner(people, fields["owner"])
        try:
            campaign_update(campaign=campaign, user=signed_in(request.user), **fields)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaign_detail", pk=campaign.pk)
    context = {"form": form, "campaign": campaign, "organization": campaign.organization}
    return render(request, "assessments/campaign_form.html", context)


@login_required
@require_POST
def campaign_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=pk)
    if not is_admin_of_organization(request.user, campaign.organization_id):
        raise PermissionDenied("Only org admins can archive campaigns.")
    try:
        campaign_archive(campaign=campaign, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Campaign “{campaign.title}” archived.")
    return redirect("campaign_list")
