"""The audit log's filters."""

from collections.abc import Iterable
from typing import Any

from django import forms

from ..models import AuditAction, Team
from .styled import StyledControls


class AuditFilterForm(StyledControls, forms.Form):
    """The audit log's filters; `teams` are the teams of the organisations the user
    administers."""

    team = forms.ChoiceField(required=False, label="Team")
    action = forms.ChoiceField(required=False, label="Change")

    def __init__(self, *args: Any, teams: Iterable[Team] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("team").choices = [("", "Every team"), *((t.slug, t.name) for t in teams)]
        self.choice_field("action").choices = [("", "Every change"), *AuditAction.choices]
