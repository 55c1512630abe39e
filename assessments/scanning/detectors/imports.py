"""What Python files import, and which of the repository's own files those imports lead to.

Parsed once per snapshot from the import lines of the line index.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from ..tree import RepositorySnapshot
from .base import keywords
from .paths import is_code_path, is_test_path

IMPORT = keywords("import ")

_IMPORT_LINE = re.compile(r"^\s*(?:from\s+(\.*[\w.]*)\s+import\s+(.*)|import\s+(.*))$")
_NAME = re.compile(r"^[A-Za-z_][\w.]*$")
_RELATIVE_IMPORT = re.compile(r"^\s*from\s+\.")


class ImportSite(NamedTuple):
    """Where a module is imported (a tuple: there are tens of thousands in a big repo)."""

    path: str
    module: str
    line: int | None


def imports(snapshot: RepositorySnapshot) -> dict[str, dict[str, int | None]]:
    """Map each evidence file to the modules it imports (module -> first line)."""

    return _import_tables(snapshot)[0]


def _import_tables(
    snapshot: RepositorySnapshot,
) -> tuple[dict[str, dict[str, int | None]], frozenset[tuple[str, str]]]:
    """The import table, and the (path, module) pairs only ever imported relatively."""

    def compute() -> tuple[dict[str, dict[str, int | None]], frozenset[tuple[str, str]]]:
        table: dict[str, dict[str, int | None]] = defaultdict(dict)
        relative: set[tuple[str, str]] = set()
        absolute: set[tuple[str, str]] = set()
        for hit in snapshot.hits(*IMPORT):
            if not is_code_path(hit.path):
                continue
            seen = relative if _RELATIVE_IMPORT.match(hit.text) else absolute
            for module in parse_import_line(hit.text):
                table[hit.path].setdefault(module, hit.line)
                seen.add((hit.path, module))
        return dict(table), frozenset(relative - absolute)

    return snapshot.memo("imports", compute)


@functools.lru_cache(maxsize=65_536)
def parse_import_line(text: str) -> tuple[str, ...]:
    """Modules named by one import line; ``from a import b`` yields ``a`` and ``a.b``
    (so ``from google.cloud import aiplatform`` counts as importing the submodule)."""
    match = _IMPORT_LINE.match(text)
    if not match:
        return ()
    source, names, plain = match.groups()
    if plain is not None:
        parts = [part.strip().split(" as ")[0].strip() for part in plain.split(",")]
        return tuple(part for part in parts if _NAME.match(part))
    names = names.split("#", 1)[0].strip().strip("()\\ ")
    source = source.lstrip(".")  # relative imports name local modules
    modules = [source] if source else []
    for name in names.split(","):
        name = name.strip().split(" as ")[0].strip().strip("()")
        if _NAME.match(name) and name != "*":
            modules.append(f"{source}.{name}" if source else name)
    return tuple(modules)


def module_matches(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def import_sites_by_top_module(snapshot: RepositorySnapshot) -> dict[str, list[ImportSite]]:
    """Every import site of an absolute import, filed under its top-level package, in path
    order (relative imports resolve through ``local_imports``)."""

    def compute() -> dict[str, list[ImportSite]]:
        table: dict[str, list[ImportSite]] = defaultdict(list)
        modules_by_path, relative = _import_tables(snapshot)
        for path, modules in sorted(modules_by_path.items()):
            for module, line in modules.items():
                # ``from .guardrails import check`` names the project's own module, never
                # the library of that name.
                if (path, module) not in relative:
                    table[module.split(".")[0]].append(ImportSite(path, module, line))
        return dict(table)

    return snapshot.memo("import_sites", compute)


def files_importing(snapshot: RepositorySnapshot, *prefixes: str) -> list[ImportSite]:
    """Import sites of any module under ``prefixes`` (``"tfx"`` matches ``tfx.components``)."""
    by_top = import_sites_by_top_module(snapshot)
    # Each site is only compared with the prefixes of its own top-level package: a library's
    # repository imports itself tens of thousands of times.
    prefixes_by_top: dict[str, list[str]] = defaultdict(list)
    for prefix in prefixes:
        prefixes_by_top[prefix.split(".")[0]].append(prefix)
    sites = [
        site
        for top in sorted(prefixes_by_top)
        for site in by_top.get(top, ())
        if module_matches(site.module, prefixes_by_top[top])
    ]
    return sorted(sites, key=lambda site: (site.path, site.line or 0, site.module))


def first_per_path(sites: Iterable[ImportSite]) -> list[ImportSite]:
    seen: dict[str, ImportSite] = {}
    for site in sites:
        seen.setdefault(site.path, site)
    return list(seen.values())


def local_modules(snapshot: RepositorySnapshot) -> set[str]:
    """Names importable from the repository itself (module stems and package folders)."""

    def compute() -> set[str]:
        names = set()
        for entry in snapshot.evidence:
            if entry.path.endswith(".py"):
                parts = entry.path[:-3].split("/")
                names.add(parts[-1])
                names.update(part for part in parts[:-1] if part.isidentifier())
        names.discard("__init__")
        names.discard("src")
        return names

    return snapshot.memo("local_modules", compute)


def _module_index(snapshot: RepositorySnapshot) -> dict[str, list[str]]:
    """Dotted names a repository file can be imported by (``pkg.mod``, ``mod``) -> its paths."""

    def compute() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for entry in snapshot.evidence:
            if not entry.path.endswith(".py"):
                continue
            parts = entry.path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            for start in range(len(parts)):
                index.setdefault(".".join(parts[start:]), []).append(entry.path)
        return index

    return snapshot.memo("serving_module_index", compute)


def local_imports(snapshot: RepositorySnapshot, path: str) -> list[str]:
    """The repository files ``path`` imports; a sibling module wins over a same-named one
    elsewhere, as Python's path would have it when the script runs from its folder."""
    index = _module_index(snapshot)
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    found: list[str] = []
    for module in imports(snapshot).get(path, {}):
        candidates = [c for c in index.get(module, ()) if c != path]
        siblings = [c for c in candidates if c.rsplit("/", 1)[0] == folder or "/" not in c]
        for candidate in (siblings or candidates)[:3]:
            if candidate not in found:
                found.append(candidate)
    return found


def import_chain(
    snapshot: RepositorySnapshot, start: str, targets: set[str], *, hops: int = 3
) -> list[str]:
    """How ``start`` reaches one of ``targets`` through local imports (both ends included),
    or an empty list when it does not within ``hops`` imports."""
    parents: dict[str, str] = {start: ""}
    frontier = [start]
    for _ in range(hops):
        following = []
        for path in frontier:
            for imported in local_imports(snapshot, path):
                if imported in parents or is_test_path(imported):
                    continue
                parents[imported] = path
                if imported in targets:
                    chain = [imported]
                    while parents[chain[-1]]:
                        chain.append(parents[chain[-1]])
                    return chain[::-1]
                following.append(imported)
        frontier = following
    return []
