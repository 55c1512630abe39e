"""Security headers Django does not set by itself, refusal of NUL characters in addresses, and
a retryable answer when the database is too busy to take a request's writes."""

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponse]


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy: scripts only from our own static files, never inline.

    Styles allow 'unsafe-inline' because plotly.js positions chart elements with inline styles;
    scripts stay strict, which is what stops injected markup from running.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy())
        return response

    @staticmethod
    def policy() -> str:
        """The policy; with single sign-on on, forms may also lead to the OpenID provider: the
        log-out form's answer redirects there to end the provider's session, and browsers hold
        redirects after a form to `form-action` too."""
        policy = settings.CONTENT_SECURITY_POLICY
        if not settings.OIDC_ISSUER:
            return policy
        origins = {
            f"{parts.scheme}://{parts.netloc}"
            for parts in map(urlsplit, (settings.OIDC_ISSUER, settings.OIDC_OP_LOGOUT_ENDPOINT))
            if parts.scheme in {"http", "https"} and parts.netloc
        }
        extra = " ".join(sorted(origins))
        return policy.replace("form-action 'self'", f"form-action 'self' {extra}")


class RefuseNulCharactersMiddleware:
    """Answer 400 when the path or the query string holds a NUL character.

    No field accepts one and PostgreSQL cannot store or compare it, so letting it through would
    only turn into a server error deep inside a query. API addresses answer in the API's error
    shape.
    """

    message = "The address or query string contains a NUL character, which no field accepts."

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            from assessments.api.exceptions import error_body

            return JsonResponse(error_body(code="nul_character", message=self.message), status=400)
        return HttpResponseBadRequest(self.message, content_type="text/plain; charset=utf-8")


# SQLite's codes and messages for "another connection holds the lock" (extended codes start
# the same way), and PostgreSQL's codes for deadlock, serialisation failure, lock not available.
BUSY_SQLITE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED")
BUSY_SQLITE_MESSAGES = ("database is locked", "database table is locked")
BUSY_SQLSTATES = {"40P01", "40001", "55P03"}


def is_database_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was locked by others, not that anything is wrong."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    name = getattr(cause, "sqlite_errorname", "") or ""
    return name.startswith(BUSY_SQLITE_ERRORS) or str(exc) in BUSY_SQLITE_MESSAGES


class DatabaseBusyMiddleware:
    """Answer 503 with Retry-After when the database stayed locked longer than a request waits.

    SQLite has one writer at a time; a request waits up to its busy timeout for the lock, and
    one still locked out after that met a moment of contention, not a fault: the write that
    met the lock was rolled back whole, and the client should simply send it again. API
    addresses, and clients asking for JSON (autosave), get the API's error shape; pages get a
    short page that needs no database.
    """

    retry_after_seconds = 5
    message = (
        "The database was busy with other changes and this request could not finish; "
        f"try again in {retry_after_seconds} seconds."
    )

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning(
            "%s %s answered 503: the database stayed locked (%s)",
            request.method,
            request.path,
            exception,
        )
        if request.path.startswith("/api/") or _prefers_json(request):
            from assessments.api.exceptions import error_body

            response: HttpResponse = JsonResponse(
                error_body(code="database_busy", message=self.message), status=503
            )
        else:
            # Rendered without the request: its context processors would query the database.
            response = HttpResponse(
                render_to_string("database_busy.html", {"message": self.message}), status=503
            )
        response["Retry-After"] = str(self.retry_after_seconds)
        return response


def _prefers_json(request: HttpRequest) -> bool:
    preferred: str | None = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"
