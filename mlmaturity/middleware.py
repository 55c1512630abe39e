"""Security headers Django does not set by itself, and refusal of NUL characters in addresses."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy: scripts only from our own static files, never inline.

    Styles allow 'unsafe-inline' because plotly.js positions chart elements with inline styles;
    scripts stay strict, which is what stops injected markup from running.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class RefuseNulCharactersMiddleware:
    """Answer 400 when the path or the query string holds a NUL character.

    No field accepts one and PostgreSQL cannot store or compare it, so letting it through would
    only turn into a server error deep inside a query. API addresses answer in the API's error
    shape.
    """

    message = "The address or query string contains a NUL character, which no field accepts."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        if request.path.startswith("/api/"):
            from assessments.api.exceptions import error_body

            return JsonResponse(error_body(code="nul_character", message=self.message), status=400)
        return HttpResponseBadRequest(self.message, content_type="text/plain; charset=utf-8")
