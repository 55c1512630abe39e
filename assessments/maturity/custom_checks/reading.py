"""The organisation's reading: whether a check passes, and the level its checks allow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import ANSWER_PASSES, CustomCheck


def organization_level(
    google_level: int, check_levels: Mapping[str, int], passing: Iterable[str]
) -> int:
    """The Google level capped by the organisation's checks: levels are cumulative, so a level
    with a check not passing (or any level above it) is not reached. ``check_levels`` maps
    each check's key to its level; ``passing`` names the checks that pass."""
    passed = set(passing)
    failing_levels = [level for key, level in check_levels.items() if key not in passed]
    if not failing_levels:
        return google_level
    return min(google_level, max(0, min(failing_levels) - 1))


@dataclass(frozen=True)
class CheckReading:
    """Whether a check passes for a team (None: not known yet) and what decided it:
    "scanned" (a repository rule on the latest scans), "answered" (the team's answer), or
    None when nothing has been read yet."""

    passed: bool | None
    source: str | None


def check_reading(check: CustomCheck, *, scanned: bool | None, answer: str | None) -> CheckReading:
    """Read one check from the scans (``scanned``: True when a repository passes the rule,
    False when every scanned one fails it, None before any scan) and the team's ``answer``
    (an ANSWER_OPTIONS key, or None).

    Evidence a scan found wins: a repository that shows the practice settles it. Otherwise the
    team's answer decides, since a rule that finds nothing may only be looking in the wrong
    place (a registry outside the repository, say); "Don't know" is no answer. A check without
    a question is read from its rule alone, and one without a rule from its answer alone."""
    if check.rule is not None and scanned:
        return CheckReading(True, "scanned")
    if check.question and answer is not None and answer != "unknown":
        return CheckReading(answer == ANSWER_PASSES, "answered")
    if check.rule is not None and scanned is not None:
        return CheckReading(False, "scanned")
    return CheckReading(None, None)
