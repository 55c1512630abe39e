"""The audit log page: who changed what in the organisations an org admin administers."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.formats import date_format

from .. import maturity, selectors
from ..access import is_org_admin
from ..forms import AuditFilterForm
from ..models import AuditAction, AuditEvent, Role

EVENTS_PER_PAGE = 50


def _role(value: str) -> str:
    return Role(value).label if value in Role.values else value


def _day(value: str) -> str:
    day = parse_date(value or "")
    return date_format(day, "j M Y") if day else value


def _what(event: AuditEvent, capability_titles: dict[str, str]) -> str:
    """The change in a phrase, from the event's details: plain text, escaped by the template."""
    details = event.details or {}
    kind = event.action.split(".")[0]  # the subject: membership, exemption, repository, token
    if event.action == AuditAction.MEMBERSHIP_ROLE_CHANGED:
        return (
            f"{details.get('username', '?')}: {_role(details.get('old_role', ''))} "
            f"→ {_role(details.get('new_role', ''))}"
        )
    if kind == "invitation":
        return (
            f"{details.get('email', '?')} as {_role(details.get('role', ''))}"
            + (" (sent again)" if details.get("resent") else "")
            + (f": {details['reason']}" if details.get("reason") else "")
        )
    if kind == "membership":
        return f"{details.get('username', '?')} as {_role(details.get('role', ''))}"
    if kind == "exemption":
        key = details.get("capability", "")
        return f"{capability_titles.get(key, key)} until {_day(details.get('expires_on', ''))}"
    if kind == "repository":
        where = [f"branch {details['branch']}" if details.get("branch") else ""]
        where.append(f"folder {details['project']}" if details.get("project") else "")
        extra = ", ".join(part for part in where if part)
        return f"{details.get('url', '?')}{f' ({extra})' if extra else ''}"
    if kind == "sso_rule":
        return f"“{details.get('group', '')}” → {_role(details.get('role', ''))}"
    if kind == "token":
        return f"“{details.get('name', '')}”"
    if kind == "forge":
        where = details.get("api_url", "?")
        return f"{details.get('kind', '?')} {details.get('owner', '?')} at {where}"
    if kind == "import":
        return (
            f"{details.get('owner', '?')}: {details.get('created', 0)} connected, "
            f"{details.get('exists', 0)} already connected, {details.get('unmapped', 0)} unmapped"
        )
    return f"{event.object_type} {event.object_id}"


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page, by team and by kind of change; org admins only."""
    if not is_org_admin(request.user):
        raise PermissionDenied(
            "Only org admins can read the audit log: it names people and changes across every "
            "team of the organisation."
        )
    teams = list(selectors.audit_teams_for_user(user=request.user))
    form = AuditFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    team = next((t for t in teams if t.slug == filters.get("team")), None)
    events = selectors.audit_events_for_user(
        user=request.user, team=team, action=filters.get("action") or None
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    titles = {c.key: c.title for c in maturity.load_catalogue().capabilities}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [{"event": event, "what": _what(event, titles)} for event in page],
        "several_organizations": len({t.organization_id for t in teams}) > 1,
        "filtered": bool(filters.get("team") or filters.get("action")),
        "query": query.urlencode(),
    }
    return render(request, "assessments/audit_list.html", context)
