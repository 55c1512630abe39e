"""The repository snapshot detectors look at: paths, bounded lazy reads, and a line index.

Detectors never touch git or the file system. They ask the snapshot for paths (by name or
suffix), for the text of a few small files, and for the lines that contain one of the fixed
strings the detectors registered. That line index is built in one pass over every candidate
text file (``git grep`` for a real repository, a Python loop for an in-memory one), so a scan
reads the bulk of a repository once however many detectors there are.

Which files count as evidence is decided once, in ``evidencepaths``.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple, TypedDict, TypeVar, Unpack, cast

from .evidencepaths import (
    GREP_PATHSPECS,
    grep_exclude_pathspecs,
    is_evidence_path,
    is_grep_candidate,
)
from .git import Ref
from .gitobjects import TreeEntry
from .keywordmatcher import KeywordMatcher

__all__ = [
    "Hit",
    "KeywordMatcher",
    "RepositorySnapshot",
    "TreeEntry",
    "is_evidence_path",
    "is_grep_candidate",
    "grep_exclude_pathspecs",
    "GREP_PATHSPECS",
]


class Hit(NamedTuple):
    """A line of an evidence file containing a registered keyword; ``line`` is None in
    notebooks (cells have no stable line numbers). A tuple: big repositories have many."""

    path: str
    line: int | None
    text: str


ReadBlob = Callable[[TreeEntry], "bytes | None"]
GrepBackend = Callable[[Callable[[str, int, str], None]], bool]


_Memoised = TypeVar("_Memoised")


class SnapshotOptions(TypedDict, total=False):
    """The optional keyword arguments of ``RepositorySnapshot``, for ``from_files``."""

    grep_backend: GrepBackend | None
    symlinks: Iterable[str]
    submodules: Iterable[str]
    truncated: bool
    max_blob_bytes: int
    max_total_bytes: int
    max_notebook_bytes: int
    facts: Mapping[str, object] | None
    on_close: Callable[[], None] | None


class RepositorySnapshot:
    """A read-only view of one commit of a repository.

    ``read_blob`` returns a blob's bytes or None when it is missing; ``grep_backend`` (optional)
    feeds every line of the grep candidates that holds a keyword into a callback and returns
    False when it could not run (the snapshot then reads files itself).
    """

    def __init__(
        self,
        *,
        commit: str,
        entries: Iterable[TreeEntry],
        read_blob: ReadBlob,
        keywords: Iterable[str],
        grep_backend: GrepBackend | None = None,
        refs: Iterable[Ref] = (),
        symlinks: Iterable[str] = (),
        submodules: Iterable[str] = (),
        truncated: bool = False,
        max_blob_bytes: int = 2_000_000,
        max_total_bytes: int = 256 * 1024 * 1024,
        max_notebook_bytes: int = 5_000_000,
        facts: Mapping[str, object] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.commit = commit
        self._on_close = on_close
        self.files: tuple[TreeEntry, ...] = tuple(sorted(entries, key=lambda e: e.path))
        self.refs: tuple[Ref, ...] = tuple(refs)
        self.symlinks: tuple[str, ...] = tuple(sorted(symlinks))
        self.submodules: tuple[str, ...] = tuple(sorted(submodules))
        self.truncated = truncated
        self.max_blob_bytes = max_blob_bytes
        self.max_total_bytes = max_total_bytes
        self.max_notebook_bytes = max_notebook_bytes
        self.facts: dict[str, object] = dict(facts or {})
        self.bytes_read = 0
        self.missing: set[str] = {e.path for e in self.files if e.size is None}
        self.unreadable: set[str] = set()
        self.budget_exhausted = False
        self._read_blob = read_blob
        self._grep_backend = grep_backend
        self._matcher = KeywordMatcher.for_keywords(frozenset(keywords))
        self._known_keywords = frozenset(self._matcher.keywords)
        self._by_path = {entry.path: entry for entry in self.files}
        self.evidence: tuple[TreeEntry, ...] = tuple(
            e for e in self.files if is_evidence_path(e.path)
        )
        self._by_name: dict[str, list[TreeEntry]] = defaultdict(list)
        self._by_name_all: dict[str, list[TreeEntry]] = defaultdict(list)
        evidence_paths = {entry.path for entry in self.evidence}
        for entry in self.files:
            name = posixpath.basename(entry.path).lower()
            self._by_name_all[name].append(entry)
            if entry.path in evidence_paths:
                self._by_name[name].append(entry)
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self._cache_bytes = 0
        self._index: dict[str, list[Hit]] | None = None
        self.index_source: str | None = None  # "git grep" or "python", once the index is built
        self._memo: dict[str, object] = {}
        self._notebook_codes: dict[str, str | None] = {}

    def close(self) -> None:
        """Release the blob reader (a git process for real repositories)."""
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> RepositorySnapshot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- construction helpers ---------------------------------------------------------------

    @classmethod
    def from_files(
        cls,
        files: Mapping[str, str | bytes | None],
        *,
        keywords: Iterable[str],
        commit: str = "0" * 40,
        refs: Iterable[Ref] = (),
        **options: Unpack[SnapshotOptions],
    ) -> RepositorySnapshot:
        """An in-memory snapshot (tests, demos); a value of None stands for a missing blob."""
        blobs: dict[str, bytes | None] = {}
        entries = []
        for index, (path, content) in enumerate(sorted(files.items())):
            data = content.encode() if isinstance(content, str) else content
            oid = f"{index:040x}"
            blobs[oid] = data
            entries.append(TreeEntry(path=path, oid=oid, size=None if data is None else len(data)))
        return cls(
            commit=commit,
            entries=entries,
            read_blob=lambda entry: blobs.get(entry.oid),
            keywords=keywords,
            refs=refs,
            **options,
        )

    # -- paths ------------------------------------------------------------------------------

    def entry(self, path: str) -> TreeEntry | None:
        return self._by_path.get(path)

    def named(self, *names: str, evidence_only: bool = True) -> list[TreeEntry]:
        """Files whose base name (case-insensitive) is one of ``names``."""
        wanted = {name.lower() for name in names}
        if evidence_only:
            return sorted(
                (e for name in wanted for e in self._by_name.get(name, ())), key=lambda e: e.path
            )
        return sorted(
            (e for name in wanted for e in self._by_name_all.get(name, ())), key=lambda e: e.path
        )

    def matching(self, *patterns: str, evidence_only: bool = True) -> list[TreeEntry]:
        """Files whose path matches one of the glob ``patterns`` (``*`` spans folders)."""
        regex = re.compile("|".join(fnmatch.translate(p) for p in patterns), re.IGNORECASE)
        pool = self.evidence if evidence_only else self.files
        return [e for e in pool if regex.match(e.path)]

    def with_suffix(self, *suffixes: str, evidence_only: bool = True) -> list[TreeEntry]:
        lowered = tuple(s.lower() for s in suffixes)
        pool = self.evidence if evidence_only else self.files
        return [e for e in pool if e.path.lower().endswith(lowered)]

    # -- contents ---------------------------------------------------------------------------

    def read_bytes(
        self, path_or_entry: str | TreeEntry, *, limit: int | None = None
    ) -> bytes | None:
        """The blob's bytes, or None if missing, larger than the limit, or over the budget."""
        entry = self._entry(path_or_entry)
        if entry is None:
            return None
        limit = self.max_blob_bytes if limit is None else limit
        if entry.size is None:
            return None
        if entry.size > limit:
            return None
        if self.bytes_read + entry.size > self.max_total_bytes:
            self.budget_exhausted = True
            return None
        data = self._read_blob(entry)
        if data is None:
            self.missing.add(entry.path)
            return None
        self.bytes_read += len(data)
        return data

    def read_text(self, path_or_entry: str | TreeEntry, *, limit: int | None = None) -> str | None:
        """Decoded text (UTF-8, lenient), or None for binary, missing or oversized files."""
        entry = self._entry(path_or_entry)
        if entry is None:
            return None
        if entry.path in self._cache:
            self._cache.move_to_end(entry.path)
            return self._cache[entry.path]
        data = self.read_bytes(entry, limit=limit)
        text = None if data is None or b"\0" in data[:8000] else data.decode("utf-8", "replace")
        if data is not None and text is None:
            self.unreadable.add(entry.path)
        self._remember(entry.path, text)
        return text

    def _remember(self, path: str, text: str | None) -> None:
        self._cache[path] = text
        self._cache_bytes += len(text or "")
        while self._cache_bytes > 32 * 1024 * 1024 and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= len(dropped or "")

    def _entry(self, path_or_entry: str | TreeEntry) -> TreeEntry | None:
        if isinstance(path_or_entry, TreeEntry):
            return path_or_entry
        return self._by_path.get(path_or_entry)

    def notebook_code(self, path_or_entry: str | TreeEntry) -> str | None:
        """The code cells of a notebook joined by newlines; None when it cannot be parsed.

        Notebooks come from anywhere: malformed JSON, odd cell shapes or non-string sources
        are skipped, never raised.
        """
        entry = self._entry(path_or_entry)
        if entry is None:
            return None
        if entry.path in self._notebook_codes:
            return self._notebook_codes[entry.path]
        code = _notebook_code(self.read_bytes(entry, limit=self.max_notebook_bytes))
        if code is None and entry.path not in self.missing:
            self.unreadable.add(entry.path)
        self._notebook_codes[entry.path] = code
        return code

    # -- the line index ---------------------------------------------------------------------

    def hits(self, *keywords: str) -> list[Hit]:
        """Evidence lines containing any of ``keywords`` (each must have been registered)."""
        index = self._line_index()
        unknown = [k for k in keywords if k not in self._known_keywords]
        if unknown:
            raise KeyError(f"Keywords were not registered: {unknown}")
        if len(keywords) == 1:
            return index.get(keywords[0], [])
        merged = {hit for keyword in keywords for hit in index.get(keyword, ())}
        return sorted(merged, key=_hit_order)

    def paths_with(self, *keywords: str) -> set[str]:
        return {hit.path for hit in self.hits(*keywords)}

    def _line_index(self) -> dict[str, list[Hit]]:
        if self._index is not None:
            return self._index
        index: dict[str, list[Hit]] = defaultdict(list)
        eligible = {
            e.path
            for e in self.evidence
            if is_grep_candidate(e.path) and not e.path.endswith(".ipynb")
        }
        matcher = self._matcher

        def add(path: str, number: int | None, text: str) -> None:
            if path not in eligible:
                return
            for keyword in matcher.matches(text):
                index[keyword].append(Hit(path, number, text.strip()[:400]))

        used_backend = self._grep_backend is not None and self._grep_backend(add)
        self.index_source = "git grep" if used_backend else "python"
        if not used_backend:
            for entry in self.evidence:
                if entry.path in eligible:
                    self._index_text(entry.path, self.read_text(entry), add)
        for entry in self.evidence:
            if entry.path.lower().endswith(".ipynb") and "/.ipynb_checkpoints/" not in entry.path:
                code = self.notebook_code(entry)
                if code:
                    for line in code.splitlines():
                        for keyword in matcher.matches(line):
                            index[keyword].append(Hit(entry.path, None, line.strip()[:400]))
        for hits in index.values():
            hits.sort(key=_hit_order)
        self._index = dict(index)
        return self._index

    @staticmethod
    def _index_text(path: str, text: str | None, add: Callable[[str, int, str], None]) -> None:
        if not text:
            return
        for number, line in enumerate(text.splitlines(), start=1):
            add(path, number, line)

    # -- memoised analyses shared by several detectors -----------------------------------------

    def memo(self, key: str, compute: Callable[[], _Memoised]) -> _Memoised:
        """``compute()``, once per snapshot: every caller passes the same function for a key."""
        if key not in self._memo:
            self._memo[key] = compute()
        # The value under ``key`` was made by the same function, so it has the type it returns.
        return cast(_Memoised, self._memo[key])


def _hit_order(hit: Hit) -> tuple[str, int]:
    return (hit.path, hit.line or 0)


def _notebook_code(data: bytes | None) -> str | None:
    if not data:
        return None
    try:
        document = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        # nbformat 3 keeps cells under worksheets
        worksheets = document.get("worksheets") if isinstance(document, dict) else None
        cells = []
        if isinstance(worksheets, list):
            for sheet in worksheets:
                if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                    cells += sheet["cells"]
    chunks = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            chunks.append(source)
    return "\n".join(chunks)
