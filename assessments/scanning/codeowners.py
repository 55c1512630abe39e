"""Who owns a whole repository according to its CODEOWNERS file: pure, no Django.

A repository's CODEOWNERS is untrusted input. The supported subset, on purpose small:

- the file is the first of ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS`` that
  exists (GitHub's order); one larger than ``MAX_BYTES`` is ignored, not cut;
- a line is ``PATTERN OWNER...``; blank lines and ``#`` comments are skipped (``\\#`` is a
  literal ``#``), lines longer than ``MAX_LINE`` and GitLab section headers (``[Docs]``,
  ``^[Docs]``) are skipped; undecodable bytes are replaced, never fatal;
- only rules for the whole repository are read: the patterns ``*``, ``**`` and ``/**``. As in
  GitHub, the last such line wins, even when it names no owner (then the file names no team
  for the repository);
- owners that are teams (``@org/team-slug``, for GitLab ``@group/subgroup``) are kept, in the
  order written; users (``@name``) and email addresses are not teams and are left out.

Rules for parts of a repository (``/docs/``, ``*.py``, ``/src/ml/``) say nothing about who owns
the repository as a whole, so they are not read.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where each forge looks for the file, in its order.
PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
GITLAB_PATHS = ("CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
MAX_BYTES = 64 * 1024
MAX_LINE = 4096
MAX_TEAM_REFERENCE = 300
WHOLE_REPOSITORY_PATTERNS = frozenset({"*", "**", "/**"})


@dataclass(frozen=True)
class RootOwners:
    """The last whole-repository rule of a CODEOWNERS file: where it is and the teams it names
    (lower case, without '@'; empty when that line names none)."""

    path: str
    line: int
    teams: tuple[str, ...]


def _without_comment(line: str) -> str:
    """The line up to its first unescaped '#'."""
    for index, char in enumerate(line):
        if char == "#" and (index == 0 or line[index - 1] != "\\"):
            return line[:index]
    return line


def root_owners(content: bytes | str, *, path: str) -> RootOwners | None:
    """The whole-repository rule that wins in this CODEOWNERS file, or None when there is no
    such rule (or the file is larger than MAX_BYTES)."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            return None
        text = content.decode("utf-8", errors="replace")
    else:
        if len(content.encode("utf-8", errors="replace")) > MAX_BYTES:
            return None
        text = content
    winner: RootOwners | None = None
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if len(raw) > MAX_LINE:
            continue
        tokens = _without_comment(raw).split()
        if not tokens or tokens[0].startswith(("[", "^[")):
            continue
        if tokens[0] not in WHOLE_REPOSITORY_PATTERNS:
            continue
        teams = tuple(
            owner[1:].lower()
            for owner in tokens[1:]
            if owner.startswith("@") and "/" in owner and len(owner) <= MAX_TEAM_REFERENCE
        )
        winner = RootOwners(path=path, line=number, teams=teams)
    return winner
