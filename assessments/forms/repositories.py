"""Connecting a team's repository, and what part of the ML system it holds."""

from django import forms

from ..services.repositories import MAX_INTERVAL_HOURS, MIN_INTERVAL_HOURS
from .choices import dimension_choices
from .styled import StyledControls

HOLDS_HELP = (
    "Tick the parts of the ML system whose code lives here; leave all unticked when it holds "
    "the whole system. Answers about other parts are never contradicted by this repository."
)


class RepositoryHoldsForm(StyledControls, forms.Form):
    holds = forms.MultipleChoiceField(
        label="This repository holds",
        choices=dimension_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=HOLDS_HELP,
    )


class RepositoryConnectForm(StyledControls, forms.Form):
    url = forms.CharField(
        label="Repository URL",
        max_length=500,
        help_text="An https:// address, e.g. https://github.com/your-org/your-repo.git",
    )
    branch = forms.CharField(
        label="Branch", max_length=200, required=False, help_text="Leave empty for the default."
    )
    project = forms.CharField(
        label="Project folder (monorepos)",
        max_length=300,
        required=False,
        help_text="A folder such as projects/churn, judged on its own; empty for the whole "
        "repository.",
    )
    # Write-only: never rendered back into the page.
    access_token = forms.CharField(
        label="Access token (private repositories)",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Read-only token; stored encrypted and never shown again.",
    )
    holds = forms.MultipleChoiceField(
        label="This repository holds",
        choices=dimension_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=HOLDS_HELP,
    )
    scan_interval_hours = forms.IntegerField(
        label="Rescan every (hours)",
        min_value=MIN_INTERVAL_HOURS,
        max_value=MAX_INTERVAL_HOURS,
        initial=24,
    )
