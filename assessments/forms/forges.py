"""Connecting a GitHub organisation or a GitLab group, and previewing how its repositories map
to teams."""

from collections.abc import Sequence
from typing import Any

from django import forms

from ..models import Organization
from .styled import StyledControls


class ForgeConnectForm(StyledControls, forms.Form):
    organization = forms.TypedChoiceField(label="Organisation", coerce=int)
    kind = forms.ChoiceField(
        label="Forge",
        choices=[("github", "GitHub organisation"), ("gitlab", "GitLab group")],
    )
    owner = forms.CharField(
        label="Organisation or group",
        max_length=255,
        help_text="The GitHub organisation (acme) or the GitLab group's path (acme/ml) or id.",
    )
    api_url = forms.CharField(
        label="API address",
        max_length=500,
        required=False,
        help_text="Leave empty for github.com or gitlab.com; for a self-hosted forge, e.g. "
        "https://git.example.com/api/v4 or https://github.example.com/api/v3.",
    )
    # Write-only: never rendered back into the page.
    token = forms.CharField(
        label="Access token",
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Read-only token that can list the repositories (and clone the private "
        "ones); stored encrypted and never shown again.",
    )

    def __init__(
        self, *args: Any, organizations: Sequence[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
            self.fields["organization"].widget = forms.HiddenInput()


class ForgePreviewForm(StyledControls, forms.Form):
    rules = forms.CharField(
        label="Mapping rules",
        required=False,
        max_length=20000,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "spellcheck": "false",
                "aria-describedby": "id_rules-help",
                "placeholder": "topic:fraud = fraud-detection\nname:search-* = search",
            }
        ),
        help_text="One a line, KIND:PATTERN = team-slug; kinds: repo (one repository by its "
        "full name, wins over the others), topic, name (a glob such as fraud-*), regex, and "
        "owners (@org/forge-team, for a CODEOWNERS team whose slug is not the team's). "
        "CODEOWNERS comes next, then the first matching rule; repositories nothing maps are "
        "left out.",
    )
    read_codeowners = forms.BooleanField(
        label="Map by CODEOWNERS teams",
        required=False,
        initial=True,
        help_text="The team @org/team-slug that a repository's CODEOWNERS names for * maps it "
        "to the team with that slug (up to three API calls per repository).",
    )
    include_archived = forms.BooleanField(label="Include archived repositories", required=False)
    include_forks = forms.BooleanField(label="Include forks", required=False)
