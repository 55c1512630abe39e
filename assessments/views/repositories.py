"""Connecting repositories, their scans, and the push webhooks that trigger rescans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import maturity, selectors
from ..access import can_manage_team, require_manage_team, signed_in
from ..errors import ApplicationError
from ..forms import RepositoryConnectForm, RepositoryHoldsForm
from ..services.encryption import decrypt
from ..services.repositories import repository_connect, repository_set_holds
from ..services.scans import scan_enqueue
from ..services.webhooks import WebhookRefused, forge_webhook_receive, webhook_receive


@sensitive_post_parameters("access_token")
@login_required
def repository_connect_view(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    require_manage_team(request.user, team, to="connect repositories")
    form = RepositoryConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            repository = repository_connect(
                team=team, user=signed_in(request.user), **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Repository connected; its first scan is queued.")
            return redirect("repository_detail", pk=repository.pk)
    return render(request, "assessments/repository_connect.html", {"team": team, "form": form})


@login_required
def repository_detail(request: HttpRequest, pk: int) -> HttpResponse:
    repository = selectors.repository_get_for_user(user=request.user, repository_id=pk)
    scans = selectors.scan_list_for_repository(repository=repository)
    latest = next((s for s in scans if s.report), None)
    manage = can_manage_team(request.user, repository.team)
    catalogue = maturity.load_catalogue()
    titles = {c.key: c.title for c in catalogue.capabilities}
    report = latest.report if latest else None
    context = {
        "team": repository.team,
        "repository": repository,
        "capability_titles": titles,
        "holds_titles": [catalogue.dimension(key).title for key in repository.holds],
        "holds_form": RepositoryHoldsForm(initial={"holds": repository.holds}) if manage else None,
        "progress": (
            maturity.progress_with_titles(report.get("next_level_progress"), titles)
            if report and not report.get("inconclusive")
            else None
        ),
        "scans": scans,
        "latest": latest,
        "can_manage": manage,
        "webhook_secret": decrypt(repository.webhook_secret_encrypted) if manage else None,
        "github_hook": request.build_absolute_uri(reverse("webhook", args=["github", pk])),
        "gitlab_hook": request.build_absolute_uri(reverse("webhook", args=["gitlab", pk])),
    }
    return render(request, "assessments/repository_detail.html", context)


@login_required
@require_POST
def repository_holds_view(request: HttpRequest, pk: int) -> HttpResponse:
    repository = selectors.repository_get_for_user(user=request.user, repository_id=pk)
    require_manage_team(request.user, repository.team, to="change what a repository holds")
    form = RepositoryHoldsForm(request.POST)
    if form.is_valid():
        try:
            repository_set_holds(
                repository=repository,
                user=signed_in(request.user),
                holds=form.cleaned_data["holds"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Saved what this repository holds.")
    else:
        messages.error(request, "Choose parts of the ML system from the list.")
    return redirect("repository_detail", pk=repository.pk)


@login_required
@require_POST
def repository_scan_now(request: HttpRequest, pk: int) -> HttpResponse:
    repository = selectors.repository_get_for_user(user=request.user, repository_id=pk)
    require_manage_team(request.user, repository.team, to="start scans")
    scan_enqueue(repository=repository, trigger="manual")
    messages.success(request, "Scan queued.")
    return redirect("repository_detail", pk=repository.pk)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    """Signed push events only; the signature, not a session, authenticates the caller."""
    repository = selectors.repository_get_unscoped(repository_id=pk)
    try:
        scan = webhook_receive(
            repository=repository, provider=provider, body=request.body, headers=request.headers
        )
    except WebhookRefused as error:
        return JsonResponse({"detail": error.message}, status=403)
    if scan is None:
        return JsonResponse({"detail": "Event ignored."}, status=202)
    return JsonResponse({"detail": "Scan queued.", "scan": scan.pk}, status=202)


@csrf_exempt
@require_POST
def forge_webhook(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    """The one push webhook of a forge connection: signed push events of any repository of the
    organisation or group; a scan is queued for each of its connected repositories."""
    connection = selectors.forge_connection_get_unscoped(connection_id=pk)
    try:
        scans = forge_webhook_receive(
            connection=connection, provider=provider, body=request.body, headers=request.headers
        )
    except WebhookRefused as error:
        return JsonResponse({"detail": error.message}, status=403)
    if not scans:
        return JsonResponse({"detail": "Event ignored."}, status=202)
    return JsonResponse(
        {"detail": "Scans queued.", "scans": [scan.pk for scan in scans]}, status=202
    )
