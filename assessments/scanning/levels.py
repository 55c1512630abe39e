"""Evidence-only levels: a repository's findings judged by the maturity engine itself.

There is one model of maturity: the catalogue says what each capability is, its level, its
role in the level (characteristic, component, optional) and how observable it is; scoring
applies the rules (assessments/maturity/scoring.py). A repository scan is scored like an
assessment with no answers (``evidence_only``): a capability without evidence is missing when
a repository would show it, and *not visible* (listed in ``unknown``) when it may live outside
the code; what is not visible never gates a level. This module only shapes that result into
the scan report's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from ..maturity import Catalogue, Evidence, load_catalogue, score
from .detectors import Finding, Strength

MAX_EVIDENCE = 10
NO_EVIDENCE = "No evidence found in the repository."


class EvidenceLocation(TypedDict):
    path: str | None
    line: int | None
    detector: str


class CapabilityResultDict(TypedDict):
    key: str
    grade: float
    strength: str | None
    reason: str
    evidence: list[EvidenceLocation]


@dataclass(frozen=True)
class CapabilityResult:
    """The scanner's verdict on one capability, with the evidence behind it."""

    key: str
    grade: float
    strength: Strength | None
    reason: str
    evidence: tuple[Finding, ...]

    def to_dict(self) -> CapabilityResultDict:
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
    next_level_progress: dict[str, object] | None = None


def as_evidence(finding: Finding) -> Evidence:
    """A scanner finding in the maturity engine's terms."""
    return Evidence(
        capability=finding.capability,
        grade=finding.grade,
        strength=finding.strength.label,
        reason=finding.reason,
        path=finding.path,
        line=finding.line,
        detector=finding.detector,
    )


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


def assess(
    findings: list[Finding], *, inconclusive: bool, catalogue: Catalogue | None = None
) -> LevelAssessment:
    """Judge a repository's findings against ``catalogue`` (the current one by default)."""
    catalogue = catalogue or load_catalogue()
    evidenced = capability_results(findings)
    keys = [c.key for c in catalogue.capabilities]
    if inconclusive:
        return LevelAssessment(
            overall_level=None,
            dimensions={d.key: None for d in catalogue.dimensions},
            capabilities=tuple(evidenced[k] for k in keys if k in evidenced),
            unknown=tuple(k for k in keys if k not in evidenced),
            index=0,
            missing_for_next_level=(),
        )
    result = score(catalogue, {}, [as_evidence(f) for f in findings], evidence_only=True)
    capabilities, unknown = [], []
    for key in keys:
        if key in evidenced:
            capabilities.append(evidenced[key])
        elif result.capabilities[key].status == "not_visible":
            unknown.append(key)
        else:
            capabilities.append(CapabilityResult(key, 0.0, None, NO_EVIDENCE, ()))
    dimensions: dict[str, int | None] = {}
    for dimension in catalogue.dimensions:
        members = [result.capabilities[c.key] for c in catalogue.capabilities_in(dimension.key)]
        seen = any(m.status != "not_visible" or m.evidence for m in members)
        dimensions[dimension.key] = result.dimension_levels[dimension.key] if seen else None
    progress = result.next_level_progress
    return LevelAssessment(
        overall_level=result.level,
        dimensions=dimensions,
        capabilities=tuple(capabilities),
        unknown=tuple(unknown),
        index=round(result.index),
        missing_for_next_level=result.missing_for_next,
        next_level_progress=progress.to_dict() if progress is not None else None,
    )
