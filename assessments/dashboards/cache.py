"""Dashboard sections cached until the data they show changes.

An organisation overview of 500 teams reads tens of thousands of rows, and most views of it
show data that has not changed since the previous view. The rendered charts and tables of a
page are cached under a key made of:

* the page and its query string (the filters);
* the teams the user may see, with their names and slugs: a membership given or taken away,
  or a team renamed, changes the key at once, so nobody sees a team they lost access to;
* a fingerprint of the data, read in the same query: the highest capability row id (every
  result computed, new or recomputed after a scan, writes new rows; roadmap steps change in
  the same transaction), the number of results counted per month (a result deleted), the
  number and highest id of team tags (a tag added or removed), and
  the latest decision on an exemption (approved, rejected or withdrawn: the counts of
  exemptions in force move; their expiry moves with the date, below);
* each team's organisation's name and headline model (Google's or Microsoft's levels lead
  the page);
* the catalogue version, and today's date (days outstanding move with it).

Entries also expire after `CACHE_SECONDS`, a bound on what the fingerprint cannot see.
"""

import hashlib
from typing import Any

from django.core.cache import cache as django_cache
from django.utils import timezone

from .. import maturity
from ..access import UserOrAnonymous
from ..selectors import dashboards as dashboard_selectors

CACHE_SECONDS = 300
KEY_PREFIX = "dashboards:v4"  # v4: the organisations' names in the digest


def page_key(*, name: str, user: UserOrAnonymous, query: str) -> str:
    """The cache key of a page for this user, these filters and the data as it is now (one
    query, see `dashboard_state`)."""
    parts = (
        KEY_PREFIX,
        name,
        query,
        repr(dashboard_selectors.dashboard_state(user=user)),
        maturity.load_catalogue().version,
        timezone.localdate().isoformat(),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{digest}"


def lookup(key: str) -> dict[str, Any] | None:
    """The page entry stored under `key`, or None when it is not (or no longer) there."""
    entry: dict[str, Any] | None = django_cache.get(key)
    return entry


def store(key: str, value: dict[str, Any]) -> None:
    django_cache.set(key, value, CACHE_SECONDS)
