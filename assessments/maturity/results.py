"""Scoring's output: capability results, contradictions, level progress and the whole result.

Each is stored as a plain dictionary and read back from one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .evidence import Evidence, supports_claim

STATUSES = ("met", "partial", "missing", "unknown", "not_applicable", "not_visible")
MAX_LEVEL = 2
SOURCES = ("answered", "detected", "both", "none")
CONTRADICTION_KINDS = ("claimed_without_evidence", "detected_but_denied")


@dataclass(frozen=True)
class CapabilityResult:
    key: str
    dimension: str
    level: int
    optional: bool
    grade: float  # the grade levels and the index use: unknown counts 0, not applicable 1
    status: str  # one of STATUSES
    source: str  # one of SOURCES
    met: bool
    answer_grade: float | None
    evidence_grade: float | None
    evidence_strength: str | None
    evidence: tuple[Evidence, ...] = ()
    # Results stored before 2026.11.1 lack these: every required capability gated its level.
    gates_level: bool = True
    observable: str = "yes"

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CapabilityResult:
        values = {
            k: data[k]
            for k in cls.__dataclass_fields__
            if k not in ("evidence", "gates_level", "observable")
        }
        values["gates_level"] = data.get("gates_level", not values["optional"])
        values["observable"] = data.get("observable", "yes")
        return cls(**values, evidence=tuple(Evidence.from_dict(e) for e in data["evidence"]))

    @property
    def blocks_level(self) -> bool:
        """Unmet and needed for its level: a characteristic the team does not have."""
        return self.gates_level and not self.met and self.status != "not_visible"


@dataclass(frozen=True)
class LevelProgress:
    """How far a result is on the way to the next level (Google's level ``level``).

    Counts every non-optional capability required at ``level`` or below: ``in_place`` are
    met; ``blocking`` are unmet characteristics, which hold the level back; ``missing`` are
    unmet additional components, needed for the level to pay off but not gating it;
    ``unknown`` are unanswered, or not visible in a repository when judged from evidence alone.
    """

    level: int
    in_place: tuple[str, ...]
    blocking: tuple[str, ...]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.in_place) + len(self.blocking) + len(self.missing) + len(self.unknown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "in_place": len(self.in_place),
            "total": self.total,
            "blocking": list(self.blocking),
            "missing": list(self.missing),
            "unknown": list(self.unknown),
        }


@dataclass(frozen=True)
class Contradiction:
    capability: str
    kind: str  # one of CONTRADICTION_KINDS
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"capability": self.capability, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class MLTestScore:
    sections: dict[str, float]
    score: float
    weakest_section: str
    band: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": dict(self.sections),
            "score": self.score,
            "weakest_section": self.weakest_section,
            "band": self.band,
        }


@dataclass(frozen=True)
class MaturityResult:
    """The outcome of one assessment; ``to_dict`` is the snapshot to store."""

    catalogue_version: str
    level: int
    dimension_levels: dict[str, int]
    dimension_index: dict[str, float]
    weakest_dimension: str
    index: float
    why_not_next: str
    missing_for_next: tuple[str, ...]
    capabilities: dict[str, CapabilityResult]
    contradictions: tuple[Contradiction, ...]
    unknown: tuple[str, ...]
    ml_test_score: MLTestScore
    scanned: bool = False
    evidence_only: bool = False
    # Dimensions the scanned repositories hold; None for the whole system.
    covered_dimensions: tuple[str, ...] | None = None
    # Whether the scan was recent enough for missing evidence to contradict an answer.
    can_contradict: bool = False
    # Dimensions whose every capability is not applicable (see scoring); results stored before
    # 2026.12 lack it, and no dimension of theirs is read as not applicable.
    not_applicable_dimensions: tuple[str, ...] = ()
    _derived: dict[str, frozenset[str]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    @property
    def met(self) -> frozenset[str]:
        """Keys of met capabilities (not-applicable ones included)."""
        if "met" not in self._derived:
            self._derived["met"] = frozenset(k for k, c in self.capabilities.items() if c.met)
        return self._derived["met"]

    @property
    def gaps(self) -> frozenset[str]:
        """Keys of non-optional capabilities that are not met: the open debt."""
        if "gaps" not in self._derived:
            self._derived["gaps"] = frozenset(
                k for k, c in self.capabilities.items() if not c.met and not c.optional
            )
        return self._derived["gaps"]

    @property
    def claimed_not_visible(self) -> tuple[str, ...]:
        """Answered as done, not seen by a recent scan, but a repository may not show it.

        Not a contradiction: monitoring set up in a console or a deployment owned by another
        repository is invisible to a scan. Listed once, quietly, so the team knows the scan
        neither confirms nor doubts the answer.
        """
        if not self.scanned:
            return ()
        covered = self.covered_dimensions
        return tuple(
            c.key
            for c in self.capabilities.values()
            if c.answer_grade
            and (
                not self.can_contradict
                or c.observable != "yes"
                or (covered is not None and c.dimension not in covered)
            )
            and not any(supports_claim(f) for f in c.evidence)
        )

    @property
    def next_level_progress(self) -> LevelProgress | None:
        """Progress towards the next level; None at the highest level."""
        if self.level >= MAX_LEVEL:
            return None
        target = self.level + 1
        required = [c for c in self.capabilities.values() if not c.optional and c.level <= target]
        return LevelProgress(
            level=target,
            in_place=tuple(c.key for c in required if c.met),
            blocking=tuple(c.key for c in required if c.blocks_level),
            missing=tuple(
                c.key
                for c in required
                if not c.met and not c.gates_level and c.status not in ("unknown", "not_visible")
            ),
            unknown=tuple(
                c.key
                for c in required
                if not c.met and not c.blocks_level and c.status in ("unknown", "not_visible")
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        progress = self.next_level_progress
        return {
            "catalogue_version": self.catalogue_version,
            "level": self.level,
            "index": self.index,
            "why_not_next": self.why_not_next,
            "missing_for_next": list(self.missing_for_next),
            "next_level_progress": progress.to_dict() if progress is not None else None,
            "dimension_levels": dict(self.dimension_levels),
            "dimension_index": dict(self.dimension_index),
            "weakest_dimension": self.weakest_dimension,
            "capabilities": [c.to_dict() for c in self.capabilities.values()],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "unknown": list(self.unknown),
            "ml_test_score": self.ml_test_score.to_dict(),
            "scanned": self.scanned,
            "evidence_only": self.evidence_only,
            "covered_dimensions": (
                None if self.covered_dimensions is None else list(self.covered_dimensions)
            ),
            "can_contradict": self.can_contradict,
            "not_applicable_dimensions": list(self.not_applicable_dimensions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MaturityResult:
        capabilities = [CapabilityResult.from_dict(c) for c in data["capabilities"]]
        return cls(
            catalogue_version=data["catalogue_version"],
            level=data["level"],
            dimension_levels=dict(data["dimension_levels"]),
            dimension_index=dict(data["dimension_index"]),
            weakest_dimension=data["weakest_dimension"],
            index=data["index"],
            why_not_next=data["why_not_next"],
            missing_for_next=tuple(data["missing_for_next"]),
            capabilities={c.key: c for c in capabilities},
            contradictions=tuple(Contradiction(**c) for c in data["contradictions"]),
            unknown=tuple(data["unknown"]),
            ml_test_score=MLTestScore(**data["ml_test_score"]),
            scanned=data.get("scanned", False),
            evidence_only=data.get("evidence_only", False),
            covered_dimensions=(
                None
                if data.get("covered_dimensions") is None
                else tuple(data["covered_dimensions"])
            ),
            # Before scan age and coverage counted, every scan could contradict.
            can_contradict=data.get("can_contradict", data.get("scanned", False)),
            not_applicable_dimensions=tuple(data.get("not_applicable_dimensions", ())),
        )


def next_level_progress(outcome: Mapping[str, Any]) -> dict[str, Any] | None:
    """The progress to the next level of a stored result (``MaturityResult.to_dict()``).

    Results stored before the progress was part of the snapshot get it from their
    capabilities, so every result reads the same way.
    """
    if "next_level_progress" in outcome:
        stored: dict[str, Any] | None = outcome["next_level_progress"]
        return stored
    progress = MaturityResult.from_dict(outcome).next_level_progress
    return progress.to_dict() if progress is not None else None


def claimed_not_visible(outcome: Mapping[str, Any]) -> list[str]:
    """``MaturityResult.claimed_not_visible`` of a stored result."""
    return list(MaturityResult.from_dict(outcome).claimed_not_visible)


def progress_with_titles(
    progress: Mapping[str, Any] | None, titles: Mapping[str, str]
) -> dict[str, Any] | None:
    """The progress with capability titles in place of keys, for people to read."""
    if progress is None:
        return None
    named = {key: [titles.get(k, k) for k in progress[key]] for key in ("blocking", "missing")}
    return {**progress, **named, "unknown": [titles.get(k, k) for k in progress["unknown"]]}


def progress_sentence(progress: Mapping[str, Any] | None, titles: Mapping[str, str]) -> str:
    """ "Level 1: 20 of 23 capabilities in place; held back by ...; also missing ..." """
    if progress is None:
        return "The highest level is reached."

    def names(keys: Sequence[str]) -> str:
        return ", ".join(in_sentence(titles.get(k, k)) for k in keys)

    parts = [
        f"Level {progress['level']}: {progress['in_place']} of {progress['total']} "
        "capabilities in place"
    ]
    if progress["blocking"]:
        parts.append(f"held back by {names(progress['blocking'])}")
    if progress["missing"]:
        parts.append(f"also missing {names(progress['missing'])}")
    if progress["unknown"]:
        parts.append(f"not known: {names(progress['unknown'])}")
    return "; ".join(parts) + "."


def in_sentence(title: str) -> str:
    """Lower-case a title's first letter for use mid-sentence, unless it starts an acronym."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title
