"""Importing an organisation's check set as YAML."""

from typing import Any, cast

from django import forms
from django.http import QueryDict

from ..maturity.custom_checks import MAX_TEXT_BYTES
from .styled import StyledControls

CHECK_SET_MAX_BYTES = MAX_TEXT_BYTES


class CheckSetImportForm(StyledControls, forms.Form):
    """An organisation's check set as YAML: pasted, or a file uploaded (the file wins)."""

    yaml_text = forms.CharField(
        label="Check set (YAML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "check-set-yaml"}),
        help_text="Paste the whole set: it replaces the current version.",
    )
    yaml_file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="A .yaml file from your repository, at most 100 kB.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("yaml_file")
        if upload is not None:
            if upload.size > CHECK_SET_MAX_BYTES:
                raise forms.ValidationError("The file is larger than 100 kB; split or shorten it.")
            try:
                data["yaml_text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "The file is not UTF-8 text; upload the YAML file itself."
                ) from None
            # Shown back in the text box, so an error can be fixed there.
            # Bound from request.POST: a QueryDict, whose copy can be changed.
            shown = cast(QueryDict, self.data).copy()
            shown["yaml_text"] = data["yaml_text"]
            self.data = shown
        if not data.get("yaml_text", "").strip():
            raise forms.ValidationError("Paste the check set's YAML or choose a file to upload.")
        return data
