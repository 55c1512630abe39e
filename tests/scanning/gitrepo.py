"""Build real git repositories in a temporary folder for scanner tests.

Every repository is made with the git command line, the way a team's would be, so the scanner
is tested against real objects, refs, modes (symlinks, submodules) and history. The git used
here ignores the developer's own configuration.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

AUTHOR = ("-c", "user.name=Fixture Author", "-c", "user.email=fixture@example.com")


def git_env(home: Path | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home or Path(os.environ.get("TMPDIR", "/tmp"))),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_COMMITTER_NAME": "Fixture Author",
        "GIT_COMMITTER_EMAIL": "fixture@example.com",
        "LANG": "C",
    }
    return env


def git(repo: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git in ``repo`` and return its output; fail loudly on errors."""
    merged = {**git_env(), **(env or {})}
    result = subprocess.run(
        ["git", *args], cwd=repo, env=merged, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def commit(repo: Path, message: str = "Update", *, date: str | None = None) -> str:
    """Stage everything and commit; ``date`` (ISO 8601) fixes author and committer dates."""
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
    git(repo, "add", "-A", env=env)
    git(repo, *AUTHOR, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def make_repo(
    root: Path,
    files: Mapping[str, str | bytes],
    *,
    symlinks: Mapping[str, str] | None = None,
    tags: tuple[str, ...] = (),
    message: str = "Initial commit",
) -> Path:
    """Create a repository at ``root`` with ``files`` (and symlinks) in one commit."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    for link, target in (symlinks or {}).items():
        path = root / link
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
    commit(root, message)
    for tag in tags:
        git(root, "tag", tag)
    return root
