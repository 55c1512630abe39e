"""Inviting people to a team or as organisation admins, and the new account an invitation
opens."""

from collections.abc import Collection, Iterable
from typing import Any

from django import forms

from ..models import Organization, Role
from .styled import StyledControls


class InvitationForm(StyledControls, forms.Form):
    """Invite someone to a team; `roles` are the roles the inviter may give (access.py)."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=())

    def __init__(self, *args: Any, roles: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("role").choices = [(r, Role(r).label) for r in roles]
        self.fields["role"].initial = Role.MEMBER if Role.MEMBER in roles else None
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class OrganizationInvitationForm(StyledControls, forms.Form):
    """Invite an organisation admin, to one of the organisations the inviter administers."""

    email = forms.EmailField(label="Email address", max_length=254)
    organization = forms.ChoiceField(label="Organisation", choices=())

    def __init__(
        self, *args: Any, organizations: Iterable[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class InvitationSignupForm(StyledControls, forms.Form):
    """A new account for an invited address; the service checks the username and password."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only; what you log in with.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return cleaned
