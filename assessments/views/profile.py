"""The profile page: personal API tokens (create, shown once; list; revoke)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors
from ..access import signed_in
from ..errors import ApplicationError
from ..forms import StyledControls
from ..services.tokens import NAME_MAX_LENGTH, api_token_create, api_token_revoke


class ApiTokenForm(StyledControls, forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Token name",
        help_text="Say what will use it, such as “CI pipeline” or “BI export”.",
    )


def _render(
    request: HttpRequest,
    *,
    form: ApiTokenForm,
    new_token: dict[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    tokens = selectors.api_token_list_for_user(user=signed_in(request.user))
    context = {"form": form, "tokens": tokens, "new_token": new_token}
    response = render(request, "accounts/profile.html", context, status=status)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST creates one and shows its plaintext on this response only.

    The plaintext is rendered directly rather than after a redirect, so it never lands in a URL,
    the session or a message store; `never_cache` keeps it out of the browser's cache.
    """
    if request.method == "GET":
        return _render(request, form=ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    try:
        token, plaintext = api_token_create(
            user=signed_in(request.user), name=form.cleaned_data["name"]
        )
    except ApplicationError as error:
        form.add_error("name", error.message)
        return _render(request, form=form, status=400)
    return _render(request, form=ApiTokenForm(), new_token={"row": token, "plaintext": plaintext})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=signed_in(request.user), token_id=token_id)
    api_token_revoke(token=token, user=signed_in(request.user))
    messages.success(request, f"The token “{token.name}” is revoked; it no longer works.")
    return redirect("profile")
