"""The shape of an organisation's check set: its limits, checks, rules and errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..catalogue import Option

RULE_KINDS = ("file_exists", "file_contains", "dependency_present")
MAX_TEXT_BYTES = 100_000
MAX_CHECKS = 200
MAX_TITLE = 200
MAX_QUESTION = 500
MAX_GLOB = 200
MAX_GLOB_WILDCARDS = 6
MAX_PATTERN = 200
MAX_PACKAGE = 100

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
PACKAGE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# The team's answer to a check's question: the catalogue's "practice" keys and grades, so an
# answer reads the same whichever questionnaire page it was given on; no "not applicable",
# since the organisation decided the check applies to every team.
ANSWER_OPTIONS = (
    Option("no", "No", 0.0),
    Option("partly", "Partly", 0.5),
    Option("yes", "Yes", 1.0),
    Option("unknown", "Don't know", None),
)
ANSWER_PASSES = "yes"


class CheckSetError(ValueError):
    """The check set is invalid; ``problems`` lists every sentence found, each naming its line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Rule:
    """What to look for in a repository: ``kind`` is one of RULE_KINDS; ``path`` a glob (the
    file rules), ``pattern`` a regular expression (file_contains), ``package`` a dependency."""

    kind: str
    path: str = ""
    pattern: str = ""
    package: str = ""

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "file_exists":
            return {"file_exists": self.path}
        if self.kind == "file_contains":
            return {"file_contains": {"path": self.path, "pattern": self.pattern}}
        return {"dependency_present": self.package}

    def describe(self) -> str:
        """The rule in a few words, for pages."""
        if self.kind == "file_exists":
            return f"a file matching {self.path}"
        if self.kind == "file_contains":
            return f"a file matching {self.path} containing /{self.pattern}/"
        return f"the dependency {self.package}"


@dataclass(frozen=True)
class CustomCheck:
    key: str
    title: str
    dimension: str
    level: int
    rule: Rule | None
    question: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "dimension": self.dimension,
            "level": self.level,
        }
        if self.question:
            data["question"] = self.question
        if self.rule is not None:
            data["rule"] = self.rule.to_dict()
        return data


@dataclass(frozen=True)
class CheckSet:
    """A validated check set; ``version`` is the number the server gave it (None on import)."""

    checks: tuple[CustomCheck, ...]
    counts_towards_levels: bool = False
    version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.version is not None:
            data["version"] = self.version
        data["counts_towards_levels"] = self.counts_towards_levels
        data["checks"] = [check.to_dict() for check in self.checks]
        return data

    def content(self) -> dict[str, Any]:
        """What the set says, without its number: two versions saying the same are equal."""
        return {k: v for k, v in self.to_dict().items() if k != "version"}
