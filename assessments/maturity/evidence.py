"""A repository finding as the engine reads it, and how much each strength of finding can grant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .catalogue import GRADES

STRENGTHS = ("ci_config", "code", "file_name", "mention")  # strongest first
STRENGTH_RANK = {name: len(STRENGTHS) - i for i, name in enumerate(STRENGTHS)}
STRENGTH_CAP = {"ci_config": 1.0, "code": 1.0, "file_name": 1.0, "mention": 0.5}


@dataclass(frozen=True)
class Evidence:
    """One repository finding about a capability, as reported by a detector."""

    capability: str
    grade: float
    strength: str
    reason: str
    path: str | None = None
    line: int | None = None
    detector: str | None = None

    def __post_init__(self) -> None:
        if self.grade not in GRADES or isinstance(self.grade, bool):
            raise ValueError(f"evidence grade {self.grade!r} must be 0, 0.5 or 1")
        if self.strength not in STRENGTH_RANK:
            raise ValueError(f"evidence strength {self.strength!r} must be one of {STRENGTHS}")

    @property
    def effective_grade(self) -> float:
        """The grade this finding can grant, capped by how strong a finding it is."""
        return min(float(self.grade), STRENGTH_CAP[self.strength])

    def to_dict(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "grade": self.grade,
            "strength": self.strength,
            "reason": self.reason,
            "path": self.path,
            "line": self.line,
            "detector": self.detector,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        # A stored snapshot is JSON; a key it lacks reads as None, as it always has.
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**values)


def supports_claim(finding: Evidence) -> bool:
    """Whether a finding backs a claim: something more than a mention was found."""
    return (
        finding.effective_grade > 0
        and STRENGTH_RANK[finding.strength] >= STRENGTH_RANK["file_name"]
    )


def finding_order(finding: Evidence) -> tuple[float, int]:
    """Best finding first: the highest grade it can grant, then the strongest kind."""
    return (finding.effective_grade, STRENGTH_RANK[finding.strength])
