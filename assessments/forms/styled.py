"""The look every form shares: the base stylesheet's class on each control."""

from typing import Any

from django import forms

# Bootstrap's class for each kind of control, most specific first: check boxes and radio
# buttons (CheckboxSelectMultiple is a RadioSelect), menus, then every text-like input.
_CONTROL_CLASSES = (
    (forms.RadioSelect, "form-check-input"),
    (forms.CheckboxInput, "form-check-input"),
    (forms.Select, "form-select"),
    (forms.Widget, "form-control"),
)


class StyledControls:
    """Gives every field's control the base stylesheet's class, so forms look alike everywhere."""

    # Set by the form class this is mixed into (Django's BaseForm).
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css_class = next(c for kind, c in _CONTROL_CLASSES if isinstance(field.widget, kind))
            classes = field.widget.attrs.get("class", "").split()
            if css_class not in classes:
                field.widget.attrs["class"] = " ".join([*classes, css_class])

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The field `name`, declared on the form as a menu, whose choices depend on the user."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"The form's field {name!r} is not a ChoiceField.")
        return field
