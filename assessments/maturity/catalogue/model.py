"""The catalogue's entries as frozen dataclasses, and the lookups built once over them."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar, cast

_Table = TypeVar("_Table")

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

    def __hash__(self) -> int:
        # Questions key per-process caches that every questionnaire page reads many times; the
        # hash a frozen dataclass makes would go through every field and option each time.
        kept: int | None = self.__dict__.get("_hash")
        if kept is None:
            kept = hash(tuple(getattr(self, each.name) for each in fields(self)))
            object.__setattr__(self, "_hash", kept)
        return kept

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
    # Tables other modules derive from the catalogue, by the function that builds them.
    derived: dict[Callable[[Any], Any], Any] = field(default_factory=dict)


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

    def derived(self, build: Callable[[Catalogue], _Table]) -> _Table:
        """``build(self)``, built on first use and kept with this catalogue.

        The engine's hot paths read lookup tables derived from the catalogue (scoring's rule
        per capability, the roadmap's step templates). A catalogue never changes, so each is
        built once per catalogue object; a changed copy (``dataclasses.replace``) gets its own.
        """
        tables = self._index.derived
        if build not in tables:
            tables[build] = build(self)
        return cast(_Table, tables[build])

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
