"""A kit's files as a unified diff in git's format, for `git apply`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileChange:
    """A file the kit adds (`before` None) or changes (`before` the scanned commit's text)."""

    path: str
    after: str
    before: str | None = None

    @property
    def added(self) -> bool:
        return self.before is None


def as_patch(changes: tuple[FileChange, ...]) -> str:
    """The changes as one patch. Kit paths are fixed names of ours, never a repository's, so
    no path needs git's quoting."""
    parts = []
    for change in changes:
        if not change.after.endswith("\n"):
            raise ValueError(f"{change.path}: a kit's file ends with a newline")
        before = [] if change.before is None else change.before.splitlines(keepends=True)
        unterminated = bool(before) and not before[-1].endswith("\n")
        if unterminated:
            # Marked so that it differs from the same line with its newline added; the marker
            # becomes git's "no newline" note below.
            before[-1] += _NO_NEWLINE
        header = [f"diff --git a/{change.path} b/{change.path}\n"]
        if change.added:
            header.append("new file mode 100644\n")
        diff = "".join(
            difflib.unified_diff(
                before,
                change.after.splitlines(keepends=True),
                fromfile="/dev/null" if change.added else f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
        if unterminated:
            diff = diff.replace(_NO_NEWLINE, "\n\\ No newline at end of file\n")
        parts.append("".join(header) + diff)
    return "".join(parts)


_NO_NEWLINE = "\x00no-newline\x00"
