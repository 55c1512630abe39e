"""The rules that turn a single sign-on provider's groups into memberships."""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from ..models import Organization, Role, Team
from .styled import StyledControls


class GroupMappingRuleForm(StyledControls, forms.Form):
    """A single sign-on group rule; `organizations` are the ones the user administers."""

    organization = forms.ChoiceField(label="Organisation")
    group = forms.CharField(
        label="Group",
        max_length=200,
        help_text="The group's name exactly as the provider sends it in the groups claim.",
    )
    team = forms.ChoiceField(
        label="Team",
        required=False,
        help_text="Leave empty for org admins, who hold their role across the organisation.",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[Organization] = (),
        teams: Iterable[Team] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        several = len({o.pk for o in organizations}) > 1
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        if not several and organizations:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].slug
        self.choice_field("team").choices = [
            ("", "No team: across the organisation"),
            *((t.slug, f"{t.name} ({t.organization.name})" if several else t.name) for t in teams),
        ]
