"""ORM queries turned into SQL once per process and then run with new values.

Building a queryset and compiling it to SQL costs Django more CPU than the database spends
answering the small reads of the questionnaire's hot paths (0.5 to 3 ms against about 0.1 ms
each, measured by benchmarks/questionnaire_page.py): the same few queries, with a different
id each time, on every page view and autosave. A `CompiledQuery` keeps the ORM as the one
statement of such a query (it is written, and reviewed, as an ordinary queryset) and compiles
it the first time it runs on each database; later runs pass the new values to the same SQL and
convert the rows as the ORM would (JSON decoded, dates made aware, and so on).

Only `values_list()` querysets qualify: their rows are plain tuples, so nothing else of the
ORM's machinery is needed to read them (`instance_from` builds model instances from them when
a caller needs those). Each parameter is an integer (an id), or a text the query names as such
(a session's key), found in the compiled SQL by a sentinel value no real id or key takes;
whatever else the query holds is fixed when it is compiled.
"""

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

_ServerBindingCursor: type[Any] | None
try:
    from django.db.backends.postgresql import base as _postgresql
    from psycopg.postgres import types as _postgres_types
    from psycopg.pq import Format

    # A cursor that binds values on the server (psycopg 3; psycopg 2 has none).
    _ServerBindingCursor = getattr(_postgresql, "ServerBindingCursor", None)
    _TIMESTAMPTZ_OID = _postgres_types["timestamptz"].oid
except (ImportError, ImproperlyConfigured):  # no psycopg installed: SQLite only
    _ServerBindingCursor = None

ModelT = TypeVar("ModelT", bound=Model)

# The lowest values of a 32-bit integer column (Django's AutoField, as the user's id): never an
# id a sequence hands out, so no constant of a query is mistaken for one, and in range of
# every integer column, so the ORM compiles the query rather than calling it empty.
_SENTINEL_BASE = -(2**31)
# The ids a 64-bit key column holds; the ORM matches nothing for any other.
_ID_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # For each parameter of the SQL: the name of the value to put there, or None for a
    # constant of the query itself.
    slots: tuple[str | None, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]
    names: frozenset[str]  # the ids it takes
    locks: bool  # select_for_update: only inside a transaction


class CompiledQuery:
    """A `values_list()` query built by `build(**ids)`, compiled once per database connection.

    `rows(**ids)` runs it with those ids and returns its rows as the queryset would. Each thread
    has its own connection (Django's), so each compiles its own copy: nothing compiled on one
    thread, converters included, is used by another.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *, texts: Iterable[str] = ()):
        self._build = build
        # The values that are text (a session's key, say) rather than ids.
        self._texts = frozenset(texts)
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    def rows(self, using: str = DEFAULT_DB_ALIAS, **ids: int | str) -> list[tuple[Any, ...]]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(using, sorted(ids))
        if set(ids) != compiled.names:
            raise TypeError(f"The query takes the ids {', '.join(sorted(compiled.names))}.")
        numbers = [value for value in ids.values() if isinstance(value, int)]
        texts = {name for name, value in ids.items() if isinstance(value, str)}
        if texts != self._texts or len(numbers) + len(texts) != len(ids):
            raise TypeError(f"The query takes as text exactly {sorted(self._texts)}.")
        if any(not _ID_RANGE[0] <= value <= _ID_RANGE[1] for value in numbers):
            # What the ORM does with an id no column can hold (from a URL, say): match nothing,
            # rather than hand the database a number it refuses.
            return []
        if compiled.locks and connection.get_autocommit():
            # The ORM refuses this when it compiles; compiled once, the check runs every time.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [
            param if slot is None else ids[slot]
            for param, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in fetched]
        return list(_converted(compiled, fetched))

    def _compile(self, using: str, names: list[str]) -> _Compiled:
        sentinels: dict[str, int | str] = {
            # No key of the application's begins with a NUL character.
            name: f"\x00{name}" if name in self._texts else _SENTINEL_BASE + index
            for index, name in enumerate(names)
        }
        queryset = self._build(**sentinels)
        names_by_sentinel = {value: name for name, value in sentinels.items()}
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise ValueError("The query cannot be compiled: it would match nothing.") from None
        slots = tuple(
            names_by_sentinel.get(param) if type(param) in (int, str) else None for param in params
        )
        missing = set(names) - set(slots)
        if missing:
            # An id the builder changed (`id + 1`, a cast) is not found among the parameters
            # either: the builder must pass each id to a lookup as it is.
            raise ValueError(f"The compiled query does not use {', '.join(sorted(missing))}.")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(
            sql,
            tuple(params),
            slots,
            compiler,
            converters,
            frozenset(names),
            locks=queryset.query.select_for_update,
        )


def _cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of `connection`; on PostgreSQL (psycopg 3) a `_PreparingCursor`."""
    if connection.vendor != "postgresql" or _ServerBindingCursor is None:
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    ordinary = raw.cursor_factory
    # Only for this cursor: the ORM's own statements keep binding their values in the SQL.
    raw.cursor_factory = _preparing_cursor()
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = ordinary


@functools.cache
def _preparing_cursor() -> type[Any]:
    class _PreparingCursor(_ServerBindingCursor):  # type: ignore[misc, valid-type]
        """Sends the values apart from the SQL, so psycopg prepares each statement the first
        time a connection runs it (`prepare_threshold` in settings) and the server plans it
        once per connection rather than on every run: planning the questionnaire's reads took
        longer than running them. And reads each distinct timestamp of a result once: Django's
        loader parses them in Python, and a page's answers carried over all hold the same."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            django_loader = self.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
            self.adapters.register_loader("timestamptz", _each_value_once(django_loader))

    return _PreparingCursor


@functools.cache
def _each_value_once(loader: type[Any]) -> type[Any]:
    """`loader`, remembering what it loaded from each text for as long as it lives (one
    cursor): the values are immutable and the text says all there is to them."""

    class _EachValueOnce(loader):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._loaded: dict[bytes, Any] = {}

        def load(self, data: Any) -> Any:
            text = bytes(data)
            if text not in self._loaded:
                self._loaded[text] = super().load(data)
            return self._loaded[text]

    return _EachValueOnce


def _converted(compiled: _Compiled, fetched: list[Any]) -> Iterator[tuple[Any, ...]]:
    for row in compiled.compiler.apply_converters(fetched, compiled.converters):
        yield tuple(row)


def concrete_columns(model: type[Model], path: str = "") -> list[str]:
    """What `values_list()` takes for every concrete field of `model`, reached through `path`
    ("team__" for an assessment's team), in the model's field order: the row `instance_from`
    turns back into the instance the ORM would have built."""
    return [f"{path}{field.name}" for field in model._meta.concrete_fields]


def instance_from(model: type[ModelT], row: tuple[Any, ...], start: int, using: str) -> ModelT:
    """The `model` whose `concrete_columns` start at `start` in `row`, as loaded from `using`."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    return model.from_db(using, names, row[start : start + len(fields)])
