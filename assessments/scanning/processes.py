"""Child processes under a wall-clock deadline and an output cap, killed with their group.

- every git process runs in its own session and the whole process group is killed when the
  wall-clock deadline passes or an output cap is reached;
- on Linux every git process is also killed by the kernel when the process that started it
  dies, so a scanning process killed outright (the OOM killer) leaves no git running.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import LimitExceeded

MAX_STDERR = 64 * 1024
DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Deadline:
    """A wall-clock budget shared by every step of one scan."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise LimitExceeded(
                f"The scan took longer than {self.seconds:g} seconds and was stopped."
            )


@dataclass
class ProcessResult:
    returncode: int
    stdout: bytes
    stderr: str
    stopped_early: bool = False


def _load_prctl() -> Callable[[int, int, int, int, int], int] | None:
    """libc's ``prctl`` on Linux, loaded once at import so forked children only call it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _load_prctl()


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child killed (SIGKILL) when the calling process dies.

    Git runs in a session of its own so that its whole group can be killed at the deadline,
    which also puts it out of reach of whatever kills the scanning process: a pool child
    killed by the OOM killer would leave its git running. Git's own helpers (remote-https,
    index-pack) talk to it through pipes and stop when it is gone. None where there is no
    ``prctl``, so the child is started as before.

    The kernel sends the signal when the *thread* that started the child ends; a scan starts
    git on the thread that runs it and stops every git before returning, so that thread
    outlives them.
    """
    if _PRCTL is None:
        return None
    prctl = _PRCTL
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def set_parent_death_signal() -> None:
        # Runs between fork and exec, where another thread may have held a lock at the fork:
        # a preloaded C function and two system calls, no imports, locks or logging.
        prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        # A parent that died before the signal was armed would never send it.
        if os.getppid() != parent:
            os._exit(1)

    return set_parent_death_signal


def run_process(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: str,
    deadline: Deadline,
    max_output: int = DEFAULT_MAX_OUTPUT,
    on_stdout: Callable[[bytes], bool] | None = None,
) -> ProcessResult:
    """Run a process in a new session, streaming its output under a deadline and a size cap.

    The process is killed with the caller if the caller dies (see ``die_with_parent``).

    ``on_stdout`` receives chunks instead of buffering them and may return False to stop the
    process early (the file-count cap). The whole process group is killed on every exit path
    that leaves it running, so helpers git started (remote-https, upload-pack) die too.
    """
    deadline.check()
    proc = subprocess.Popen(  # noqa: S603 - argv built from constants and checked values, no shell
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=die_with_parent(),
        close_fds=True,
    )
    stdout: list[bytes] = []
    stderr = bytearray()
    size = 0
    stopped = False
    selector = selectors.DefaultSelector()
    try:
        # Both are pipes (PIPE above); the check only tells the type checker so.
        if proc.stdout is None or proc.stderr is None:
            raise OSError("git was started without output pipes")
        selector.register(proc.stdout, selectors.EVENT_READ, "out")
        selector.register(proc.stderr, selectors.EVENT_READ, "err")
        while selector.get_map() and not stopped:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise LimitExceeded(
                    f"The scan took longer than {deadline.seconds:g} seconds and was stopped."
                )
            for key, _ in selector.select(timeout=min(remaining, 1.0)):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                if key.data == "err":
                    stderr += chunk
                    del stderr[: max(0, len(stderr) - MAX_STDERR)]
                elif on_stdout is not None:
                    if on_stdout(chunk) is False:
                        stopped = True
                        break
                else:
                    size += len(chunk)
                    if size > max_output:
                        raise LimitExceeded("The repository produced more git output than allowed.")
                    stdout.append(chunk)
        if stopped:
            kill_process_group(proc)
        returncode = proc.wait(timeout=max(0.1, deadline.remaining()))
    except subprocess.TimeoutExpired:
        raise LimitExceeded(
            f"The scan took longer than {deadline.seconds:g} seconds and was stopped."
        ) from None
    finally:
        selector.close()
        if proc.poll() is None:
            kill_process_group(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return ProcessResult(
        returncode=returncode,
        stdout=b"".join(stdout),
        stderr=stderr.decode("utf-8", "replace"),
        stopped_early=stopped,
    )


def kill_process_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
