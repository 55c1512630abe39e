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
a caller needs those). Each parameter is an integer (an id), found in the compiled SQL by a
sentinel value no real id takes; whatever else the query holds is fixed when it is compiled.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

ModelT = TypeVar("ModelT", bound=Model)

# The lowest values of a 32-bit integer column (Django's AutoField, as the user's id): never an
# id a sequence hands out, so no constant of a query is mistaken for one, and in range of
# every integer column, so the ORM compiles the query rather than calling it empty.
_SENTINEL_BASE = -(2**31)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # For each parameter of the SQL: the name of the value to put there, or None for a
    # constant of the query itself.
    slots: tuple[str | None, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]


class CompiledQuery:
    """A `values_list()` query built by `build(**ids)`, compiled once per database alias.

    `rows(**ids)` runs it with those ids and returns its rows as the queryset would.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]):
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, using: str = DEFAULT_DB_ALIAS, **ids: int) -> list[tuple[Any, ...]]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using, sorted(ids))
        params = [
            param if slot is None else ids[slot]
            for param, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in fetched]
        return list(_converted(compiled, fetched))

    def _compile(self, using: str, names: list[str]) -> _Compiled:
        sentinels = {name: _SENTINEL_BASE + index for index, name in enumerate(names)}
        queryset = self._build(**sentinels)
        names_by_sentinel = {value: name for name, value in sentinels.items()}
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise ValueError("The query cannot be compiled: it would match nothing.") from None
        slots = tuple(
            names_by_sentinel.get(param) if type(param) is int else None for param in params
        )
        missing = set(names) - set(slots)
        if missing:
            raise ValueError(f"The compiled query does not use {', '.join(sorted(missing))}.")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(sql, tuple(params), slots, compiler, converters)


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
