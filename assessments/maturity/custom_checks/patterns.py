"""Paths and patterns of rules: bounded globs and linear-time (RE2) regular expressions."""

from __future__ import annotations

import re
from typing import Any

import re2

from .model import MAX_GLOB_WILDCARDS, MAX_PATTERN

# Patterns and paths run on RE2, whose matching time grows linearly with the text: no pattern
# an organisation writes, however shaped, can hold a scan on one crafted line. RE2 has no
# back-references nor lookarounds, so those are refused when the check set is imported.
_LINEAR = re2.Options()
_LINEAR.log_errors = False
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def glob_problem(glob: str) -> str | None:
    """Why ``glob`` cannot be a path rule, or None. Paths stay inside the repository."""
    if glob.startswith("/") or re.match(r"^[A-Za-z]:", glob):
        return f"the path '{glob}' must be relative to the repository's root, not absolute."
    if "\\" in glob:
        return f"the path '{glob}' must use '/' between folders."
    if any(part in ("..", ".") for part in glob.split("/")):
        return f"the path '{glob}' must stay inside the repository ('..' and '.' are refused)."
    if "//" in glob or glob.endswith("/"):
        return f"the path '{glob}' must name files, without empty folder names."
    if "[" in glob or "]" in glob or "{" in glob or "}" in glob:
        return f"the path '{glob}' may use only the wildcards *, ** and ?."
    wildcards = len(re.findall(r"\*\*|\*|\?", glob))
    if wildcards > MAX_GLOB_WILDCARDS:
        return f"the path '{glob}' has more than {MAX_GLOB_WILDCARDS} wildcards."
    return None


def glob_regex(glob: str) -> Any:
    """The regular expression of a validated glob: ``**/`` spans any number of folders (none
    included), ``*`` any characters within a folder name, ``?`` one such character."""
    out = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append(r"(?:[^/]+/)*")
            index += 3
        elif glob.startswith("**", index):
            out.append(r".*")
            index += 2
        elif glob[index] == "*":
            out.append(r"[^/]*")
            index += 1
        elif glob[index] == "?":
            out.append(r"[^/]")
            index += 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return linear_regex("".join(out) + r"\z")


def linear_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (linear time); raises ``re2.error`` where RE2 cannot run it."""
    return re2.compile(pattern, options=_LINEAR)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a content rule, or None."""
    if len(pattern) > MAX_PATTERN:
        return f"the pattern is longer than {MAX_PATTERN} characters."
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        return f"the pattern is not a valid regular expression ({error})."
    if _BACKREFERENCE.search(pattern):
        return "the pattern must not use back-references (\\1, (?P=name))."
    try:
        linear_regex(pattern)
    except re2.error:
        return (
            "the pattern uses syntax the scanner does not run (lookarounds, possessive or "
            "atomic groups); write it without them."
        )
    return None
