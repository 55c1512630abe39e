"""Scan directories, named after the process that owns them, and the sweep of those left behind.

A scan removes its temporary directory in a ``finally``, which a process killed with SIGKILL
(the OOM killer, a hard time limit) never reaches. So every scan directory is named
``mlmaturity-scan-<host>-<pid>-<start>-<random>``: the owner's host (its name and pid
namespace), pid and start time (clock ticks after boot, from ``/proc/<pid>/stat``; 0 where
there is no /proc).
``sweep_scan_dirs`` removes this host's directories whose owner is no longer running: its pid
is gone or a zombie, or belongs to a process that started at another time (a reused pid).

Pids only mean something on their own host and in their own pid namespace, hence both in the
name: a folder shared by several machines or containers is swept by each for its own only.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time

SCAN_DIR_PREFIX = "mlmaturity-scan-"
_SCAN_DIR = re.compile(
    re.escape(SCAN_DIR_PREFIX)
    + r"(?P<host>[A-Za-z0-9._-]{1,90})-(?P<pid>[1-9][0-9]{0,9})-(?P<start>[0-9]{1,20})"
    + r"-[a-z0-9_]{1,32}"
)
_HAS_PROC = os.path.exists("/proc/self/stat")


def scan_work_folder(work_dir: str | None = None) -> str:
    """The folder holding scan directories: ``work_dir``, or the system's temporary folder."""
    return work_dir or tempfile.gettempdir()


def make_scan_dir(work_dir: str | None = None) -> str:
    """Create a private (0700) scan directory owned, by its name, by the calling process."""
    folder = scan_work_folder(work_dir)
    os.makedirs(folder, exist_ok=True)
    pid = os.getpid()
    prefix = f"{SCAN_DIR_PREFIX}{host_label()}-{pid}-{_start_time(pid) or 0}-"
    return tempfile.mkdtemp(prefix=prefix, dir=folder)


def sweep_scan_dirs(work_dir: str | None = None, *, budget_seconds: float | None = None) -> int:
    """Remove this host's scan directories whose owning process is no longer running.

    Only directories named as ``make_scan_dir`` names them and made by this user are looked
    at; anything else in the folder (other files, symbolic links, other hosts' directories,
    directories of running scans) is left alone. With ``budget_seconds`` the sweep stops
    early once the time is spent, leaving the rest to the next one. Returns how many
    directories were removed.
    """
    folder = scan_work_folder(work_dir)
    host = host_label()
    stop = None if budget_seconds is None else time.monotonic() + budget_seconds
    removed = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if stop is not None and time.monotonic() >= stop:
                    break
                if _left_behind(entry, host) and _remove(entry.path):
                    removed += 1
    except FileNotFoundError:
        pass  # no scan has run here yet
    return removed


def host_label() -> str:
    """This host's name, reduced to characters a scan directory's name may hold, and the
    identity of this pid namespace: containers sharing a folder and a host name still see
    each other's pids as meaningless, and must not judge each other's directories."""
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "localhost"
    return f"{host}.{_pid_namespace()}"


def _pid_namespace() -> int:
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _left_behind(entry: os.DirEntry[str], host: str) -> bool:
    match = _SCAN_DIR.fullmatch(entry.name)
    if match is None or match["host"] != host:
        return False
    try:
        # A symbolic link is never a scan directory, whatever its name says.
        if not entry.is_dir(follow_symlinks=False):
            return False
        if entry.stat(follow_symlinks=False).st_uid != os.getuid():
            return False
    except OSError:
        return False  # removed meanwhile
    return not _is_running(int(match["pid"]), int(match["start"]))


def _is_running(pid: int, start: int) -> bool:
    """Whether the process that made a scan directory (``pid`` started at ``start``) runs."""
    if not _HAS_PROC:
        # Without start times, a live pid is presumed to be the owner: a directory kept too
        # long costs less than the checkout of a running scan removed under it.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # it exists, under another user
        return True
    status = _process_status(pid)
    if status is None:
        return False
    state, started = status
    return state not in {"Z", "X"} and start in {0, started}


def _start_time(pid: int) -> int | None:
    status = _process_status(pid) if _HAS_PROC else None
    return status[1] if status else None


def _process_status(pid: int) -> tuple[str, int] | None:
    """The state letter and start time of ``pid`` from /proc, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The command name (2nd field) may hold spaces and parentheses: split after it.
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0].decode("ascii", "replace"), int(fields[19])


def _remove(path: str) -> bool:
    # The directory holds an untrusted repository. rmtree unlinks the symbolic links it finds
    # instead of following them, refuses one in place of the directory itself, and where it
    # works through file descriptors (Linux) cannot be led astray by one swapped in midway.
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)
