"""The app's own error pages: what happened, who can help, and a way back.

Django calls these for the errors no view handled (named in mlmaturity/urls.py; the CSRF one in
settings). Addresses under /api/ answer in the API's error shape instead, as the API's own views
do. Pages never show exception text except the sentences the app wrote for people: a refusal's
reason (PermissionDenied carries one) and the app's own rate-limit message.
"""

import logging
import math

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from .. import selectors
from ..access import TeamActionRefused
from ..api.exceptions import error_body
from ..api.notfound import api_not_found
from ..models import Role

logger = logging.getLogger(__name__)

SERVER_ERROR_SENTENCE = "Something went wrong on our side, and the error has been logged."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(*, code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code=code, message=message), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(code="bad_request", message="The request is malformed.", status=400)
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the refusal's own sentence, and for a team's page the people who can do it."""
    reason = str(exception.args[0]) if exception and exception.args else ""
    if _is_api(request):
        message = reason or "You do not have permission to do this."
        return _api_error(code="permission_denied", message=message, status=403)
    context: dict[str, object] = {"reason": reason}
    if isinstance(exception, TeamActionRefused):
        team = exception.team
        context.update(
            team=team,
            role_label=Role(exception.role).label if exception.role else None,
            managers=selectors.team_manager_names(team=team),
        )
    return render(request, "errors/403.html", context, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_not_found(request)
    return render(request, "errors/404.html", {"path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, rendered without the request's context: the database may be what failed, and the
    user and session live there. If even that fails, a plain sentence still goes out."""
    if _is_api(request):
        return _api_error(
            code="server_error", message=f"{SERVER_ERROR_SENTENCE} Try again later.", status=500
        )
    try:
        body = loader.get_template("errors/500.html").render({"now": timezone.now()})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(
            f"{SERVER_ERROR_SENTENCE} Try again in a minute.",
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 when a form comes back without the token of the page that showed it."""
    if _is_api(request):
        message = "The request's CSRF token is missing or wrong; reload the page and try again."
        return _api_error(code="csrf_failed", message=message, status=403)
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context = {
        "back_url": referer if referer and same_site else reverse("home"),
        "back_is_form": bool(referer and same_site),
        # Origin and Referer checks fail when the browser or a proxy strips those headers;
        # cookie and token failures mean an expired page or cookies turned off.
        "origin_problem": "origin" in reason.lower() or "referer" in reason.lower(),
    }
    return render(request, "errors/csrf.html", context, status=403)


def too_many_requests(
    request: HttpRequest,
    *,
    message: str,
    advice: str = "",
    retry_after: int,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    """429 with Retry-After; `message` and `advice` are the app's own sentences, never user
    input."""
    context = {
        "message": message,
        "advice": advice,
        "retry_minutes": max(1, math.ceil(retry_after / 60)),
        "back_url": back_url,
        "back_label": back_label,
    }
    response = render(request, "errors/429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
