"""Reading raw catalogue entries against their schema, collecting every problem found."""

from __future__ import annotations

import re
from typing import Any

from .model import CatalogueError

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class EntryReader:
    """Collects every problem in one pass per phase, so one run shows all typos at once."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, entry: str | None, message: str) -> None:
        where = f"{self.source}: {entry}: " if entry else f"{self.source}: "
        self.problems.append(where + message)

    def check(self) -> None:
        if self.problems:
            raise CatalogueError(self.problems)

    def fields(
        self, entry: str | None, raw: Any, schema: dict[str, bool], what: str = "key"
    ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.problem(entry, f"must be a mapping, not {type(raw).__name__}")
            return {}
        for name in raw:
            if name not in schema:
                self.problem(entry, f"unknown {what} {name!r}")
        for name, required in schema.items():
            if required and name not in raw:
                self.problem(entry, f"missing required {what} {name!r}")
        return {k: v for k, v in raw.items() if k in schema}

    def entry_list(self, raw: Any, name: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            self.problem(None, f"{name} must be a non-empty list")
            return []
        return raw

    def text(self, entry: str, values: dict[str, Any], name: str) -> str:
        value = values.get(name, "")
        if name in values and (not isinstance(value, str) or not value.strip()):
            self.problem(entry, f"{name} must be a non-empty string")
            return ""
        return value.strip() if isinstance(value, str) else ""

    def keyed(self, raw: Any, label: str, index: int, seen: set[str]) -> str:
        """The entry's name for messages; reports a bad or duplicate key."""
        key = raw.get("key") if isinstance(raw, dict) else None
        if key is None:
            return f"{label} #{index + 1}"
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            self.problem(
                f"{label} #{index + 1}",
                f"key {key!r} must be lower_snake_case text (quote yes/no/on/off)",
            )
            return f"{label} #{index + 1}"
        entry = f"{label} {key!r}"
        if key in seen:
            self.problem(entry, f"duplicate key: another {label} already uses {key!r}")
        seen.add(key)
        return entry
