"""An organisation's own settings: its headline model."""

from collections.abc import Sequence
from typing import Any

from django import forms

from ..models import HeadlineLens, Organization
from .styled import StyledControls


class HeadlineLensForm(StyledControls, forms.Form):
    """The organisation's headline model; `organizations` are the ones the user administers."""

    organization = forms.ChoiceField(label="Organisation")
    headline_lens = forms.ChoiceField(
        label="Headline model",
        choices=HeadlineLens.choices,
        widget=forms.RadioSelect,
        help_text="The levels the home page, the dashboards and each result lead with. The "
        "other model's level is shown beside it; both are read from the same answers.",
    )

    def __init__(
        self, *args: Any, organizations: Sequence[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].slug
            self.fields["headline_lens"].initial = organizations[0].headline_lens
