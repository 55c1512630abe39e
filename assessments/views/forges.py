"""Pages for org admins: connect a GitHub organisation or a GitLab group, preview an import
with mapping rules, run it and follow its first scans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import UserOrAnonymous, is_org_admin, signed_in
from ..errors import ApplicationError
from ..forms import ForgeConnectForm, ForgePreviewForm
from ..models import ImportState
from ..services.forges import forge_connect, forge_import_start, forge_preview
from ..services.webhooks import forge_webhook_secret_reset

PREVIEW_ROWS_SHOWN = 500
ACTION_WORDS = {
    "create": "Will be connected",
    "created": "Connected",
    "exists": "Already connected",
    "unmapped": "No rule maps it",
    "archived": "Skipped: archived",
    "fork": "Skipped: a fork",
    "refused": "Refused",
}


def _require_org_admin(user: UserOrAnonymous) -> None:
    if not is_org_admin(user):
        raise PermissionDenied(
            "Only org admins can import repositories: the forge's token reads every repository "
            "of the organisation."
        )


@sensitive_post_parameters("token")
@login_required
def forge_list(request: HttpRequest) -> HttpResponse:
    _require_org_admin(request.user)
    organizations = list(selectors.organizations_administered(user=request.user))
    form = ForgeConnectForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = next(o for o in organizations if o.pk == data["organization"])
        try:
            connection = forge_connect(
                organization=organization,
                user=signed_in(request.user),
                kind=data["kind"],
                owner=data["owner"],
                token=data["token"],
                api_url=data["api_url"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Forge connected; preview an import to see its repositories.")
            return redirect("forge_detail", pk=connection.pk)
    connections = selectors.forge_connection_list_for_user(user=request.user)
    context = {
        "form": form,
        "connections": connections,
        "several_organizations": len(organizations) > 1,
    }
    return render(request, "assessments/forge_list.html", context)


@login_required
def forge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_org_admin(request.user)
    connection = selectors.forge_connection_get_for_user(user=request.user, connection_id=pk)
    imports = list(selectors.forge_import_list(connection=connection)[:20])
    latest = imports[0] if imports else None
    initial = (
        {
            "rules": latest.rules,
            "include_archived": latest.include_archived,
            "include_forks": latest.include_forks,
            "read_codeowners": latest.read_codeowners,
        }
        if latest
        else {}
    )
    form = ForgePreviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            preview = forge_preview(
                connection=connection, user=signed_in(request.user), **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("import_detail", pk=preview.pk)
    teams = selectors.team_choices_for_organization(organization_id=connection.organization_id)
    context = {
        "connection": connection,
        "form": form,
        "imports": imports,
        "teams": teams,
    }
    return render(request, "assessments/forge_detail.html", context)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_org_admin(request.user)
    forge_import = selectors.forge_import_get_for_user(user=request.user, import_id=pk)
    progress = selectors.import_progress(forge_import)
    rows = [
        {**row, "words": ACTION_WORDS.get(row["action"], row["action"])}
        for row in forge_import.preview[:PREVIEW_ROWS_SHOWN]
    ]
    counts = [
        (ACTION_WORDS.get(action, action), number)
        for action, number in forge_import.counts.items()
        if action != "listed" and number
    ]
    context = {
        "import": forge_import,
        "connection": forge_import.connection,
        "rows": rows,
        "more_rows": max(len(forge_import.preview) - PREVIEW_ROWS_SHOWN, 0),
        "counts": counts,
        "progress": progress,
        "polling": selectors.import_in_progress(forge_import, progress),
        "can_run": forge_import.state == ImportState.PREVIEWED,
    }
    return render(request, "assessments/import_detail.html", context)


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _require_org_admin(request.user)
    forge_import = selectors.forge_import_get_for_user(user=request.user, import_id=pk)
    try:
        forge_import_start(forge_import=forge_import, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Import started; this page follows its progress.")
    return redirect("import_detail", pk=forge_import.pk)


@login_required
@require_POST
def forge_webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """Set up (or renew) the connection's one push webhook; the secret is shown once, here."""
    _require_org_admin(request.user)
    connection = selectors.forge_connection_get_for_user(user=request.user, connection_id=pk)
    try:
        secret = forge_webhook_secret_reset(connection=connection, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("forge_detail", pk=connection.pk)
    url = request.build_absolute_uri(
        reverse("forge_webhook", args=[connection.pk, connection.kind])
    )
    context = {"connection": connection, "webhook_url": url, "secret": secret}
    return render(request, "assessments/forge_webhook.html", context)
