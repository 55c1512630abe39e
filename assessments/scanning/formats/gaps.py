"""What a report says is missing, in the order a team should read it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ...maturity import Capability, Catalogue
from .report import ReportCapability, ReportData


class Urgency(IntEnum):
    """How much a gap matters to the repository's next step, most urgent first."""

    BLOCKS_NEXT_LEVEL = 0  # a characteristic of the next level: the level waits for it
    NEEDED_FOR_NEXT_LEVEL = 1  # the next level counts it
    LATER = 2  # a higher level's, or optional


@dataclass(frozen=True)
class Gap:
    capability: Capability
    found: ReportCapability | None  # partly in place, with the evidence seen
    urgency: Urgency

    @property
    def grade(self) -> float:
        return self.found.grade if self.found else 0.0


def report_gaps(report: ReportData, catalogue: Catalogue) -> list[Gap]:
    """Capabilities the scan could judge and found short of fully in place.

    Capabilities a repository cannot show (serving, monitoring...) are the questionnaire's to
    answer, so they are no gap of the repository's. Gaps of capabilities the catalogue no
    longer has (a report from an older catalogue) are left out.
    """
    progress = report.next_level_progress or {}
    blocking = _keys(progress.get("blocking"))
    needed = _keys(progress.get("missing")) | blocking
    gaps = []
    for key, found in report.capabilities.items():
        if found.grade >= 1 or not catalogue.has_capability(key) or key in report.unknown:
            continue
        capability = catalogue.capability(key)
        if key in blocking:
            urgency = Urgency.BLOCKS_NEXT_LEVEL
        elif key in needed and not capability.optional:
            urgency = Urgency.NEEDED_FOR_NEXT_LEVEL
        else:
            urgency = Urgency.LATER
        gaps.append(Gap(capability, found if found.evidence or found.grade else None, urgency))
    order = {c.key: i for i, c in enumerate(catalogue.capabilities)}
    return sorted(gaps, key=lambda g: (g.urgency, g.capability.level, order[g.capability.key]))


def _keys(value: object) -> frozenset[str]:
    if isinstance(value, list | tuple):
        return frozenset(k for k in value if isinstance(k, str))
    return frozenset()
