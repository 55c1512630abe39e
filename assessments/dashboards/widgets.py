"""The dashboards' filter widgets, rendered in Python with the markup of Django's templates:
the filter form renders on every dashboard request, cached or not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    # What the mixin is combined with, for the checker only: at run time it stays a plain mixin.
    _ChoiceWidget = forms.Select
else:
    _ChoiceWidget = object


def _attributes(attrs: Mapping[str, Any]) -> str:
    """Attributes as attrs.html writes them: True as a bare name, anything else as text
    (what a widget leaves out, it leaves out of `attrs`)."""
    return "".join(
        f" {escape(key)}" if val is True else f' {escape(key)}="{escape(str(val))}"'
        for key, val in attrs.items()
    )


class _QuickSelectMixin(_ChoiceWidget):
    """A select rendered in Python rather than one template per option: the filter form has
    dozens of options on a page that should render in milliseconds. Same markup otherwise."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        attributes = _attributes(
            {key: val for key, val in final.items() if val is not None and val is not False}
        )
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        html = f'<select name="{escape(name)}"{attributes}>{options}</select>'
        return mark_safe(html)  # noqa: S308 - every name, value and label is escaped above


class TextPairs(BaseChoiceIterator):
    """Choices that are already (value, label) pairs of text, which Django takes as they are:
    normalising each pair of an organisation's hundreds of teams cost the compare page more
    than a millisecond on every request."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = list(pairs)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)


class Select(_QuickSelectMixin, forms.Select):
    pass


class SelectMultiple(_QuickSelectMixin, forms.SelectMultiple):
    pass


class DateInput(forms.DateInput):
    """A date input rendered in Python, as the selects are: the markup of Django's input.html,
    without rendering two templates per field on every dashboard page."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        shown = self.format_value(value)
        value_attribute = "" if shown is None else f' value="{escape(str(shown))}"'
        # As attrs.html writes them: False left out.
        final = self.build_attrs(self.attrs, attrs)
        attributes = _attributes({key: val for key, val in final.items() if val is not False})
        html = (
            f'<input type="{self.input_type}" name="{escape(name)}"{value_attribute}{attributes}>'
        )
        return mark_safe(html)  # noqa: S308 - every name, value and attribute is escaped above
