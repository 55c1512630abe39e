"""A gate that fails only when a change makes things worse than a baseline report.

A team adopting the gate already owes debt; blocking every pull request on it would have the
gate switched off. Compared with the report of the main branch (or any earlier one), a pull
request fails only when it lowers the level or the grade of a capability.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...maturity import Catalogue
from .report import ReportData


class BaselineError(ValueError):
    """The baseline cannot be compared with this report."""


@dataclass(frozen=True)
class Change:
    capability: str
    title: str
    before: float
    after: float


@dataclass(frozen=True)
class Comparison:
    level_before: int | None
    level_after: int | None
    lowered: tuple[Change, ...]
    raised: tuple[Change, ...]

    @property
    def level_lowered(self) -> bool:
        if self.level_before is None:
            return False
        # A report that can no longer be judged cannot show that the level held.
        return self.level_after is None or self.level_after < self.level_before

    @property
    def worse(self) -> bool:
        return self.level_lowered or bool(self.lowered)

    def worse_sentences(self) -> list[str]:
        """What got worse, one sentence each; empty when nothing did."""
        lines = []
        if self.level_lowered:
            after = "inconclusive" if self.level_after is None else f"level {self.level_after}"
            lines.append(f"The level went from level {self.level_before} to {after}.")
        for change in self.lowered:
            lines.append(f"{change.title} went from {change.before:g} to {change.after:g}.")
        return lines

    def sentences(self) -> list[str]:
        """Every change, worse first."""
        lines = self.worse_sentences()
        for change in self.raised:
            lines.append(f"{change.title} improved from {change.before:g} to {change.after:g}.")
        if not lines:
            lines.append("No capability and not the level changed against the baseline.")
        return lines


def compare_reports(baseline: ReportData, current: ReportData, catalogue: Catalogue) -> Comparison:
    """What changed from `baseline` to `current`, for the same project of a repository."""
    if baseline.project != current.project:
        raise BaselineError(
            f"The baseline is a report of project {baseline.project or '(the whole repository)'}"
            f", this scan of {current.project or '(the whole repository)'}."
        )
    lowered, raised = [], []
    for capability in catalogue.capabilities:
        key = capability.key
        # A capability neither report could judge, or only one could, is not a change the
        # pull request made to the code.
        if key in baseline.unknown or key in current.unknown:
            continue
        before, after = baseline.grade(key), current.grade(key)
        if after < before:
            lowered.append(Change(key, capability.title, before, after))
        elif after > before:
            raised.append(Change(key, capability.title, before, after))
    return Comparison(
        level_before=baseline.overall_level,
        level_after=current.overall_level,
        lowered=tuple(lowered),
        raised=tuple(raised),
    )
