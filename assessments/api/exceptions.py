"""The one exception handler of the API, and the one error shape of every 4xx answer.

    {"detail": "<a sentence>", "error": {"code", "message", "fields"}, ...extra}

`detail` and `error.message` carry the same sentence; `error.fields` maps each invalid input
field to its messages (empty when the error is not about a field); `extra` is the application
error's additional data (an answer conflict carries the current value and version).

Application errors map by type: AnswerConflict -> 412 with the current ETag, AnswersConflict
(a bulk write's stale versions) -> 412, ActionNotAllowed and LoginLockedOut -> 403,
InvitationResendTooSoon (a resend within its cooldown) -> 429, any other ApplicationError ->
400. Every 429 carries Retry-After, a whole number of seconds, at least 1.
"""

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..errors import ActionNotAllowed, ApplicationError
from ..services.answers import AnswerConflict
from ..services.answers_bulk import AnswersConflict
from ..services.invitations import InvitationResendTooSoon
from ..services.tokens import LoginLockedOut


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "This request needs an If-Match header."
    default_code = "precondition_required"


def etag_for_version(version: int) -> str:
    return f'"{version}"'


def error_body(
    *,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "detail": message,
        "error": {"code": code, "message": message, "fields": fields or {}},
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def _application_error(exc: ApplicationError) -> Response:
    headers: dict[str, str] = {}
    code: str
    status_code: int
    if isinstance(exc, AnswerConflict):
        code, status_code = "answer_conflict", status.HTTP_412_PRECONDITION_FAILED
        headers["ETag"] = etag_for_version(exc.extra.get("current_version", 0))
    elif isinstance(exc, AnswersConflict):
        code, status_code = "answer_conflict", status.HTTP_412_PRECONDITION_FAILED
    elif isinstance(exc, LoginLockedOut):
        code, status_code = "locked_out", status.HTTP_403_FORBIDDEN
        headers["Retry-After"] = str(exc.extra.get("retry_after_seconds", 0))
    elif isinstance(exc, InvitationResendTooSoon):
        code, status_code = "resend_too_soon", status.HTTP_429_TOO_MANY_REQUESTS
        headers["Retry-After"] = str(exc.retry_after_seconds)
    elif isinstance(exc, ActionNotAllowed):
        code, status_code = "permission_denied", status.HTTP_403_FORBIDDEN
    else:
        code, status_code = "invalid", status.HTTP_400_BAD_REQUEST
    body = error_body(code=code, message=exc.message, extra=exc.extra)
    return Response(body, status=status_code, headers=headers)


def _flatten(detail: object) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _sentence(text: str) -> str:
    if text.startswith("JSON parse error - "):
        text = f"The request body is not valid JSON ({text.removeprefix('JSON parse error - ')})"
    return text if text.endswith((".", "?", "!")) else text + "."


def _validation_error(exc: exceptions.ValidationError) -> Response:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    fields = {name: _flatten(messages) for name, messages in detail.items()}
    sentences: list[str] = []
    for name, messages in fields.items():
        for message in messages:
            sentences.append(message if name == "non_field_errors" else f"{name}: {message}")
    message = " ".join(sentences) or "The request is invalid."
    if "non_field_errors" in fields and len(fields) == 1:
        fields = {}
    return Response(
        error_body(code="invalid", message=message, fields=fields),
        status=exc.status_code,
    )


# When a throttle cannot say how long to wait (the throttles here always can): a minute, the
# period of every rate this API sets.
FALLBACK_RETRY_AFTER_SECONDS = 60


def _throttled(exc: exceptions.Throttled) -> Response:
    # Rounded up and at least 1: "Retry-After: 0" (or none) would invite an immediate retry
    # that is refused again.
    # Set by Throttled.__init__; the stubs leave the attribute out.
    exc_wait: float | None = exc.wait  # type: ignore[attr-defined]
    wait = FALLBACK_RETRY_AFTER_SECONDS if exc_wait is None else max(1, math.ceil(exc_wait))
    unit = "second" if wait == 1 else "seconds"
    message = f"Too many requests; try again in {wait} {unit}."
    return Response(
        error_body(code="throttled", message=message),
        status=exc.status_code,
        headers={"Retry-After": str(wait)},
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every expected failure into the error shape; anything else stays a server error."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*(exc.args or ("Not found.",)))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    if isinstance(exc, ApplicationError):
        response = _application_error(exc)
    elif isinstance(exc, exceptions.ValidationError):
        response = _validation_error(exc)
    elif isinstance(exc, exceptions.Throttled):
        response = _throttled(exc)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        headers = {}
        # Set by NotAuthenticated and AuthenticationFailed when an authenticator has a challenge.
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        response = Response(
            error_body(code=code, message=_sentence(" ".join(_flatten(exc.detail)))),
            status=exc.status_code,
            headers=headers,
        )
    else:
        return None
    set_rollback()
    return response
