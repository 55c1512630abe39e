"""A 404 in the API's error shape for addresses no API route matches."""

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from .exceptions import error_body


# Nothing is changed here whatever the method, and a 404 must not turn into a CSRF page.
@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    message = "There is nothing at this address."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            message = f"There is nothing at this address; did you mean {request.path}/ ?"
    return JsonResponse(error_body(code="not_found", message=message), status=404)
