"""Run the whole test suite:  python3 scripts/test.py [pytest arguments]

Creates .venv with the test requirements when needed, and installs the browser tests' axe-core
with `npm ci` when npm is there and tests/browser/node_modules is missing or older than its
lock file. Uses SQLite and skips the tests that need Redis unless DATABASE_URL and REDIS_URL are
set; without Chromium or axe-core the browser tests that need them are skipped, saying why. With
CI=true anything missing fails the run instead.

MLMATURITY_TEST_WORKERS=2 (or more) runs the whole suite (no test paths given) on that many
pytest-xdist workers, each with a test database of its own; the tests that use Redis stay
together on one worker (tests/conftest.py). Without it, or for chosen test files, one process.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from _venv import ROOT, ensure_venv

BROWSER_TESTS = ROOT / "tests" / "browser"
NODE_MODULES = BROWSER_TESTS / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
# Written after a successful `npm ci`: the lock file's digest the installed modules match.
STAMP = NODE_MODULES / ".mlmaturity-lock-sha256"
NPM_TIMEOUT_SECONDS = 300
# The browser tests' conftest skips (or fails, under CI=true) the axe-core checks with this.
REASON_VARIABLE = "MLMATURITY_AXE_MISSING_REASON"
WORKERS_VARIABLE = "MLMATURITY_TEST_WORKERS"


def main() -> int:
    python = str(ensure_venv("requirements-dev.txt"))
    env = dict(os.environ)
    if _browser_tests_may_run(sys.argv[1:]):
        reason = ensure_browser_modules()
        if reason:
            print(f"axe-core is not available: {reason}.", flush=True)
            env[REASON_VARIABLE] = reason
    parallel = _parallel_arguments(sys.argv[1:], os.environ.get(WORKERS_VARIABLE))
    return subprocess.call([python, "-m", "pytest", *parallel, *sys.argv[1:]], cwd=ROOT, env=env)


def _parallel_arguments(args: list[str], workers_setting: str | None) -> list[str]:
    """pytest-xdist's arguments for a run of the whole suite; none for chosen test files, for a
    run that says its own worker count (or `-p no:xdist`), or when one worker is asked for."""
    says_its_own = any(arg.startswith(("-n", "--numprocesses", "no:xdist")) for arg in args)
    if says_its_own or _test_paths(args):
        return []
    try:
        workers = int(workers_setting or "1")
    except ValueError:
        sys.exit(f"{WORKERS_VARIABLE} must be a whole number of workers, not {workers_setting!r}.")
    if workers < 2:
        return []
    return ["-n", str(workers), "--dist", "loadgroup"]


def _test_paths(args: list[str]) -> list[Path]:
    """The existing files and folders named on the command line (a `path::test` counts too)."""
    paths = [Path(arg.split("::")[0]) for arg in args if not arg.startswith("-")]
    return [(ROOT / path).resolve() for path in paths if (ROOT / path).exists()]


def ensure_browser_modules() -> str | None:
    """Run `npm ci` in tests/browser when its modules are missing or stale.

    Returns None when axe-core is installed and current, else why it could not be had.
    """
    digest = hashlib.sha256((BROWSER_TESTS / "package-lock.json").read_bytes()).hexdigest()
    if AXE.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (install Node.js and npm, or run `npm ci` in tests/browser)"
    print("Installing the browser tests' axe-core (npm ci in tests/browser) ...", flush=True)
    command = [
        npm,
        "ci",
        "--prefer-offline",  # the local npm cache first; the registry only for what it lacks
        "--no-audit",
        "--no-fund",
        "--no-update-notifier",
        "--loglevel=error",
        # Without a registry, say so within seconds rather than after a minute of retries.
        "--fetch-retries=1",
        "--fetch-retry-mintimeout=2000",
        "--fetch-retry-maxtimeout=10000",
    ]
    try:
        result = subprocess.run(
            command,
            cwd=BROWSER_TESTS,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"`npm ci` in tests/browser did not finish within {NPM_TIMEOUT_SECONDS} s"
    except OSError as error:
        return f"`npm ci` in tests/browser could not start ({error})"
    if result.returncode != 0 or not AXE.exists():
        return f"`npm ci` in tests/browser failed: {_npm_error(result)}"
    STAMP.write_text(digest)
    return None


def _npm_error(result: subprocess.CompletedProcess) -> str:
    """The line of npm's error output that says what went wrong, without its stack trace."""
    for line in (result.stderr or result.stdout).splitlines():
        message = line.removeprefix("npm error").removeprefix("npm ERR!").strip()
        if message and not message.startswith(("code ", "syscall ", "errno ", "A complete log")):
            return message
    return f"exit status {result.returncode}"


def _browser_tests_may_run(args: list[str]) -> bool:
    """False only when every path named on the command line lies outside tests/browser."""
    paths = _test_paths(args)
    if not paths:
        return True
    return any(
        path in BROWSER_TESTS.parents or path.is_relative_to(BROWSER_TESTS) for path in paths
    )


if __name__ == "__main__":
    sys.exit(main())
