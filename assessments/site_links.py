"""The addresses of the links every signed-in page shows in its header, reversed once per URL
configuration and script prefix rather than on each page view (each `{% url %}` costs a
reversal, and the header had six)."""

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_LINKS = ("home", "campaign_list", "dashboard", "profile", "password_change", "logout")


def site_links(request: HttpRequest) -> dict[str, Any]:
    """Template context: `site_links.<url name>` for each of `_LINKS`; "" for a name the URL
    configuration does not have (a test's own, say), as `{% url ... as name %}` gives."""
    return {"site_links": _links(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())}


@functools.lru_cache(maxsize=16)
def _links(urlconf: str, script_prefix: str) -> dict[str, str]:
    return {name: _reversed(name, urlconf) for name in _LINKS}


def _reversed(name: str, urlconf: str) -> str:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return ""


# An id no address of the site otherwise contains: its place in an address reversed with it.
_ANY_ID = 2**31 - 1


def assessment_address(name: str, assessment_id: int, *rest: str) -> str:
    """`reverse(name, args=[assessment_id, *rest])`, from the address reversed once per URL
    configuration and script prefix with a stand-in id (a questionnaire page shows several)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    pattern = _address_with_any_id(name, rest, urlconf, get_script_prefix())
    return pattern.replace(str(_ANY_ID), str(assessment_id), 1)


@functools.lru_cache(maxsize=64)
def _address_with_any_id(name: str, rest: tuple[str, ...], urlconf: str, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf, args=[_ANY_ID, *rest])
