"""Fault injection for the reliability tests: a git that holds a scan, a broker of their own.

A scan runs in a real Celery worker process, where nothing can be monkeypatched. To catch a scan
"in the middle", the worker gets a PATH whose first `git` is a small shell script: it logs each
clone of a repository whose folder is named `slow-*`, waits while a hold file exists, then hands
over to the real git. The scanner finds git with `shutil.which`, so the script is the git it runs,
and the script's parent process is the pool child executing the scan. That gives the tests a scan
that is provably running (claimed, temporary directory created) for as long as they need, and the
process ids to kill.

The worker tests own one Redis database (REDIS_DB below, on the REDIS_URL server): the worker and
this process's Celery both use it, so flushing it never touches anyone else's data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.utils import timezone

from assessments.models import Scan
from assessments.services.scans import QUEUED_GRACE, scans_reap
from mlmaturity.celery import app as celery_app

from ..worker import running_worker

REDIS_DB = 7

HOLDING_GIT = r"""#!/bin/sh
# Stand-in for git on a test worker's PATH: holds clones of slow-* repositories.
scan_alive() {{
  state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$PPID/status" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}}
case "$*" in
  *" clone --mirror "*/slow-*)
    echo "held $$ $PPID $PWD" >> "{log}"
    waited=0
    while [ -e "{hold}" ] && [ "$waited" -lt 1200 ]; do
      # The scan that ran us is gone (its worker was killed): nothing is left to wait for.
      if ! scan_alive; then
        echo "orphaned $$" >> "{log}"
        exit 1
      fi
      waited=$((waited + 1))
      sleep 0.05
    done
    echo "released $$" >> "{log}"
    ;;
esac
exec "{git}" "$@"
"""


@dataclass(frozen=True)
class HeldClone:
    """One held clone: the script's pid, the pool child running the scan, the scan's temp dir."""

    pid: int
    scan_process: int
    workdir: Path

    @property
    def worker_process(self) -> int:
        # The worker is started in a session of its own, so its main process leads the group.
        return os.getpgid(self.scan_process)


class HoldingGit:
    """The `git` of a test worker; clones of `slow-*` repositories wait while `hold()` is on."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "git-calls.log"
        self.log.touch()
        self.hold_file = root / "hold"
        real_git = shutil.which("git")
        assert real_git, "git is needed on PATH"
        script = self.bin / "git"
        script.write_text(HOLDING_GIT.format(log=self.log, hold=self.hold_file, git=real_git))
        script.chmod(0o755)
        self.hold()

    @property
    def path(self) -> str:
        return f"{self.bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"

    def hold(self) -> None:
        self.hold_file.touch()

    def release(self) -> None:
        self.hold_file.unlink(missing_ok=True)

    def lines(self, kind: str) -> list[list[str]]:
        return [line.split() for line in self.log.read_text().splitlines() if line.startswith(kind)]

    def held(self) -> list[HeldClone]:
        return [
            HeldClone(pid=int(pid), scan_process=int(ppid), workdir=Path(cwd).parent)
            for _, pid, ppid, cwd in self.lines("held ")
        ]

    def wait_held(self, count: int = 1, timeout: float = 30) -> HeldClone:
        """The `count`-th clone held since the start, once it is held."""
        wait_until(
            lambda: len(self.held()) >= count,
            timeout=timeout,
            message=lambda: f"no scan reached git clone #{count}: {self.log.read_text()!r}",
        )
        return self.held()[count - 1]

    def wait_gone(self, clone: HeldClone, timeout: float = 15) -> None:
        wait_until(
            lambda: process_is_gone(clone.pid),
            timeout=timeout,
            message=lambda: f"the held git {clone.pid} is still running",
        )


def wait_until(predicate, *, timeout: float, message, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(message())
        time.sleep(interval)
    return value


def process_is_gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie waiting for its parent counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return state.split()[1] in {"Z", "X"}


def wait_final(scan: Scan, timeout: float = 45) -> Scan:
    def final():
        scan.refresh_from_db()
        return scan.is_final

    wait_until(
        final,
        timeout=timeout,
        message=lambda: f"scan {scan.pk} is still {scan.status} after {timeout:g} s",
        interval=0.2,
    )
    return scan


def reap_later() -> dict[str, int]:
    """Run the reaper as it would run once every deadline it knows has passed."""
    running_deadline = timedelta(seconds=settings.SCAN_TIMEOUT_SECONDS + 120)
    return scans_reap(
        now=timezone.now() + max(running_deadline, QUEUED_GRACE) + timedelta(minutes=1)
    )


def redis_url() -> str:
    """REDIS_URL's server with the database these tests own."""
    parsed = urlparse(os.environ["REDIS_URL"])
    return urlunparse(parsed._replace(path=f"/{REDIS_DB}"))


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # Celery keeps its broker connection and producer pools (shared per broker address, so
    # they stay open); forget them so the next message goes to `url`, not to the first broker
    # this process used.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def fault_worker(tmp_path: Path, *, git: HoldingGit | None = None, concurrency=1, **env):
    """A real worker on the tests' own Redis database; yields the worker's queue name.

    Its temporary files go to `tmp_path / "tmp"`, so a test sees exactly the scan directories
    this worker left behind. `env` adds settings (SCAN_TIMEOUT_SECONDS=..., for instance).
    """
    url = redis_url()
    scan_tmp = tmp_path / "tmp"
    scan_tmp.mkdir(exist_ok=True)
    extra_env = {
        "REDIS_URL": url,
        "TMPDIR": str(scan_tmp),
        "SCAN_ALLOW_LOCAL_PATHS": "true",
        "SCAN_TIMEOUT_SECONDS": str(settings.SCAN_TIMEOUT_SECONDS),
        "SCAN_MAX_ATTEMPTS": str(settings.SCAN_MAX_ATTEMPTS),
        **({"PATH": git.path} if git else {}),
        **{key: str(value) for key, value in env.items()},
    }
    previous = celery_app.conf.broker_url
    _use_broker(url)
    try:
        with running_worker(concurrency=concurrency, extra_env=extra_env) as queue:
            try:
                yield queue
            finally:
                # A held scan would keep a stopping worker waiting for it.
                if git is not None:
                    git.release()
    finally:
        _use_broker(previous)


def worker_answers_ping(queue: str) -> bool:
    return bool(celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=2))
