"""Home, team workspace, health check and the icon for clients that ask /favicon.ico."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import maturity, selectors
from ..access import EDIT_ROLES, MANAGE_ROLES, is_org_admin, team_role
from ..maturity.lenses import microsoft_lens
from ..models import Role
from .results import index_trend


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The teams I can see, where each stands, and the one next thing to do for each."""
    now = timezone.now()
    overviews = selectors.team_overview_for_user(user=request.user)
    asks = selectors.campaign_asks_for_teams(
        teams=[overview.team for overview in overviews], today=timezone.localdate()
    )
    titles = {c.key: c.title for c in maturity.load_catalogue().capabilities}
    rows: list[dict[str, Any]] = [
        {
            "o": overview,
            "trend": index_trend(overview.latest_result.index, overview.previous_index)
            if overview.latest_result
            else None,
            "action": overview.next_action(now),
            "due": overview.is_due(now),
            "role_label": Role(overview.role).label if overview.role else None,
            "campaigns": [
                {"ask": ask, "text": selectors.campaign_goal(ask.campaign).ask(titles)}
                for ask in asks.get(overview.team.pk, [])
            ],
        }
        for overview in overviews
    ]
    # Said once above the cards when every team shares it, else on each card.
    organizations = {overview.team.organization.name for overview in overviews}
    roles = {row["role_label"] for row in rows}
    context = {
        "rows": rows,
        "shared_org": organizations.pop() if len(organizations) == 1 else None,
        "shared_role": _with_article(roles.pop()) if len(roles) == 1 else None,
        "assessed": sum(1 for overview in overviews if overview.latest_submitted),
        "microsoft_titles": {level.number: level.title for level in microsoft_lens().levels},
        # Requests an org admin decides on, from the teams of the organisations they administer.
        "exemptions_to_decide": sum(
            overview.exemptions_waiting for overview in overviews if overview.role == Role.ORG_ADMIN
        ),
        "is_org_admin": not rows and is_org_admin(request.user),
    }
    # An org admin's teams say so without a query; one without teams was asked just above.
    context["reads_audit_log"] = context["is_org_admin"] or any(
        overview.role == Role.ORG_ADMIN for overview in overviews
    )
    return render(request, "assessments/home.html", context)


def _with_article(label: str | None) -> str:
    label = (label or "viewer").lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    members = selectors.membership_list_for_team(team=team)
    role = team_role(request.user, team)
    assessments = list(selectors.assessment_list_for_team(team=team))
    context = {
        "team": team,
        "members": members,
        "role_label": Role(role).label if role else None,
        "assessments": assessments,
        "draft": next((a for a in assessments if a.is_draft), None),
        "repositories": selectors.repository_list_for_team(team=team),
        "exemptions": selectors.exemption_counts_for_team(team=team, today=timezone.localdate()),
        "can_manage": role in MANAGE_ROLES,
        "can_edit": role in EDIT_ROLES,
        "badge_on": selectors.badge_for_team(team=team) is not None,
        "pending_invitations": selectors.invitation_list_pending_for_team(team=team).count()
        if role in MANAGE_ROLES
        else 0,
    }
    return render(request, "assessments/team_detail.html", context)


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages link the SVG icon; clients that ask for /favicon.ico anyway are sent to it."""
    return HttpResponseRedirect(static("favicon.svg"))
