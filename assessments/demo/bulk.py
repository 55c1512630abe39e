"""Write many rows at once for the synthetic organisations: COPY on PostgreSQL, bulk_create
elsewhere.

`bulk_create` builds a model instance per row and sends parameterised INSERTs: at millions of
answers and capability rows that is most of a large load's time. COPY streams plain tuples in
one statement per table instead. Primary keys are reserved first, from the table's own sequence,
so rows that refer to each other (a result and its capability rows) are written without reading
anything back.

Nothing here runs on a user's request; services keep writing through the ORM.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Row = tuple[Any, ...]
INSERT_BATCH = 2_000


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys no other insert will take, ascending, to write rows with.

    On PostgreSQL they come from the table's identity sequence. Elsewhere (SQLite, one writer at
    a time) they follow the largest key: call it inside the transaction that writes the rows,
    after that transaction has written something, so that it holds the write lock.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608 - names from the model
        largest = int(cursor.fetchone()[0])
        # Django's SQLite keys are AUTOINCREMENT, which never hands out a key again, even one
        # whose row is gone: neither may these (cache keys and fingerprints read the highest).
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        if found is not None:
            largest = max(largest, int(found[0]))
    return list(range(largest + 1, largest + 1 + count))


def fast_compression_use() -> None:
    """Compress this transaction's large values (results' snapshots) with lz4 rather than
    PostgreSQL's default pglz, where the server has it: several times faster to write and to
    read, a little larger. The values read back are the same; other sessions keep the default."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings"
            " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Row]) -> int:
    """Insert `rows` (tuples of the values of `fields`, named by attname) into `model`'s table.

    The model's other fields take their default, as a new instance would (auto_now fields the
    current time); the values given are written as they are, auto_now fields included.
    Returns the number of rows written.
    """
    meta = model._meta
    concrete = {field.attname: field for field in meta.concrete_fields}
    concrete |= {field.name: field for field in meta.concrete_fields}
    given = [concrete[name] for name in fields]
    named = {field.attname for field in given}
    rest = [
        field
        for field in meta.concrete_fields
        if field.attname not in named and not field.primary_key
    ]
    now = timezone.now()
    rest_values = tuple(_default(field, now) for field in rest)
    columns = [*given, *rest]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({names}) FROM STDIN", columns, rest_values, rows)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - names from the model
    written = 0
    with connection.cursor() as cursor:
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, INSERT_BATCH)):
            cursor.executemany(
                sql,
                [
                    [
                        field.get_db_prep_save(value, connection)
                        for field, value in zip(columns, (*row, *rest_values), strict=True)
                    ]
                    for row in batch
                ],
            )
            written += len(batch)
    return written


def _copy(
    sql: str, columns: Sequence[models.Field[Any, Any]], rest_values: Row, rows: Iterable[Row]
) -> int:
    json_positions = [
        position for position, field in enumerate(columns) if isinstance(field, models.JSONField)
    ]
    # Rows of the same answers share their snapshot objects (the history scores each distinct
    # set of answers once): encode each object once. The cache holds the object, so its id
    # cannot be reused by another while the cache lives.
    encoded: dict[int, tuple[Any, str]] = {}
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [*row, *rest_values]
            for position in json_positions:
                values[position] = _json(values[position], encoded)
            copy.write_row(values)
            written += 1
    return written


def _default(field: models.Field[Any, Any], now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _json(value: Any, encoded: dict[int, tuple[Any, str]]) -> str | None:
    if value is None:
        return None
    known = encoded.get(id(value))
    if known is None:
        # Without spaces: less to send and parse; jsonb stores the same value either way.
        known = encoded[id(value)] = (value, json.dumps(value, separators=(",", ":")))
    return known[1]
