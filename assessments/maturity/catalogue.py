"""The maturity model as data: catalogue dataclasses, loader and validation.

The model (levels, dimensions, capabilities, questions, debt kinds) lives in catalogue.yaml so it
can change without code changes and every assessment can record the catalogue version it was
answered against. Loading validates the whole file up front: a typo in a key or a dangling
reference must fail at start-up with a sentence naming the file, the entry and the problem,
instead of surfacing later as a wrong score.

Two rules keep scoring well-behaved and are enforced here:

* A prerequisite is never required later than the capability that needs it (and a required
  capability never depends on an optional one), so a roadmap towards a target level never has
  to reach beyond that level.
* Only context questions may hide other questions (``skip_if``), and context questions are
  never hidden themselves. Improving a graded answer therefore never shows or hides another
  question, which is what keeps scores monotone.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

import yaml

DEFAULT_PATH = Path(__file__).with_name("catalogue.yaml")

LEVELS = (0, 1, 2)
GRADES = (0, 0.5, 1)
ML_TEST_SCORE_SECTIONS = ("data", "model", "infrastructure", "monitoring")
QUESTION_KINDS = ("graded", "context")
ROLES = ("characteristic", "component", "optional")
OBSERVABILITY = ("yes", "partly", "no")

# Stable identifiers shared with the scanner, the CLI, the API and exports.
REQUIRED_CAPABILITY_KEYS = (
    "experiment_tracking",
    "data_versioning",
    "data_validation",
    "feature_store",
    "pipeline_orchestration",
    "pipeline_triggers",
    "model_validation",
    "model_registry",
    "ci",
    "automated_tests",
    "pipeline_cd",
    "model_cd",
    "prediction_service",
    "monitoring",
    "containerization",
    "reproducible_environment",
    "infrastructure_as_code",
)

# Context questions the target-level rules read, with the option keys they rely on.
REQUIRED_CONTEXT_OPTIONS = {
    "online_serving": ("yes", "no"),
    "models_in_production": ("none", "one", "several", "many"),
    "data_change_frequency": ("rarely", "monthly", "weekly", "daily"),
    "retraining_frequency": ("rarely", "monthly", "weekly", "daily"),
    "business_criticality": ("proof_of_concept", "non_critical", "critical"),
    "team_size": ("one", "small", "medium", "large"),
}

_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_Entry = TypeVar("_Entry")


class CatalogueError(ValueError):
    """The catalogue file is unreadable or invalid; ``problems`` lists every sentence found."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Level:
    number: int
    title: str
    summary: str


@dataclass(frozen=True)
class DebtKind:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Capability:
    """One practice of the model. ``role`` and ``observable`` are explained in catalogue.yaml."""

    key: str
    dimension: str
    title: str
    level: int
    role: str
    description: str
    why: str
    remediation: str
    verify: str
    debt: str
    prerequisites: tuple[str, ...]
    effort: str
    effort_days: float
    impact: int
    observable: str
    ml_test_score_section: str | None
    detectors: tuple[str, ...] = ()

    @property
    def optional(self) -> bool:
        return self.role == "optional"

    @property
    def gates_level(self) -> bool:
        """Whether the level cannot be reached without it (Google's characteristics)."""
        return self.role == "characteristic"

    @property
    def evidence_decides(self) -> bool:
        """Whether a scan that finds nothing shows the capability is missing."""
        return self.observable == "yes"


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    grade: float | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class SkipRule:
    """Hide a question when context question ``question`` was answered with one of ``values``."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    text: str
    help: str
    options: tuple[Option, ...]
    capabilities: tuple[str, ...] = ()
    skip_if: SkipRule | None = None

    @property
    def is_context(self) -> bool:
        return self.kind == "context"

    def option(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(f"question {self.key!r} has no option {key!r}")


@dataclass(frozen=True)
class _CatalogueIndex:
    """Lookups built once per catalogue, so every accessor is a dictionary read."""

    capability: dict[str, Capability]
    question: dict[str, Question]
    options: dict[str, dict[str, Option]]
    dimension: dict[str, Dimension]
    debt_kind: dict[str, DebtKind]
    level: dict[int, Level]
    questions_for: dict[str, tuple[Question, ...]]
    capabilities_in: dict[str, tuple[Capability, ...]]
    topological: tuple[Capability, ...]
    graded: tuple[Question, ...]
    context: tuple[Question, ...]


@dataclass(frozen=True)
class Catalogue:
    version: str
    levels: tuple[Level, ...]
    debt_kinds: tuple[DebtKind, ...]
    dimensions: tuple[Dimension, ...]
    capabilities: tuple[Capability, ...]
    questions: tuple[Question, ...]
    effort_days: tuple[tuple[str, float], ...]
    _index: _CatalogueIndex = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_capability: dict[str, list[Question]] = {c.key: [] for c in self.capabilities}
        for question in self.questions:
            for key in question.capabilities:
                by_capability.setdefault(key, []).append(question)
        index = _CatalogueIndex(
            capability={c.key: c for c in self.capabilities},
            question={q.key: q for q in self.questions},
            options={q.key: {o.key: o for o in q.options} for q in self.questions},
            dimension={d.key: d for d in self.dimensions},
            debt_kind={d.key: d for d in self.debt_kinds},
            level={lv.number: lv for lv in self.levels},
            questions_for={key: tuple(qs) for key, qs in by_capability.items()},
            capabilities_in={
                d.key: tuple(c for c in self.capabilities if c.dimension == d.key)
                for d in self.dimensions
            },
            topological=_topological(self.capabilities),
            graded=tuple(q for q in self.questions if not q.is_context),
            context=tuple(q for q in self.questions if q.is_context),
        )
        # The dataclass is frozen; the index is derived from the fields, never changed later.
        object.__setattr__(self, "_index", index)

    def capability(self, key: str) -> Capability:
        return self._index.capability[key]

    def question(self, key: str) -> Question:
        return self._index.question[key]

    def dimension(self, key: str) -> Dimension:
        return self._index.dimension[key]

    def debt_kind(self, key: str) -> DebtKind:
        return self._index.debt_kind[key]

    def level(self, number: int) -> Level:
        return self._index.level[number]

    def has_capability(self, key: str) -> bool:
        return key in self._index.capability

    def has_question(self, key: str) -> bool:
        return key in self._index.question

    @property
    def topological_order(self) -> tuple[Capability, ...]:
        """Capabilities with every prerequisite first; ties broken by level, then file order."""
        return self._index.topological

    @property
    def graded_questions(self) -> tuple[Question, ...]:
        return self._index.graded

    @property
    def context_questions(self) -> tuple[Question, ...]:
        return self._index.context

    def capabilities_in(self, dimension: str) -> tuple[Capability, ...]:
        return self._index.capabilities_in.get(dimension, ())

    def option(self, question: str, option: str) -> Option | None:
        """The option ``option`` of question ``question``, or None when either is unknown."""
        return self._index.options.get(question, {}).get(option)

    def questions_for(self, capability: str | Capability) -> tuple[Question, ...]:
        key = capability.key if isinstance(capability, Capability) else capability
        return self._index.questions_for[key]

    def is_visible(self, question: Question, answers: Mapping[str, str]) -> bool:
        rule = question.skip_if
        return rule is None or answers.get(rule.question) not in rule.values

    def visible_questions(self, answers: Mapping[str, str]) -> tuple[Question, ...]:
        """The questions to show given the answers so far (skip logic applied)."""
        return tuple(q for q in self.questions if self.is_visible(q, answers))


def _topological(capabilities: tuple[Capability, ...]) -> tuple[Capability, ...]:
    """Kahn's algorithm with a heap, so the order is deterministic and reads level by level."""
    position = {c.key: i for i, c in enumerate(capabilities)}
    by_key = {c.key: c for c in capabilities}
    waiting = {c.key: {p for p in c.prerequisites if p in by_key} for c in capabilities}
    dependents: dict[str, list[str]] = {c.key: [] for c in capabilities}
    for c in capabilities:
        for p in waiting[c.key]:
            dependents[p].append(c.key)
    ready = [(by_key[k].level, position[k], k) for k, w in waiting.items() if not w]
    heapq.heapify(ready)
    order: list[Capability] = []
    while ready:
        _, _, key = heapq.heappop(ready)
        order.append(by_key[key])
        for dependent in dependents[key]:
            waiting[dependent].discard(key)
            if not waiting[dependent]:
                heapq.heappush(ready, (by_key[dependent].level, position[dependent], dependent))
    return tuple(order)


# --- Loading -------------------------------------------------------------------------------


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file; the bundled one (the default) is loaded once."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> Catalogue:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError([f"{path.name}: cannot be read: {exc.strerror}"]) from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CatalogueError([f"{path.name}: is not valid YAML: {exc}"]) from exc
    return parse_catalogue(data, source=path.name)


if TYPE_CHECKING:
    # CSafeLoader exists only when PyYAML was built with libyaml; both offer the same interface.
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """A safe loader (libyaml's when available, for a faster start-up) that rejects repeated
    mapping keys instead of silently keeping the last one."""


def _construct_unique_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Hashable, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def parse_catalogue(data: Any, *, source: str = "catalogue.yaml") -> Catalogue:
    """Validate raw catalogue data (as read from YAML) and build a Catalogue."""
    return _Parser(source).parse(data)


# --- Validation ----------------------------------------------------------------------------

_TOP_LEVEL = {
    "version": True,
    "levels": True,
    "effort_days": True,
    "debt_kinds": True,
    "dimensions": True,
    "option_sets": False,
    "capabilities": True,
    "questions": True,
}
_LEVEL_KEYS = {"level": True, "title": True, "summary": True}
_SIMPLE_KEYS = {"key": True, "title": True, "description": True}
_CAPABILITY_KEYS = {
    "key": True,
    "dimension": True,
    "title": True,
    "level": True,
    # role and observable; catalogues up to 2026.11 said optional and evidence_expected instead.
    "role": False,
    "optional": False,
    "description": True,
    "why": True,
    "remediation": True,
    "verify": True,
    "debt": True,
    "prerequisites": True,
    "effort": True,
    "impact": True,
    "observable": False,
    "evidence_expected": False,
    "detectors": False,
    "ml_test_score_section": True,
}
_QUESTION_KEYS = {
    "key": True,
    "kind": False,
    "capabilities": False,
    "text": True,
    "help": True,
    "options": True,
    "skip_if": False,
}
_OPTION_KEYS = {"key": True, "label": True, "grade": False, "not_applicable": False}
_SKIP_KEYS = {"question": True, "in": True}


class _Parser:
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

    # Phase 1: shapes and types of every entry.
    def parse(self, data: Any) -> Catalogue:
        if not isinstance(data, dict):
            self.problem(None, "must be a mapping with version, dimensions, capabilities, ...")
            self.check()
        top = self.fields(None, data, _TOP_LEVEL, what="top-level key")
        # A missing version is reported above and stops the parse before the Catalogue is built.
        version = top.get("version", "")
        if "version" in top and (not isinstance(version, str) or not version.strip()):
            self.problem(None, 'version must be a non-empty string such as "2026.11" (quote it)')
        levels = self.levels(top.get("levels"))
        effort_days = self.effort_days(top.get("effort_days"))
        debt_kinds = self.simple_entries(top.get("debt_kinds"), "debt_kinds", "debt kind", DebtKind)
        dimensions = self.simple_entries(
            top.get("dimensions"), "dimensions", "dimension", Dimension
        )
        option_sets = self.option_sets(top.get("option_sets", {}))
        capabilities = self.capabilities(top.get("capabilities"), dict(effort_days))
        questions = self.questions(top.get("questions"), option_sets)
        self.check()
        catalogue = Catalogue(
            version=version,
            levels=levels,
            debt_kinds=debt_kinds,
            dimensions=dimensions,
            capabilities=capabilities,
            questions=questions,
            effort_days=effort_days,
        )
        self.references(catalogue)
        self.check()
        self.cycles(catalogue)
        self.check()
        return catalogue

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
        if not isinstance(key, str) or not _KEY_PATTERN.match(key):
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

    def levels(self, raw: Any) -> tuple[Level, ...]:
        levels: list[Level] = []
        numbers: list[object] = []
        for i, item in enumerate(self.entry_list(raw, "levels")):
            entry = f"level #{i + 1}"
            values = self.fields(entry, item, _LEVEL_KEYS)
            number = values.get("level")
            numbers.append(number)
            if isinstance(number, int) and not isinstance(number, bool):
                entry = f"level {number}"
            # Levels other than exactly 0, 1, 2 are reported below and no Catalogue is built.
            levels.append(
                Level(
                    int(number) if isinstance(number, int | float) else -1,
                    self.text(entry, values, "title"),
                    self.text(entry, values, "summary"),
                )
            )
        if raw is not None and numbers != list(LEVELS):
            self.problem(None, f"levels must be exactly {list(LEVELS)} in order, not {numbers}")
        return tuple(levels)

    def effort_days(self, raw: Any) -> tuple[tuple[str, float], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict) or not raw:
            self.problem(None, "effort_days must map effort sizes to days, e.g. {S: 2, M: 5}")
            return ()
        pairs: list[tuple[str, float]] = []
        for size, days in raw.items():
            if not isinstance(size, str):
                self.problem("effort_days", f"size {size!r} must be text")
            elif not _is_number(days) or days <= 0:
                self.problem(f"effort size {size!r}", f"days must be a positive number: {days!r}")
            else:
                pairs.append((size, float(days)))
        return tuple(pairs)

    def simple_entries(
        self, raw: Any, name: str, label: str, cls: Callable[[str, str, str], _Entry]
    ) -> tuple[_Entry, ...]:
        entries: list[_Entry] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, name)):
            entry = self.keyed(item, label, i, seen)
            values = self.fields(entry, item, _SIMPLE_KEYS)
            entries.append(
                cls(
                    values.get("key", ""),
                    self.text(entry, values, "title"),
                    self.text(entry, values, "description"),
                )
            )
        return tuple(entries)

    def options(self, entry: str, raw: Any, *, graded: bool) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(entry, "options must be a non-empty list")
            return ()
        options: list[Option] = []
        seen: set[object] = set()
        for i, item in enumerate(raw):
            option_entry = f"{entry} option #{i + 1}"
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                option_entry = f"{entry} option {item['key']!r}"
            values = self.fields(option_entry, item, _OPTION_KEYS)
            key = values.get("key")
            if "key" in values and (not isinstance(key, str) or not _KEY_PATTERN.match(key)):
                self.problem(
                    option_entry,
                    f"key {key!r} must be lower_snake_case text (quote yes/no/on/off)",
                )
            elif key in seen:
                self.problem(option_entry, "duplicate option key")
            seen.add(key)
            grade = values.get("grade")
            not_applicable = values.get("not_applicable", False)
            if not isinstance(not_applicable, bool):
                self.problem(option_entry, "not_applicable must be true or false")
            if graded:
                if "grade" not in values:
                    self.problem(option_entry, "missing required key 'grade' (use null for none)")
                elif grade is not None and (not _is_number(grade) or grade not in GRADES):
                    self.problem(option_entry, f"grade {grade!r} must be one of 0, 0.5, 1 or null")
                if not_applicable is True and grade is not None:
                    self.problem(option_entry, "a not_applicable option cannot carry a grade")
            elif grade is not None or not_applicable:
                self.problem(option_entry, "context options carry no grade or not_applicable")
            grade_value = float(grade) if _is_number(grade) else None
            options.append(
                Option(
                    key or "",
                    self.text(option_entry, values, "label"),
                    grade_value,
                    not_applicable is True,
                )
            )
        if graded:
            grades = {o.grade for o in options}
            if not {0.0, 1.0} <= grades:
                self.problem(entry, "graded options need one with grade 0 and one with grade 1")
        return tuple(options)

    def option_sets(self, raw: Any) -> dict[str, tuple[Option, ...]]:
        if not isinstance(raw, dict):
            self.problem(None, "option_sets must map set names to lists of options")
            return {}
        return {
            name: self.options(f"option set {name!r}", options, graded=True)
            for name, options in raw.items()
        }

    def capabilities(self, raw: Any, effort_days: dict[str, float]) -> tuple[Capability, ...]:
        capabilities: list[Capability] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, "capabilities")):
            entry = self.keyed(item, "capability", i, seen)
            v = self.fields(entry, item, _CAPABILITY_KEYS)
            level = v.get("level", 0)
            if "level" in v and (isinstance(level, bool) or level not in LEVELS):
                self.problem(entry, f"level {level!r} must be 0, 1 or 2")
            role = self.role(entry, v)
            observable = self.observable(entry, v)
            detectors = v.get("detectors", [])
            if not isinstance(detectors, list) or not all(isinstance(d, str) for d in detectors):
                self.problem(entry, "detectors must be a list of detector names")
                detectors = []
            impact = v.get("impact", 1)
            if "impact" in v and (isinstance(impact, bool) or impact not in (1, 2, 3)):
                self.problem(entry, f"impact {impact!r} must be 1, 2 or 3")
            effort = v.get("effort")
            if "effort" in v and effort not in effort_days:
                self.problem(entry, f"effort {effort!r} must be one of {sorted(effort_days)}")
            section = v.get("ml_test_score_section")
            if section is not None and section not in ML_TEST_SCORE_SECTIONS:
                self.problem(
                    entry,
                    f"ml_test_score_section {section!r} must be one of "
                    f"{', '.join(ML_TEST_SCORE_SECTIONS)} or null",
                )
            prerequisites = v.get("prerequisites", [])
            if not isinstance(prerequisites, list) or not all(
                isinstance(p, str) for p in prerequisites
            ):
                self.problem(entry, "prerequisites must be a list of capability keys")
                prerequisites = []
            capabilities.append(
                Capability(
                    key=v.get("key", ""),
                    dimension=v.get("dimension", ""),
                    title=self.text(entry, v, "title"),
                    level=level if isinstance(level, int) else 0,
                    role=role,
                    description=self.text(entry, v, "description"),
                    why=self.text(entry, v, "why"),
                    remediation=self.text(entry, v, "remediation"),
                    verify=self.text(entry, v, "verify"),
                    debt=v.get("debt", ""),
                    prerequisites=tuple(prerequisites),
                    effort=effort if isinstance(effort, str) else "",
                    effort_days=effort_days.get(effort, 0.0) if isinstance(effort, str) else 0.0,
                    impact=impact if isinstance(impact, int) else 1,
                    observable=observable,
                    ml_test_score_section=section,
                    detectors=tuple(detectors),
                )
            )
        return tuple(capabilities)

    def role(self, entry: str, v: dict[str, Any]) -> str:
        if "role" in v:
            if "optional" in v:
                self.problem(entry, "give role or optional, not both")
            if v["role"] not in ROLES:
                self.problem(entry, f"role {v['role']!r} must be one of {', '.join(ROLES)}")
                return "component"
            return str(v["role"])
        if "optional" not in v:
            self.problem(entry, f"role is missing; it must be one of {', '.join(ROLES)}")
        elif not isinstance(v["optional"], bool):
            self.problem(entry, "optional must be true or false")
        # Before 2026.11.1 every capability that was not optional gated its level.
        return "optional" if v.get("optional") is True else "characteristic"

    def observable(self, entry: str, v: dict[str, Any]) -> str:
        if "observable" in v:
            if "evidence_expected" in v:
                self.problem(entry, "give observable or evidence_expected, not both")
            value = v["observable"]
            # Unquoted yes and no are booleans in YAML; read them as the words they look like.
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value not in OBSERVABILITY:
                self.problem(
                    entry, f"observable {value!r} must be one of {', '.join(OBSERVABILITY)}"
                )
                return "no"
            return str(value)
        if "evidence_expected" not in v:
            self.problem(entry, "observable is missing; it must be yes, partly or no")
        elif not isinstance(v["evidence_expected"], bool):
            self.problem(entry, "evidence_expected must be true or false")
        return "yes" if v.get("evidence_expected") is True else "no"

    def questions(
        self, raw: Any, option_sets: dict[str, tuple[Option, ...]]
    ) -> tuple[Question, ...]:
        questions: list[Question] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, "questions")):
            entry = self.keyed(item, "question", i, seen)
            v = self.fields(entry, item, _QUESTION_KEYS)
            kind = v.get("kind", "graded")
            if kind not in QUESTION_KINDS:
                self.problem(entry, f"kind {kind!r} must be 'graded' or 'context'")
            graded = kind != "context"
            capabilities = v.get("capabilities", [])
            if not isinstance(capabilities, list) or not all(
                isinstance(c, str) for c in capabilities
            ):
                self.problem(entry, "capabilities must be a list of capability keys")
                capabilities = []
            if graded and not capabilities:
                self.problem(entry, "a graded question must grade at least one capability")
            if not graded and capabilities:
                self.problem(entry, "a context question grades no capabilities")
            raw_options = v.get("options")
            if isinstance(raw_options, str):
                if raw_options not in option_sets:
                    self.problem(entry, f"option set {raw_options!r} does not exist")
                elif not graded:
                    self.problem(entry, "a context question lists its own options")
                options = option_sets.get(raw_options, ())
            elif "options" in v:
                options = self.options(entry, raw_options, graded=graded)
            else:
                options = ()
            questions.append(
                Question(
                    key=v.get("key", ""),
                    kind=kind,
                    text=self.text(entry, v, "text"),
                    help=self.text(entry, v, "help"),
                    options=options,
                    capabilities=tuple(capabilities),
                    skip_if=self.skip_rule(entry, v.get("skip_if")),
                )
            )
        return tuple(questions)

    def skip_rule(self, entry: str, raw: Any) -> SkipRule | None:
        if raw is None:
            return None
        values = self.fields(f"{entry} skip_if", raw, _SKIP_KEYS)
        answers = values.get("in", [])
        if not isinstance(answers, list) or not answers:
            self.problem(entry, "skip_if 'in' must be a non-empty list of option keys")
            answers = []
        return SkipRule(str(values.get("question", "")), tuple(str(a) for a in answers))

    # Phase 2: references between entries.
    def references(self, catalogue: Catalogue) -> None:
        capabilities = {c.key: c for c in catalogue.capabilities}
        dimensions = {d.key for d in catalogue.dimensions}
        debt_kinds = {d.key for d in catalogue.debt_kinds}
        for c in catalogue.capabilities:
            entry = f"capability {c.key!r}"
            if c.dimension not in dimensions:
                self.problem(entry, f"dimension {c.dimension!r} does not exist")
            if c.debt not in debt_kinds:
                self.problem(entry, f"debt kind {c.debt!r} does not exist")
            for p in c.prerequisites:
                prerequisite = capabilities.get(p)
                if prerequisite is None:
                    self.problem(entry, f"prerequisite {p!r} does not exist")
                elif prerequisite.level > c.level:
                    self.problem(
                        entry,
                        f"prerequisite {p!r} is required at level {prerequisite.level}, "
                        f"later than {c.key!r} itself (level {c.level})",
                    )
                elif prerequisite.optional and not c.optional:
                    self.problem(entry, f"prerequisite {p!r} is optional but {c.key!r} is not")
        for key in REQUIRED_CAPABILITY_KEYS:
            if key not in capabilities:
                self.problem(
                    f"capability {key!r}",
                    "is missing; it is a stable identifier the scanner, CLI and API rely on",
                )
        graded_by: set[str] = set()
        questions = {q.key: q for q in catalogue.questions}
        for q in catalogue.questions:
            entry = f"question {q.key!r}"
            for key in q.capabilities:
                if key not in capabilities:
                    self.problem(entry, f"capability {key!r} does not exist")
                graded_by.add(key)
            if q.skip_if is not None:
                self.skip_reference(entry, q, questions)
        for c in catalogue.capabilities:
            if c.key not in graded_by:
                self.problem(f"capability {c.key!r}", "no question grades it")
        for d in catalogue.dimensions:
            if not catalogue.capabilities_in(d.key):
                self.problem(f"dimension {d.key!r}", "has no capabilities")
        for section in ML_TEST_SCORE_SECTIONS:
            if not any(c.ml_test_score_section == section for c in catalogue.capabilities):
                self.problem(None, f"ML Test Score section {section!r} has no capabilities")
        for key, option_keys in REQUIRED_CONTEXT_OPTIONS.items():
            question = questions.get(key)
            if question is None or not question.is_context:
                self.problem(f"question {key!r}", "is missing; the target level rules read it")
            elif {o.key for o in question.options} != set(option_keys):
                self.problem(
                    f"question {key!r}", f"options must be exactly {', '.join(option_keys)}"
                )

    def skip_reference(self, entry: str, q: Question, questions: dict[str, Question]) -> None:
        rule = q.skip_if
        if rule is None:
            return
        gate = questions.get(rule.question)
        if q.is_context:
            self.problem(entry, "a context question cannot be skipped")
        if gate is None:
            self.problem(entry, f"skip_if question {rule.question!r} does not exist")
            return
        if not gate.is_context:
            self.problem(entry, f"skip_if question {rule.question!r} must be a context question")
        gate_options = {o.key for o in gate.options}
        for value in rule.values:
            if value not in gate_options:
                self.problem(
                    entry, f"skip_if option {value!r} does not exist in question {gate.key!r}"
                )

    # Phase 3: prerequisite cycles (only meaningful once every reference resolves).
    def cycles(self, catalogue: Catalogue) -> None:
        graph = {c.key: c.prerequisites for c in catalogue.capabilities}
        state: dict[str, str] = {}
        reported: set[frozenset[str]] = set()

        def visit(key: str, path: list[str]) -> None:
            state[key] = "open"
            path.append(key)
            for p in graph[key]:
                if state.get(p) == "open":
                    cycle = path[path.index(p) :] + [p]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        self.problem(None, "prerequisite cycle: " + " -> ".join(cycle))
                elif p not in state:
                    visit(p, path)
            path.pop()
            state[key] = "done"

        for key in graph:
            if key not in state:
                visit(key, [])


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
