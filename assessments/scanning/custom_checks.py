"""Evaluating an organisation's own checks (``maturity.custom_checks``) on a repository snapshot.

The repository is untrusted: rules only read through the snapshot (no checkout, blobs read
with the scan's size caps), binary files never match a pattern, and a pattern is searched line
by line on at most ``MAX_FILES_PER_RULE`` files of at most ``MAX_FILE_BYTES`` each, every line
cut at ``MAX_LINE_CHARS``, so a pattern the validation let through still works on bounded input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..maturity.custom_checks import CheckSet, CustomCheck, glob_regex, linear_regex
from .detectors.dependencies import dependencies, normalise_package
from .tree import RepositorySnapshot, TreeEntry

MAX_FILES_PER_RULE = 200
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 4_000
# What all the checks of one scan may read together, beside the detectors' own budget.
MAX_TOTAL_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class CheckOutcome:
    """Whether one check passed on one commit, with the file (and line) that shows it."""

    key: str
    passed: bool
    reason: str
    path: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "passed": self.passed,
            "reason": self.reason,
            "path": self.path,
            "line": self.line,
        }


def evaluate_check_set(check_set: CheckSet, snapshot: RepositorySnapshot) -> list[CheckOutcome]:
    """One outcome per check with a rule, in the set's order; a check with only a question
    is for the team to answer, and a scan has nothing to say about it."""
    budget = _Budget(MAX_TOTAL_BYTES)
    return [
        evaluate_check(check, snapshot, budget)
        for check in check_set.checks
        if check.rule is not None
    ]


class _Budget:
    def __init__(self, remaining: int):
        self.remaining = remaining

    def take(self, entry: TreeEntry) -> bool:
        size = entry.size or 0
        if size > self.remaining:
            return False
        self.remaining -= size
        return True


def evaluate_check(
    check: CustomCheck, snapshot: RepositorySnapshot, budget: _Budget | None = None
) -> CheckOutcome:
    budget = budget or _Budget(MAX_TOTAL_BYTES)
    rule = check.rule
    if rule is None:
        raise ValueError(f"check {check.key!r} has no rule to evaluate")
    if rule.kind == "dependency_present":
        wanted = normalise_package(rule.package)
        for dependency in dependencies(snapshot):
            if dependency.name == wanted:
                return CheckOutcome(
                    check.key,
                    True,
                    f"{rule.package} is declared in {dependency.path}.",
                    dependency.path,
                    dependency.line,
                )
        return CheckOutcome(check.key, False, f"No manifest declares {rule.package}.")
    matching = _matching_files(snapshot, rule.path)
    if rule.kind == "file_exists":
        if matching:
            return CheckOutcome(check.key, True, f"{matching[0].path} exists.", matching[0].path)
        return CheckOutcome(check.key, False, f"No file matches {rule.path}.")
    if not matching:
        return CheckOutcome(check.key, False, f"No file matches {rule.path}.")
    pattern = linear_regex(rule.pattern)
    unread = max(0, len(matching) - MAX_FILES_PER_RULE)
    for entry in matching[:MAX_FILES_PER_RULE]:
        if entry.size is None or entry.size > MAX_FILE_BYTES or not budget.take(entry):
            unread += 1
            continue
        text = snapshot.read_text(entry, limit=MAX_FILE_BYTES)
        if text is None:
            continue  # binary, missing, larger than the cap, or over the scan's budget
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line[:MAX_LINE_CHARS]):
                return CheckOutcome(
                    check.key,
                    True,
                    f"{entry.path} line {number} matches the pattern.",
                    entry.path,
                    number,
                )
    if unread:
        # Not proof of absence: say what was left unread rather than that nothing matched.
        return CheckOutcome(
            check.key,
            False,
            f"No file read contains the pattern; {unread} file(s) matching {rule.path} were "
            "too large or beyond the scan's reading limits.",
        )
    return CheckOutcome(
        check.key, False, f"No text file matching {rule.path} contains the pattern."
    )


def _matching_files(snapshot: RepositorySnapshot, glob: str) -> list[TreeEntry]:
    regex = glob_regex(glob)
    return [entry for entry in snapshot.files if regex.match(entry.path)]
