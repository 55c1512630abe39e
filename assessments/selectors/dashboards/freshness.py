"""What a cached dashboard depends on for a user, read in one query (dashboards/cache.py keys
its entries with it)."""

from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    F,
    IntegerField,
    Max,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from ...access import UserOrAnonymous, member_id, teams_of_member, visible_teams
from ...compiled_queries import CompiledQuery
from ...models import Exemption, OrganizationMonth, Team, TeamTag
from ..results import newest_computation

_FINGERPRINT_NAMES = (
    "fingerprint_computed",
    "fingerprint_counted",
    "fingerprint_tags",
    "fingerprint_last_tag",
    "fingerprint_decided",
)


def dashboard_state(*, user: UserOrAnonymous) -> tuple[tuple[str, str | None], ...]:
    """The visible teams as one digest of what the pages show of them, with the data
    fingerprint beside it: one query and one row (the database runs the fingerprint's
    uncorrelated subqueries once). No visible team reads as all None: no data to show, whatever
    the fingerprint.

    Read on every dashboard request, cached or not: for a member or an admin (anyone but a
    superuser) the query is compiled once and run with their id (see CompiledQuery)."""
    member = member_id(user)
    if member is not None:
        rows = _STATE_OF_MEMBER.rows(user_id=member)
    else:
        # No query at all for nobody's teams (`none()`): no row, read as all None.
        rows = list(_state(visible_teams(user)))
    row = rows[0] if rows else (None,) * len(_STATE_NAMES)
    return tuple(sorted(zip(_STATE_NAMES, row, strict=True)))


def _state(teams: QuerySet[Team]) -> QuerySet[Any, Any]:
    """The digest and fingerprint of `teams` as a query of one row: aggregates grouped by a
    constant, which the ORM leaves out, so no team still gives one row (of None), as
    `aggregate()` does."""
    # As text: one conversion for a time and a few numbers, whatever their types.
    signals = _fingerprint_sql()
    fingerprint = {name: Max(Cast(signals[name], TextField())) for name in _FINGERPRINT_NAMES}
    row: QuerySet[Any, Any] = (
        teams.order_by()
        .annotate(whole=Value(1, output_field=IntegerField()))
        .values("whole")
        .annotate(teams=_TeamsDigest(), **fingerprint)
        .values_list("teams", *fingerprint)
    )
    return row


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


# What a page shows of each visible team: a change to any of these changes the key.
_TEAM_FIELDS = (
    "pk",
    "organization_id",
    "organization__name",
    "organization__headline_lens",
    "name",
    "slug",
)


class _TeamsDigest(Aggregate):
    """The visible teams' shown fields as one value, so hundreds or thousands of teams come to
    Python as one short text instead of as rows converted one by one.

    PostgreSQL writes each team as a row literal (quoted where needed, so no name can pass for
    another team's fields) and returns the md5 of them all in id order. SQLite quotes each field
    as an SQL literal and joins them; its GROUP_CONCAT takes no order before 3.44, so the order
    is its scan order, and an order that changes only costs a cache miss."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(F(name) for name in _TEAM_FIELDS))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        columns = self._columns(compiler)
        row = f"ROW({', '.join(columns)})::text"
        return f"md5(STRING_AGG({row}, ',' ORDER BY {columns[0]}))", []

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        quoted = " || ',' || ".join(f"quote({column})" for column in self._columns(compiler))
        return f"GROUP_CONCAT({quoted}, ';')", []

    def _columns(self, compiler: Any) -> list[str]:
        columns = []
        # The fields, without the aggregate's own (empty) filter after them.
        for expression in self.get_source_expressions()[: len(_TEAM_FIELDS)]:
            sql, params = compiler.compile(expression)
            # Plain columns carry no parameter, so the id may be written twice (to order by).
            if params:
                raise ValueError("a team field compiled with parameters")
            columns.append(sql)
        return columns


_STATE_NAMES = ("teams", *_FINGERPRINT_NAMES)
_STATE_OF_MEMBER = CompiledQuery(lambda user_id: _state(teams_of_member(user_id)))
