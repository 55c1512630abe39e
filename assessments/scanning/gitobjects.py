"""Reading a fetched commit straight from git objects: no checkout, so nothing in the tree
(symlinks, submodules, attributes, hooks) is ever materialised or followed.

- ``list_tree``: paths, modes and sizes from ``ls-tree``; symlinks and submodules are recorded
  and skipped, and listing stops at the file cap;
- ``BlobReader``: bounded reads through one ``cat-file --batch`` process; a blob the partial
  fetch left out answers "missing";
- ``grep_tree``: one threaded ``git grep`` pass over every candidate file for all keywords.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import RepositoryUnavailable
from .gitsession import GitSession
from .processes import kill_process_group

_LONG_LINE = 1 << 20


@dataclass(frozen=True)
class TreeEntry:
    """A regular file of the scanned commit; ``size`` is None when its blob was not fetched."""

    path: str
    oid: str
    size: int | None
    executable: bool = False


@dataclass
class TreeListing:
    files: list[TreeEntry] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    submodules: list[str] = field(default_factory=list)
    truncated: bool = False


def list_tree(session: GitSession, commit: str, *, max_files: int) -> TreeListing:
    """List regular files with sizes; symlinks and submodules are recorded, never followed."""
    listing = TreeListing()
    pending = bytearray()
    seen = 0

    def consume(chunk: bytes) -> bool:
        nonlocal seen
        pending.extend(chunk)
        records = pending.split(b"\0")
        pending[:] = records.pop()
        for record in records:
            seen += 1
            if seen > max_files:
                listing.truncated = True
                return False
            _add_tree_record(listing, record)
        return True

    session.run(
        "ls-tree", "-r", "-z", "-l", "--full-tree", "--end-of-options", commit, on_stdout=consume
    )
    return listing


def _add_tree_record(listing: TreeListing, record: bytes | bytearray) -> None:
    meta, _, raw_path = record.partition(b"\t")
    fields = meta.split()
    if len(fields) != 4:
        return
    mode, kind, oid, size = (field.decode("ascii", "replace") for field in fields)
    path = raw_path.decode("utf-8", "replace")
    if mode == "120000":
        listing.symlinks.append(path)
    elif mode == "160000" or kind == "commit":
        listing.submodules.append(path)
    elif kind == "blob":
        listing.files.append(
            TreeEntry(
                path=path,
                oid=oid,
                size=int(size) if size.isdigit() else None,
                executable=mode == "100755",
            )
        )


class BlobReader:
    """Reads blobs through one ``git cat-file --batch`` process, killed at the deadline."""

    def __init__(self, session: GitSession) -> None:
        self._proc = session.popen("cat-file", "--batch")
        self._deadline = session.deadline
        self._lock = threading.Lock()
        self._watchdog = threading.Timer(max(0.0, session.deadline.remaining()), self._kill)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _kill(self) -> None:
        if self._proc.poll() is None:
            kill_process_group(self._proc)

    def read(self, oid: str) -> bytes | None:
        """Return the blob's bytes, or None when the object is missing locally."""
        with self._lock:
            self._deadline.check()
            try:
                if self._proc.stdin is None or self._proc.stdout is None:
                    raise OSError("cat-file pipes are closed")
                self._proc.stdin.write(oid.encode("ascii") + b"\n")
                self._proc.stdin.flush()
                header = self._proc.stdout.readline()
                if header.endswith(b" missing\n"):
                    return None
                parts = header.split()
                if len(parts) != 3:
                    raise OSError("unexpected cat-file answer")
                size = int(parts[2])
                data = self._proc.stdout.read(size)
                self._proc.stdout.read(1)
                if len(data) != size:
                    raise OSError("short read")
                return data
            except (OSError, ValueError):
                self._deadline.check()
                raise RepositoryUnavailable(
                    "The repository could not be read by git.", transient=False
                ) from None

    def close(self) -> None:
        self._watchdog.cancel()
        if self._proc.poll() is None:
            try:
                if self._proc.stdin is not None:
                    self._proc.stdin.close()
                self._proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def extended_regex(keywords: list[str]) -> str:
    """One POSIX extended regex matching any of the fixed strings ``keywords``.

    git compiles a single alternation into one automaton; hundreds of separate ``-F``
    patterns are tried one by one on every line, about thirty times slower.
    """
    return "|".join(re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", keyword) for keyword in keywords)


def grep_tree(
    session: GitSession,
    commit: str,
    *,
    pattern: str,
    pathspecs: list[str],
    on_line: Callable[[str, int, str], None],
    max_line_chars: int = 400,
) -> None:
    """Call ``on_line(path, number, text)`` for every line matching ``pattern`` (see
    ``extended_regex``).

    ``git grep`` over the object store is the fastest way to look at every text file once
    (threaded, in C); binary files are skipped and missing blobs only produce warnings. The
    output is parsed as a stream (``-z``: path NUL line NUL text LF) so paths may contain
    newlines and memory stays flat however many lines match.
    """
    prefix = (commit + ":").encode()
    pending = bytearray()
    long_line: list[tuple[bytes, bytes, bytes]] = []  # a line too long to buffer whole

    def emit(raw_path: bytes, number: bytes, text: bytes) -> None:
        if raw_path.startswith(prefix):
            raw_path = raw_path[len(prefix) :]
        if number.isdigit():
            on_line(
                raw_path.decode("utf-8", "replace"),
                int(number),
                text[: max_line_chars * 4].decode("utf-8", "replace")[:max_line_chars],
            )

    def consume(chunk: bytes) -> bool:
        if long_line:
            newline = chunk.find(b"\n")
            if newline == -1:
                return True
            emit(*long_line.pop())
            chunk = chunk[newline + 1 :]
        pending.extend(chunk)
        data = bytes(pending)
        start = 0
        while True:
            first = data.find(b"\0", start)
            second = data.find(b"\0", first + 1) if first != -1 else -1
            end = data.find(b"\n", second + 1) if second != -1 else -1
            if end == -1:
                break
            emit(data[start:first], data[first + 1 : second], data[second + 1 : end])
            start = end + 1
        del pending[:start]
        if len(pending) > _LONG_LINE and second != -1:
            long_line.append(
                (data[start:first], data[first + 1 : second], data[second + 1 : second + 4096])
            )
            pending.clear()
        return True

    session.run(
        "grep",
        "-E",
        "-I",
        "-n",
        "-z",
        "--no-color",
        "--no-textconv",
        "-e",
        pattern,
        commit,  # a full object id from rev-parse: it cannot be read as an option
        "--",
        *pathspecs,
        ok_codes=(0, 1),
        on_stdout=consume,
    )
