import datetime
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from ..models import Repository

register = template.Library()


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
