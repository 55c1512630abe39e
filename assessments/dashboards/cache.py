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
* each team's organisation's headline model (Google's or Microsoft's levels lead the page);
* the catalogue version, and today's date (days outstanding move with it).

Entries also expire after `CACHE_SECONDS`, a bound on what the fingerprint cannot see.
"""

import hashlib
from typing import Any

from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from .. import maturity
from ..access import UserOrAnonymous, visible_teams
from ..models import Exemption, OrganizationMonth, TeamTag
from ..selectors.results import newest_computation

CACHE_SECONDS = 300
KEY_PREFIX = "dashboards:v2"  # v2: entries carry the organisations' headline models


def _fingerprint_sql() -> dict[str, RawSQL | Subquery]:
    """Cheap signals of change, each read from an index or a small table.

    Every result computed, new or recomputed after a scan, writes fresh capability rows (see
    services/results.py), so the highest capability row id moves with each computation, and the
    roadmap steps are written in the same transaction. Tags are replaced by delete and insert:
    their count and highest id move when a tag comes or goes. Every decision on an exemption
    stamps its time.
    """
    tag = connection.ops.quote_name(TeamTag._meta.db_table)
    exemption = connection.ops.quote_name(Exemption._meta.db_table)
    months = connection.ops.quote_name(OrganizationMonth._meta.db_table)
    # Table names come from the models, never from a request.
    return {
        "fingerprint_computed": newest_computation(),
        # Results counted per organisation and month move with every result deleted too, which
        # the newest computation above does not show unless the newest was deleted.
        "fingerprint_counted": RawSQL(f"SELECT SUM(assessments) FROM {months}", ()),  # noqa: S608, S611
        "fingerprint_tags": RawSQL(f"SELECT COUNT(*) FROM {tag}", ()),  # noqa: S608, S611
        "fingerprint_last_tag": RawSQL(f"SELECT MAX(id) FROM {tag}", ()),  # noqa: S608, S611
        "fingerprint_decided": RawSQL(f"SELECT MAX(decided_at) FROM {exemption}", ()),  # noqa: S608, S611
    }


def page_key(*, name: str, user: UserOrAnonymous, query: str) -> str:
    """The cache key of a page for this user, these filters and the data as it is now.

    One query: the visible teams, each row carrying the data fingerprint (the database runs
    those uncorrelated subqueries once). No visible team means no data to show, whatever the
    fingerprint.
    """
    # As text: the same few values repeat on every team's row, and thousands of rows would
    # otherwise each have their time and numbers converted to Python only to be printed.
    fingerprint = {name: Cast(value, TextField()) for name, value in _fingerprint_sql().items()}
    teams = list(
        visible_teams(user)
        .order_by("pk")
        .annotate(**fingerprint)
        .values_list(
            "pk", "organization_id", "organization__headline_lens", "name", "slug", *fingerprint
        )
    )
    parts = (
        KEY_PREFIX,
        name,
        query,
        repr(teams),
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
