"""Logging in and changing one's password."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from .. import sso
from ..services.login_guard import LOCKOUT_SECONDS, login_is_locked_out
from .styled import StyledControls


class LoginForm(StyledControls, AuthenticationForm):
    """Django's login form, saying so when the username is locked out after repeated failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not sso.local_passwords_enabled():
            raise forms.ValidationError(
                f"Password log-in is turned off here: sign in with {sso.provider_name()}.",
                code="passwords_off",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username and login_is_locked_out(username=username):
                minutes = LOCKOUT_SECONDS // 60
                raise forms.ValidationError(
                    f"Too many failed attempts for this username; try again in {minutes} minutes.",
                    code="locked_out",
                ) from None
            raise


class StyledPasswordChangeForm(StyledControls, PasswordChangeForm):
    """Django's password change form with the app's controls."""
