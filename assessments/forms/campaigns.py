"""An org admin's campaign: its goal, the teams it asks, its owner and its dates."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User

from .choices import capability_choices, criticality_choices
from .styled import StyledControls


class CampaignForm(StyledControls, forms.Form):
    """What an org admin sets for a campaign; the service checks it against the catalogue."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What the teams read on their home page, e.g. "
        "“Data validation in every pipeline”.",
        error_messages={"required": "Give the campaign a title: the teams read it."},
    )
    goal_kind = forms.ChoiceField(
        label="Goal",
        choices=[
            ("level", "Reach a level"),
            ("capability", "Meet a capability"),
            ("assessed_since", "Submit an assessment after the start"),
        ],
        help_text="Level and capability goals read each team's latest result.",
    )
    goal_level = forms.TypedChoiceField(
        label="Level to reach (level goals)",
        choices=[(1, "Level 1"), (2, "Level 2")],
        coerce=int,
        required=False,
        initial=1,
    )
    goal_capability = forms.ChoiceField(
        label="Capability to meet (capability goals)",
        choices=lambda: [("", "—"), *capability_choices()],
        required=False,
        help_text="A team with an approved exemption from it counts as exempt.",
    )
    scope_tags = forms.CharField(
        label="Teams with any of these tags",
        required=False,
        max_length=1300,
        help_text="Comma-separated, e.g. unit:payments, unit:search; empty for every team.",
    )
    scope_criticalities = forms.MultipleChoiceField(
        label="Teams of these business criticalities",
        choices=criticality_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="As each team last answered; none ticked for every criticality.",
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, help_text="Whom teams ask.")
    starts_on = forms.DateField(
        label="Starts on",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Give the start as a date, such as 2026-07-01."},
    )
    deadline = forms.DateField(
        label="Deadline",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="The last day to reach the goal; teams not done the day after are late.",
        error_messages={"invalid": "Give the deadline as a date, such as 2026-09-30."},
    )

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("owner").choices = [(user.pk, user.get_username()) for user in people]

    def clean_scope_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["scope_tags"].split(",") if tag.strip()]
