from django import forms

from .services.repositories import MAX_INTERVAL_HOURS, MIN_INTERVAL_HOURS


class RepositoryConnectForm(forms.Form):
    url = forms.CharField(
        label="Repository URL",
        max_length=500,
        help_text="An https:// address, e.g. https://github.com/your-org/your-repo.git",
    )
    branch = forms.CharField(
        label="Branch", max_length=200, required=False, help_text="Leave empty for the default."
    )
    # Write-only: never rendered back into the page.
    access_token = forms.CharField(
        label="Access token (private repositories)",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Read-only token; stored encrypted and never shown again.",
    )
    scan_interval_hours = forms.IntegerField(
        label="Rescan every (hours)",
        min_value=MIN_INTERVAL_HOURS,
        max_value=MAX_INTERVAL_HOURS,
        initial=24,
    )
