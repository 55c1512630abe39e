"""The app started as the README starts it, in a process of its own, for tests of the real thing.

`scripts/run.py` serves `manage.py runserver --noreload` (threaded, one connection per thread) on
a SQLite file, with Celery tasks run in-process because REDIS_URL is empty. `live_server` does the
same on a file in a temporary folder. Given a DATABASE_URL and a REDIS_URL, the same server runs
on PostgreSQL and sends its tasks to a real worker instead.

`server.call("module:function", **kwargs)` runs a function in the server's environment (Django
set up, the same database) and returns what it returns, as JSON: tests seed data with it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # UserFactory's password
# Settings a developer's shell may carry that would change what the server is.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_DEFAULT_QUEUE", "DJANGO_DEBUG")


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]
    log_path: Path

    def call(self, target: str, **kwargs):
        """Run `module:function(**kwargs)` with Django set up as the server has it."""
        module, function = target.split(":")
        code = (
            "import json, sys, django\n"
            "django.setup()\n"
            f"from {module} import {function}\n"
            "result = " + function + "(**json.loads(sys.argv[1]))\n"
            "print('\\n' + json.dumps(result))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, json.dumps(kwargs)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"{target} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def session(self, username: str) -> requests.Session:
        """A browser-like session logged in through the login form (CSRF cookie included)."""
        browser = requests.Session()
        login = f"{self.url}/accounts/login/"
        browser.get(login, timeout=30).raise_for_status()
        response = browser.post(
            login,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            timeout=30,
        )
        response.raise_for_status()
        assert "sessionid" in browser.cookies, f"{username} could not log in"
        return browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def live_server(
    folder: Path, *, database_url: str | None = None, **env: str
) -> Iterator[LiveServer]:
    """Serve the app from `folder` (its SQLite file, scan folder and log) until the block ends.

    Without `database_url` it is the embedded default: a fresh SQLite file, migrated first.
    `env` adds variables (REDIS_URL and CELERY_TASK_DEFAULT_QUEUE for a real worker, say).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scans").mkdir(exist_ok=True)
    server_env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    server_env |= {
        "DJANGO_SETTINGS_MODULE": "mlmaturity.settings",
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        "SCAN_WORK_DIR": str(folder / "scans"),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    if database_url is None:
        _copy_sqlite(_migrated_sqlite_template(), folder / "db.sqlite3")
    port = free_port()
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # A group of its own: the git processes of an in-process scan stop with it.
            start_new_session=True,
        )
        server = LiveServer(f"http://127.0.0.1:{port}", server_env, log_path)
        try:
            _wait_until_serving(server, process)
            yield server
        except BaseException:
            print(f"--- server log (last lines) ---\n{server.log()[-6000:]}")
            raise
        finally:
            _stop(process)


@functools.cache
def _migrated_sqlite_template() -> Path:
    """A SQLite file migrated by `manage.py migrate` once for this test process.

    Every embedded default starts from a copy: migrating a fresh file takes several seconds, and
    the migrations read no setting that a server's `env` changes.
    """
    folder = Path(tempfile.mkdtemp(prefix="mlmaturity-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    template = folder / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "mlmaturity.settings",
            "DATABASE_URL": f"sqlite:///{template}",
        },
        check=True,
        capture_output=True,
        timeout=180,
    )
    return template


def _copy_sqlite(source: Path, destination: Path) -> None:
    """Copy a SQLite database through SQLite's backup, whatever its journal holds."""
    with (
        contextlib.closing(sqlite3.connect(source)) as original,
        contextlib.closing(sqlite3.connect(destination)) as copy,
    ):
        original.backup(copy)


def _wait_until_serving(server: LiveServer, process: subprocess.Popen, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.log()[-4000:]}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{server.url}/health/", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {timeout} s:\n{server.log()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
