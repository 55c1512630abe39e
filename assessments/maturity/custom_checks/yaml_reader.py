"""Validating a check set's YAML, node by node, so every problem is named by its line:
``parse_check_set`` (yaml_format.py) composes the document and hands its root to
``CheckSetReader``."""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from ..catalogue import LEVELS, Catalogue
from .model import (
    KEY_PATTERN,
    MAX_CHECKS,
    MAX_GLOB,
    MAX_PACKAGE,
    MAX_QUESTION,
    MAX_TITLE,
    PACKAGE_PATTERN,
    RULE_KINDS,
    CheckSet,
    CustomCheck,
    Rule,
)
from .patterns import glob_problem, pattern_problem

_TOP_KEYS = ("version", "counts_towards_levels", "checks")
_CHECK_KEYS = ("key", "title", "dimension", "level", "question", "rule")
_REQUIRED_CHECK_KEYS = ("key", "title", "dimension", "level")


class CheckSetReader:
    """Walks the composed YAML nodes, so every value keeps the line it came from."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.problems: list[str] = []
        self._seen_nodes: set[int] = set()

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = f"line {node.start_mark.line + 1}: " if node is not None else ""
        self.problems.append(line + message)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """{key: (key node, value node)} of a mapping node, or None (reported) if not one."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values.")
            return None
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not self._first_visit(value_node):
                return None
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, f"{what} has a key that is not plain text.")
                continue
            if key in entries:
                self.problem(key_node, f"'{key}' is given twice in {what}.")
                continue
            entries[key] = (key_node, value_node)
        return entries

    def _first_visit(self, node: yaml.Node) -> bool:
        # An alias reuses a node: refused, so a few lines cannot expand to millions of checks.
        if id(node) in self._seen_nodes:
            self.problem(node, "anchors and aliases (&name, *name) are not supported here.")
            return False
        self._seen_nodes.add(id(node))
        return True

    def unknown_keys(
        self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], known: tuple[str, ...], what: str
    ) -> None:
        for key, (key_node, _) in entries.items():
            if key not in known:
                self.problem(key_node, f"'{key}' is not a key of {what} ({', '.join(known)}).")

    def scalar(self, node: yaml.Node) -> object:
        """The plain value of a scalar node (text, number, boolean), or None for any other."""
        if not isinstance(node, yaml.ScalarNode):
            return None
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            return None
        finally:
            loader.dispose()

    def text(
        self, node: yaml.Node, name: str, *, maximum: int, single_line: bool = True
    ) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            self.problem(node, f"{name} must be non-empty text.")
            return None
        value = value.strip()
        if len(value) > maximum:
            self.problem(node, f"{name} is longer than {maximum} characters.")
            return None
        if single_line and ("\n" in value or "\r" in value):
            self.problem(node, f"{name} must fit on one line.")
            return None
        if "\x00" in value:
            self.problem(node, f"{name} must not contain NUL characters.")
            return None
        return value

    # -- the document ------------------------------------------------------------------------

    def check_set(self, root: yaml.Node | None) -> CheckSet | None:
        if root is None:
            self.problem(None, "The check set is empty: it needs at least a 'checks:' list.")
            return None
        entries = self.mapping(root, "the check set")
        if entries is None:
            return None
        self.unknown_keys(entries, _TOP_KEYS, "the check set")
        version: int | None = None
        if "version" in entries:
            node = entries["version"][1]
            value = self.scalar(node)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.problem(node, "version must be a whole number of 1 or more.")
            else:
                version = value
        counts = False
        if "counts_towards_levels" in entries:
            node = entries["counts_towards_levels"][1]
            value = self.scalar(node)
            if not isinstance(value, bool):
                self.problem(node, "counts_towards_levels must be true or false.")
            else:
                counts = value
        if "checks" not in entries:
            self.problem(root, "the check set has no 'checks:' list.")
            return None
        checks_node = entries["checks"][1]
        if isinstance(checks_node, yaml.ScalarNode) and checks_node.value in ("", "~", "null"):
            items: list[yaml.Node] = []
        elif not isinstance(checks_node, yaml.SequenceNode):
            self.problem(checks_node, "checks must be a list of checks, each starting with '-'.")
            return None
        else:
            items = list(checks_node.value)
        if len(items) > MAX_CHECKS:
            self.problem(checks_node, f"a check set holds at most {MAX_CHECKS} checks.")
            return None
        checks: list[CustomCheck] = []
        keys: dict[str, int] = {}
        for item in items:
            if not self._first_visit(item):
                continue
            check = self.check(item, keys)
            if check is not None:
                checks.append(check)
        if self.problems:
            return None
        return CheckSet(checks=tuple(checks), counts_towards_levels=counts, version=version)

    def check(self, node: yaml.Node, keys: dict[str, int]) -> CustomCheck | None:
        entries = self.mapping(node, "a check")
        if entries is None:
            return None
        self.unknown_keys(entries, _CHECK_KEYS, "a check")
        found_before = len(self.problems)
        for name in _REQUIRED_CHECK_KEYS:
            if name not in entries:
                self.problem(node, f"the check has no '{name}'.")
        if "rule" not in entries and "question" not in entries:
            self.problem(
                node, "the check has neither a 'rule' nor a 'question': give it one or both."
            )
        key = self.key(entries["key"][1], keys) if "key" in entries else None
        title = (
            self.text(entries["title"][1], "title", maximum=MAX_TITLE)
            if "title" in entries
            else None
        )
        dimension = self.dimension(entries["dimension"][1]) if "dimension" in entries else None
        level = self.level(entries["level"][1]) if "level" in entries else None
        question = ""
        if "question" in entries:
            question = self.text(entries["question"][1], "question", maximum=MAX_QUESTION) or ""
        rule = self.rule(entries["rule"][1]) if "rule" in entries else None
        if len(self.problems) > found_before:
            return None
        assert key
        assert title
        assert dimension
        assert level is not None
        return CustomCheck(key, title, dimension, level, rule, question)

    def key(self, node: yaml.Node, keys: dict[str, int]) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.problem(
                node,
                f"key {_shown(value)} must be lower_snake_case text of at most 80 characters, "
                "starting with a letter.",
            )
            return None
        if self.catalogue.has_capability(value):
            self.problem(
                node,
                f"key '{value}' is a built-in capability of the catalogue; choose another name.",
            )
            return None
        if value in keys:
            self.problem(node, f"key '{value}' is already used by the check on line {keys[value]}.")
            return None
        keys[value] = node.start_mark.line + 1
        return value

    def dimension(self, node: yaml.Node) -> str | None:
        value = self.scalar(node)
        known = [d.key for d in self.catalogue.dimensions]
        if not isinstance(value, str) or value not in known:
            self.problem(node, f"dimension {_shown(value)} is not one of {', '.join(known)}.")
            return None
        return value

    def level(self, node: yaml.Node) -> int | None:
        value = self.scalar(node)
        if not isinstance(value, int) or isinstance(value, bool) or value not in LEVELS:
            self.problem(
                node, f"level {_shown(value)} is not one of {', '.join(map(str, LEVELS))}."
            )
            return None
        return value

    def rule(self, node: yaml.Node) -> Rule | None:
        entries = self.mapping(node, "a rule")
        if entries is None:
            return None
        if len(entries) != 1:
            self.problem(node, f"a rule has exactly one of {', '.join(RULE_KINDS)}.")
            return None
        kind, (kind_node, value_node) = next(iter(entries.items()))
        if kind not in RULE_KINDS:
            self.problem(kind_node, f"rule '{kind}' is not one of {', '.join(RULE_KINDS)}.")
            return None
        if kind == "file_exists":
            path = self.glob(value_node)
            return Rule(kind, path=path) if path else None
        if kind == "dependency_present":
            package = self.package(value_node)
            return Rule(kind, package=package) if package else None
        inner = self.mapping(value_node, "file_contains")
        if inner is None:
            return None
        self.unknown_keys(inner, ("path", "pattern"), "file_contains")
        for name in ("path", "pattern"):
            if name not in inner:
                self.problem(value_node, f"file_contains needs a '{name}'.")
        path = self.glob(inner["path"][1]) if "path" in inner else None
        pattern = self.pattern(inner["pattern"][1]) if "pattern" in inner else None
        if not path or not pattern:
            return None
        return Rule(kind, path=path, pattern=pattern)

    def glob(self, node: yaml.Node) -> str | None:
        value = self.text(node, "the path", maximum=MAX_GLOB)
        if value is None:
            return None
        problem = glob_problem(value)
        if problem:
            self.problem(node, problem)
            return None
        return value

    def pattern(self, node: yaml.Node) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value:
            self.problem(node, "the pattern must be non-empty text.")
            return None
        problem = pattern_problem(value)
        if problem:
            self.problem(node, problem)
            return None
        return value

    def package(self, node: yaml.Node) -> str | None:
        value = self.scalar(node)
        if (
            not isinstance(value, str)
            or len(value) > MAX_PACKAGE
            or not PACKAGE_PATTERN.match(value)
        ):
            self.problem(
                node,
                f"dependency {_shown(value)} must be a package name such as acme-registry "
                "(letters, digits, '.', '_' and '-').",
            )
            return None
        return value


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'"
