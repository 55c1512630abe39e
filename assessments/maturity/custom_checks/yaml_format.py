"""A check set's YAML: read with every problem named by its line (the node-by-node
validation is ``CheckSetReader``, in yaml_reader.py), and written back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from ..catalogue import Catalogue
from .model import MAX_TEXT_BYTES, CheckSet, CheckSetError, CustomCheck, Rule
from .yaml_reader import CheckSetReader


def parse_check_set(text: str, catalogue: Catalogue) -> CheckSet:
    """Parse and validate a check set's YAML against the built-in ``catalogue``.

    Raises CheckSetError listing every problem found, each sentence naming its line."""
    if len(text.encode("utf-8", "replace")) > MAX_TEXT_BYTES:
        raise CheckSetError(
            [f"The check set is larger than {MAX_TEXT_BYTES // 1000} kB; split or shorten it."]
        )
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or getattr(error, "reason", None)
        line = mark.line + 1 if mark is not None else None
        if isinstance(error, yaml.reader.ReaderError):
            line = text.count("\n", 0, error.position) + 1
        where = f"line {line}: " if line is not None else ""
        problem = problem or "it could not be read"
        raise CheckSetError([f"{where}The text is not valid YAML ({problem})."]) from None
    reader = CheckSetReader(catalogue)
    check_set = reader.check_set(root)
    if reader.problems:
        raise CheckSetError(reader.problems)
    assert check_set is not None  # built whenever no problem was found
    return check_set


def check_set_from_dict(data: Mapping[str, Any]) -> CheckSet:
    """Rebuild a stored check set (``CheckSet.to_dict()``), already validated when saved."""
    checks = []
    for raw in data.get("checks", []):
        checks.append(
            CustomCheck(
                key=raw["key"],
                title=raw["title"],
                dimension=raw["dimension"],
                level=raw["level"],
                rule=_rule_from_dict(raw["rule"]) if "rule" in raw else None,
                question=raw.get("question", ""),
            )
        )
    version = data.get("version")
    return CheckSet(
        checks=tuple(checks),
        counts_towards_levels=bool(data.get("counts_towards_levels", False)),
        version=version if isinstance(version, int) else None,
    )


def _rule_from_dict(rule_data: Mapping[str, Any]) -> Rule:
    kind = next(iter(rule_data))
    value = rule_data[kind]
    if kind == "file_exists":
        return Rule(kind, path=value)
    if kind == "file_contains":
        return Rule(kind, path=value["path"], pattern=value["pattern"])
    return Rule(kind, package=value)


def export_check_set(check_set: CheckSet) -> str:
    """The check set as YAML in a fixed layout; reading it back gives the same set."""
    lines = [
        "# An organisation's own checks; import this file to make it the current version.",
    ]
    if check_set.version is not None:
        lines.append(f"version: {check_set.version}")
    lines.append(f"counts_towards_levels: {'true' if check_set.counts_towards_levels else 'false'}")
    if not check_set.checks:
        lines.append("checks: []")
    else:
        lines.append("checks:")
    for check in check_set.checks:
        lines.append(f"  - key: {check.key}")
        lines.append(f"    title: {_scalar(check.title)}")
        lines.append(f"    dimension: {check.dimension}")
        lines.append(f"    level: {check.level}")
        if check.question:
            lines.append(f"    question: {_scalar(check.question)}")
        rule = check.rule
        if rule is None:
            continue
        if rule.kind == "file_exists":
            lines.append(f"    rule: {{file_exists: {_scalar(rule.path)}}}")
        elif rule.kind == "file_contains":
            lines.append("    rule:")
            lines.append("      file_contains:")
            lines.append(f"        path: {_scalar(rule.path)}")
            lines.append(f"        pattern: {_scalar(rule.pattern)}")
        else:
            lines.append(f"    rule: {{dependency_present: {_scalar(rule.package)}}}")
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """A YAML scalar for ``text``: double-quoted (JSON-style escapes), so no text can change
    the document's structure or be read back as another type."""
    dumped = yaml.safe_dump(text, default_style='"', width=1_000_000, allow_unicode=True)
    return dumped.removesuffix("\n...\n").strip()
