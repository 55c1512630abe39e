"""The environment a team gets by installing what a kit tells it to install, and the MLflow
tracking server its scripts talk to, for running generated code for real.

The kit runtime is a virtual environment of its own, never the project's: the kits pin packages
(evidently needs pandas 2 and plotly 5) that the project itself does not use. It is built once
per set of requirement lines and kept under ~/.cache/mlmaturity/kit-runtime/<hash>; the marker
file, written last, says the build finished, so an interrupted build is started again.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CACHE = Path.home() / ".cache" / "mlmaturity" / "kit-runtime"
COMPLETE = "complete"
# Modules the generated code imports; the build fails when one of them does not import.
IMPORTS = ("evidently", "evidently.presets", "mlflow", "sklearn", "joblib", "pandas")
PIP_TIMEOUT = 1800
SERVER_START_TIMEOUT = 180


class KitRuntimeError(Exception):
    """The kit runtime or its tracking server could not be set up; the message says why."""


def requirement_lines(*requirements_files: str) -> list[str]:
    """The requirement lines of the files, without comments or blanks, sorted and unique."""
    lines = set()
    for text in requirements_files:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                lines.add(line)
    return sorted(lines)


def runtime_folder(requirements: list[str], cache: Path = CACHE) -> Path:
    """Where the runtime of these requirements lives: the Python version is part of the key,
    since a virtual environment belongs to the interpreter that made it."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256("\n".join([python, *requirements]).encode()).hexdigest()[:16]
    return cache / key


def kit_runtime(requirements: list[str], cache: Path = CACHE) -> Path:
    """The folder of a virtual environment with `requirements` installed, built when missing."""
    folder = runtime_folder(requirements, cache)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time: another test session waits, then finds the runtime complete.
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / COMPLETE).exists():
            _build(folder, requirements)
    return folder


def _build(folder: Path, requirements: list[str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)  # what an interrupted build left
    _run(
        [sys.executable, "-m", "venv", str(folder)],
        f"python -m venv {folder} failed",
        timeout=300,
    )
    python = str(folder / "bin" / "python")
    _run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        + requirements,
        f"pip could not install the kits' requirements {requirements} on Python "
        f"{sys.version_info.major}.{sys.version_info.minor}",
        timeout=PIP_TIMEOUT,
    )
    _run(
        [python, "-c", "import " + ", ".join(IMPORTS)],
        f"the kits' requirements {requirements} installed, but their modules do not import",
        timeout=300,
    )
    (folder / "requirements.txt").write_text("\n".join(requirements) + "\n")
    (folder / COMPLETE).write_text("built\n")


def _run(command: list[str], failure: str, *, timeout: int) -> None:
    try:
        result = subprocess.run(  # noqa: S603 - fixed commands of ours
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise KitRuntimeError(f"The kit runtime was not built: {failure} (timed out).") from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        last = "\n".join(line for line in output[-15:] if "is ignored" not in line)
        raise KitRuntimeError(f"The kit runtime was not built: {failure}:\n{last}")


@dataclass(frozen=True)
class TrackingServer:
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mlflow_server(runtime: Path, folder: Path):
    """A real `mlflow server` from the runtime: a SQLite store and artifacts in `folder`,
    on a free localhost port; stopped, with the workers it started, on leaving."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "server.log"
    command = [
        str(runtime / "bin" / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination",
        str(folder / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with open(log, "w") as output:
        # A session of its own, so that stopping it stops the workers it forked too.
        server = subprocess.Popen(  # noqa: S603 - the runtime's mlflow, fixed arguments
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={
                "PATH": f"{runtime / 'bin'}:/usr/bin:/bin",
                "HOME": str(folder),
                # The GenAI job runner is eight more processes the kits' scripts never use.
                "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            },
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_it_answers(server, url, log)
        yield TrackingServer(url=url, log=log)
    finally:
        _stop(server)


def _wait_until_it_answers(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise KitRuntimeError(
                f"mlflow server exited with status {server.returncode} before answering:\n"
                + log.read_text()[-2000:]
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise KitRuntimeError(
        f"mlflow server did not answer at {url} within {SERVER_START_TIMEOUT} seconds:\n"
        + log.read_text()[-2000:]
    )


def _stop(server: subprocess.Popen) -> None:
    # The whole session, even when the server itself has already exited: its workers may not.
    for stop, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 20)):
        try:
            os.killpg(server.pid, stop)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
