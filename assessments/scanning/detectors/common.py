"""What every detector family uses: findings, keyword hits, lenient YAML and wording.

Analyses several families share live beside this module: ``paths`` (kinds of files),
``imports``, ``mlcode``, ``dependencies``, ``ciconfig`` (with ``cisystems``), ``orchestration``
and ``servingcode``. Each is computed once per snapshot (``snapshot.memo``) from the line index
or from a few small files, so detectors stay cheap however many ask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength
from .imports import ImportSite
from .paths import is_code_path, is_notebook, is_test_path


def finding(
    capability: str,
    grade: float,
    strength: Strength,
    reason: str,
    where: Hit | ImportSite | str | None = None,
    line: int | None = None,
) -> Finding:
    """Build a Finding from a hit, an import site or a path."""
    path = None
    if isinstance(where, (Hit, ImportSite)):
        path, line = where.path, where.line
    elif isinstance(where, str):
        path = where
    return Finding(capability, grade, strength, reason, path, line)


def first_hits(hits: Iterable[Hit]) -> list[Hit]:
    """The first hit of each file, in order: one piece of evidence per file is enough."""
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.path, hit)
    return list(seen.values())


def code_hits(snapshot: RepositorySnapshot, *words: str, tests: bool = False) -> list[Hit]:
    """Hits in code (``.py`` and notebooks) outside comments; test files only if ``tests``."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if is_code_path(hit.path)
        and not hit.text.startswith("#")
        and (tests or not is_test_path(hit.path))
    ]


def test_hits(snapshot: RepositorySnapshot, *words: str) -> list[Hit]:
    """Hits in test files only."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if is_code_path(hit.path) and is_test_path(hit.path) and not hit.text.startswith("#")
    ]


def config_hits(snapshot: RepositorySnapshot, *words: str) -> list[Hit]:
    """Hits outside Python code (YAML, TOML, Dockerfiles, Terraform...), without comments."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if not hit.path.endswith(".py")
        and not is_notebook(hit.path)
        and not hit.text.startswith(("#", "//"))
    ]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str | None, *, max_chars: int = 512 * 1024) -> object:
    """Parse YAML leniently: None for anything malformed, huge or multi-document."""
    if not text or len(text) > max_chars:
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def plural(count: int, word: str) -> str:
    """``plural(1, "file")`` is "1 file", ``plural(3, "file")`` is "3 files"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def any_of(*words: str) -> re.Pattern[str]:
    """A regex matching any of the fixed strings ``words``."""
    return re.compile("|".join(map(re.escape, words)))
