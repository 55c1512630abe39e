import datetime
import json
from collections.abc import Mapping
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from ..models import Repository

register = template.Library()

# What Django's json_script escapes, and how.
_JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


@register.filter(is_safe=True)
def chart_json(value: Any, element_id: str) -> SafeString:
    """Django's `json_script` (the same markup, byte for byte), escaping with three
    replacements rather than `str.translate`: a dashboard's chart data runs to tens of
    kilobytes, which translate walks a character at a time."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    for character, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    # Escaped above as json_script escapes it: nothing in it can close the script element.
    data = mark_safe(text)  # noqa: S308
    if element_id:
        return format_html('<script id="{}" type="application/json">{}</script>', element_id, data)
    return format_html('<script type="application/json">{}</script>', data)


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """Look up a dict entry by a variable key, which the template language cannot do itself."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """ "just now" for the last minute, else "3 hours ago" (timesince says "0 minutes")."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment)} ago"


@register.simple_tag
def file_url(
    repository: Repository, commit: str | None, path: str | None, line: int | None = None
) -> str:
    """The file at the scanned commit on its forge, or "" where none is known."""
    return repository.file_url(commit or "", path, line) or ""


@register.filter
def key_words(key: object) -> str:
    """A data key read as words: "not_visible" -> "not visible"."""
    return str(key).replace("_", " ")


@register.filter
def iso_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD (as stored in JSON) as a date, for the date filter."""
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
