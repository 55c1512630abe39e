"""Single sign-on in the browser: the way to the provider and back (mozilla-django-oidc's views
with the app's messages), logging out of both, and the org admins' page of group rules."""

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from requests import HTTPError, RequestException

from .. import selectors, sso
from ..access import is_org_admin, signed_in
from ..errors import ApplicationError
from ..forms import GroupMappingRuleForm
from ..services.sso import group_mapping_rule_create, group_mapping_rule_delete

logger = logging.getLogger(__name__)

# The standard error codes a provider sends back (RFC 6749 4.1.2.1, OpenID Connect 3.1.2.6).
PROVIDER_ERRORS = {
    "access_denied": "access was refused",
    "login_required": "you need to sign in there first",
    "consent_required": "this application needs your consent there",
    "interaction_required": "it needs you to do something there first",
    "temporarily_unavailable": "it is temporarily unavailable",
    "server_error": "it had an internal error",
}
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 (the session key, not a secret)


def _unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("single sign-on: %s", error)
    messages.error(
        request,
        f"{sso.provider_name()} could not be reached, so signing in with it failed. "
        "Try again in a moment; if it goes on, tell your administrator.",
    )
    return redirect("login")


class OidcAuthenticateView(OIDCAuthenticationRequestView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """Sends the browser to the provider's sign-in page (state, nonce and PKCE kept in the
    session)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID", "")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.oidc_enabled():
            raise Http404("Single sign-on is not set up here.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.provider().authorization_endpoint
        except sso.ProviderUnavailable as error:
            return _unavailable(request, error)
        response: HttpResponse = super().get(request)
        return response


class OidcCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """The provider sends the browser back here with a code; the backend trades it for tokens,
    checks them and signs the user in. A refusal says why on the login page."""

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.oidc_enabled():
            raise Http404("Single sign-on is not set up here.")
        try:
            response: HttpResponse = super().get(request)
            return response
        except SuspiciousOperation as error:
            logger.warning("single sign-on refused: %s", error)
            self._failure_message = (
                f"The answer from {sso.provider_name()} could not be verified, so you were not "
                f"signed in ({error})."
            )
            return self.login_failure()
        except HTTPError as error:
            answered = error.response is not None and 400 <= error.response.status_code < 500
            if not answered:
                return _unavailable(request, error)
            logger.warning("single sign-on: the provider refused the code: %s", error)
            self._failure_message = (
                f"{sso.provider_name()} refused to finish signing you in (the sign-in took too "
                "long or was already used): start again."
            )
            return self.login_failure()
        except (sso.ProviderUnavailable, RequestException) as error:
            return _unavailable(request, error)

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            # The provider's own description is not shown: anyone can put text in this address.
            code = self.request.GET["error"]
            reason = PROVIDER_ERRORS.get(code, "it answered with an error")
            message = f"{sso.provider_name()} did not sign you in: {reason}."
        else:
            message = getattr(
                self,
                "_failure_message",
                f"Signing in with {sso.provider_name()} did not complete: start again.",
            )
        messages.error(self.request, message)
        response: HttpResponse = super().login_failure()
        return response


def _provider_logout_url(request: HttpRequest, id_token: str) -> str | None:
    """The provider's end-session address, back to the login page afterwards; None when the
    provider has none or cannot be reached (the app's own session is ended either way)."""
    try:
        endpoint = sso.provider().end_session_endpoint
    except sso.ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


class LogoutView(auth_views.LogoutView):
    """Django's log-out; a session that began at the provider is ended there too."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(SESSION_ID_TOKEN) if sso.oidc_enabled() else None
        if not id_token:
            return super().post(request, *args, **kwargs)
        auth_logout(request)
        target = _provider_logout_url(request, id_token)
        if target is None:
            return redirect(self.get_success_url())
        return HttpResponseRedirect(target)


# --- The group rules page ---------------------------------------------------------------------


@login_required
def sso_rules(request: HttpRequest) -> HttpResponse:
    """List, add and delete the group rules of the organisations the user administers."""
    if not is_org_admin(request.user):
        raise PermissionDenied(
            "Only org admins manage single sign-on group rules: they give people roles across "
            "the organisation."
        )
    organizations = list(selectors.organizations_administered(user=request.user))
    teams = list(selectors.teams_administered_by(user=request.user))
    form = GroupMappingRuleForm(request.POST or None, organizations=organizations, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = next(o for o in organizations if o.slug == data["organization"])
        team = next((t for t in teams if t.slug == data["team"]), None)
        try:
            rule = group_mapping_rule_create(
                organization=organization,
                group=data["group"],
                team=team,
                role=data["role"],
                actor=signed_in(request.user),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Added: members of “{rule.group}” become {rule.get_role_display()} "
                f"of {rule.team or rule.organization} at their next sign-in.",
            )
            return redirect("sso_rules")
    rules = selectors.group_mapping_rules_for_user(user=request.user)
    context = {
        "form": form,
        "rules": rules,
        "several_organizations": len(organizations) > 1,
        "groups_claim": settings.OIDC_GROUPS_CLAIM,
    }
    return render(
        request, "assessments/sso_rules.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def sso_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.group_mapping_rules_for_user(user=request.user), pk=pk)
    group_mapping_rule_delete(rule=rule, actor=signed_in(request.user))
    messages.success(
        request,
        f"Deleted the rule for “{rule.group}”; the memberships it granted end at each member's "
        "next sign-in.",
    )
    return redirect("sso_rules")
