"""Evidence-only levels: from findings to capability grades, dimension levels and a level.

Rules (DOMAIN.md section 5, applied to repository evidence alone):
- a capability's grade is the best grade among its findings; a level-0 or level-1 capability
  is *met* at 0.5 or more (partly manual still counts), a level-2 capability only at 1: level 2
  is about automation, so tests nobody runs or a pipeline deployed by hand do not reach it;
- a capability without evidence is *missing* when a repository normally shows it
  (OBSERVABLE_CAPABILITIES) and *unknown* otherwise; unknown never blocks a level;
- levels are cumulative: level k holds when every observable, non-optional capability
  required at k or below is met; a dimension's level uses its own capabilities only;
- the index (0-100) is the mean grade of the known, levelled capabilities, for trends.
"""

from __future__ import annotations

from dataclasses import dataclass

from .detectors import (
    CAPABILITY_DIMENSIONS,
    CAPABILITY_KEYS,
    CAPABILITY_LEVELS,
    OBSERVABLE_CAPABILITIES,
    OPTIONAL_CAPABILITIES,
    Finding,
    Strength,
)

MET_GRADE = {0: 0.5, 1: 0.5, 2: 1.0}
MAX_LEVEL = 2
MAX_EVIDENCE = 10
NO_EVIDENCE = "No evidence found in the repository."
DIMENSIONS = tuple(
    dict.fromkeys(
        CAPABILITY_DIMENSIONS[key] for key in CAPABILITY_KEYS if CAPABILITY_LEVELS[key] is not None
    )
)


@dataclass(frozen=True)
class CapabilityResult:
    """The scanner's verdict on one capability, with the evidence behind it."""

    key: str
    grade: float
    strength: Strength | None
    reason: str
    evidence: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "grade": self.grade,
            "strength": self.strength.label if self.strength else None,
            "reason": self.reason,
            "evidence": [
                {"path": f.path, "line": f.line, "detector": f.detector}
                for f in self.evidence[:MAX_EVIDENCE]
            ],
        }


@dataclass(frozen=True)
class LevelAssessment:
    overall_level: int | None
    dimensions: dict[str, int | None]
    capabilities: tuple[CapabilityResult, ...]
    unknown: tuple[str, ...]
    index: int
    missing_for_next_level: tuple[str, ...]


def capability_results(findings: list[Finding]) -> dict[str, CapabilityResult]:
    grouped: dict[str, list[Finding]] = {}
    for item in findings:
        grouped.setdefault(item.capability, []).append(item)
    results = {}
    for key, items in grouped.items():
        ordered = sorted(items, key=lambda f: (-f.grade, -f.strength, f.path or "", f.line or 0))
        best = ordered[0]
        results[key] = CapabilityResult(
            key=key,
            grade=best.grade,
            strength=best.strength,
            reason=best.reason,
            evidence=tuple(ordered),
        )
    return results


def is_met(key: str, grade: float) -> bool:
    level = CAPABILITY_LEVELS[key]
    return grade >= MET_GRADE.get(level if level is not None else 1, 0.5)


def _requirements(level: int, keys: tuple[str, ...] = CAPABILITY_KEYS) -> list[str]:
    return [
        key
        for key in keys
        if CAPABILITY_LEVELS[key] is not None
        and CAPABILITY_LEVELS[key] <= level
        and key not in OPTIONAL_CAPABILITIES
        and key in OBSERVABLE_CAPABILITIES
    ]


def _highest_level(met: set[str], keys: tuple[str, ...]) -> int | None:
    reached = None
    for level in range(MAX_LEVEL + 1):
        if all(key in met for key in _requirements(level, keys)):
            reached = level
        else:
            break
    return reached


def assess(findings: list[Finding], *, inconclusive: bool) -> LevelAssessment:
    evidenced = capability_results(findings)
    if inconclusive:
        capabilities = tuple(evidenced[k] for k in CAPABILITY_KEYS if k in evidenced)
        return LevelAssessment(
            overall_level=None,
            dimensions=dict.fromkeys(DIMENSIONS),
            capabilities=capabilities,
            unknown=tuple(k for k in CAPABILITY_KEYS if k not in evidenced),
            index=0,
            missing_for_next_level=(),
        )
    results: list[CapabilityResult] = []
    unknown: list[str] = []
    for key in CAPABILITY_KEYS:
        if key in evidenced:
            results.append(evidenced[key])
        elif key in OBSERVABLE_CAPABILITIES:
            results.append(CapabilityResult(key, 0.0, None, NO_EVIDENCE, ()))
        else:
            unknown.append(key)
    met = {r.key for r in results if is_met(r.key, r.grade)}
    overall = _highest_level(met, CAPABILITY_KEYS)
    dimensions = {}
    for dimension in DIMENSIONS:
        keys = tuple(k for k in CAPABILITY_KEYS if CAPABILITY_DIMENSIONS[k] == dimension)
        known = [k for k in keys if k not in unknown]
        dimensions[dimension] = _highest_level(met, keys) if known else None
    missing: tuple[str, ...] = ()
    if overall is not None and overall < MAX_LEVEL:
        missing = tuple(k for k in _requirements(overall + 1) if k not in met)
    scored = [
        r.grade
        for r in results
        if CAPABILITY_LEVELS[r.key] is not None
        and not (r.key in OPTIONAL_CAPABILITIES and r.strength is None)
    ]
    index = round(100 * sum(scored) / len(scored)) if scored else 0
    return LevelAssessment(
        overall_level=overall,
        dimensions=dimensions,
        capabilities=tuple(results),
        unknown=tuple(unknown),
        index=index,
        missing_for_next_level=missing,
    )
