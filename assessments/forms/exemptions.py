"""Asking for an exemption from a capability, and an org admin's decision on it."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.formats import date_format

from ..services.exemptions import TEXT_MAX_LENGTH, exemption_latest_expiry
from .choices import capability_choices
from .styled import StyledControls

# A quarter: teams assess themselves about that often, so the next assessment meets it again.
SUGGESTED_EXEMPTION = timedelta(days=92)


class ExemptionRequestForm(StyledControls, forms.Form):
    capability = forms.ChoiceField(label="Capability", choices=capability_choices)
    reason = forms.CharField(
        label="Why it does not apply to the team",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The org admins decide on this: say what makes the capability not apply now, "
        "and what would change that.",
        error_messages={
            "required": "Give a reason: say why the capability does not apply to the team for now."
        },
    )
    expires_on = forms.DateField(
        label="In force until",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Give the expiry date as a date, such as 2026-09-30."},
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = exemption_latest_expiry(today=today)
        field = self.fields["expires_on"]
        field.widget.attrs.update(
            min=(today + timedelta(days=1)).isoformat(), max=latest.isoformat()
        )
        field.help_text = (
            "The last day the exemption is in force: after today, and no later than "
            f"{date_format(latest, 'j M Y')} (a year)."
        )


class ExemptionDecisionForm(StyledControls, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(
        label="Note to the team",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject: say why.",
    )
