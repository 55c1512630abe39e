"""Contradictions between a capability's answer and the repository's findings.

The rules, and why, are in ``scoring``'s docstring (Contradictions).
"""

from __future__ import annotations

from .catalogue import Capability
from .evidence import STRENGTH_RANK, Evidence, finding_order, supports_claim
from .results import CapabilityResult, Contradiction, in_sentence


def contradiction_of(
    capability: Capability, result: CapabilityResult, scanned: bool
) -> Contradiction | None:
    """The contradiction between the capability's answer and its findings, if any.

    ``scanned``: a recent scan covered a repository holding the capability's dimension, so
    missing evidence can contradict a claim.
    """
    claimed = result.answer_grade
    if claimed is None:
        return None
    if claimed == 0:
        if not result.evidence:
            return None  # most capabilities have no finding: nothing can deny a no
        denied_by = [
            f
            for f in result.evidence
            if STRENGTH_RANK[f.strength] >= STRENGTH_RANK["code"] and f.effective_grade >= 0.5
        ]
        if not denied_by:
            return None
        finding = max(denied_by, key=finding_order)
        where = f" ({_location(finding)})" if finding.path else ""
        return Contradiction(
            capability.key,
            "detected_but_denied",
            f"Answered no for {in_sentence(capability.title)}, but the repository shows it: "
            f"{finding.reason}{where}.",
        )
    if not scanned or not capability.evidence_decides:
        return None
    if any(supports_claim(f) for f in result.evidence):
        return None
    how = "automated" if claimed == 1 else "done partly or by hand"
    return Contradiction(
        capability.key,
        "claimed_without_evidence",
        f"Answered that {in_sentence(capability.title)} is {how}, but the repository scan "
        "found no sign of it.",
    )


def _location(finding: Evidence) -> str:
    return f"{finding.path}:{finding.line}" if finding.line is not None else str(finding.path)
