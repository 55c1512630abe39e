"""Logging in: Django's view, answering 429 while the username is locked out."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.urls import reverse

from ..forms import LoginForm
from ..services.login_guard import LOCKOUT_SECONDS
from .errors import too_many_requests


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.has_error("__all__", code="locked_out"):
            return too_many_requests(
                self.request,
                message="Too many failed log-in attempts for this username.",
                advice=(
                    "The username is locked for a while so that its password cannot be guessed. "
                    "If you have forgotten your password, your organisation's admin can set a "
                    "new one."
                ),
                retry_after=LOCKOUT_SECONDS,
                back_url=reverse("login"),
                back_label="Back to the log-in page",
            )
        return super().form_invalid(form)
