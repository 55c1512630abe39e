"""Flags and facts about a repository that are not capabilities but change how to read them.

Flags warn the reader (a template is not a project; a monorepo mixes projects; missing blobs
mean some files were not read). Facts come from refs and history: registry-style tags, DVC
experiment refs, recent commits and how often releases are tagged.
"""

from __future__ import annotations

import posixpath
import re
import statistics

from .detectors.ciconfig import ci_configs
from .detectors.common import is_code_path, ml_files
from .detectors.environment import model_binaries
from .tree import RepositorySnapshot

FLAG_ORDER = (
    "no_ml_code",
    "notebook_only",
    "template",
    "monorepo",
    "model_binaries_committed",
    "missing_blobs",
    "truncated",
)
PROJECT_MANIFESTS = frozenset(
    {
        "requirements.txt",
        "pyproject.toml",
        "setup.py",
        "environment.yml",
        "environment.yaml",
        "pipfile",
        "conda.yaml",
    }
)
MONOREPO_MIN_PROJECTS = 3
REGISTRY_TAG = re.compile(
    r"^refs/tags/(?:[\w.-]+(?:/[\w.-]+)*@v?\d[\w.+-]*|[\w./-]+#\w+(?:#\d+)?|models?/.+)$"
)
RELEASE_TAG = re.compile(r"^refs/tags/(?:[\w.-]+@)?v?\d+(?:\.\d+)+")
TEMPLATE_PATH = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def repository_flags(snapshot: RepositorySnapshot, *, inconclusive: bool) -> list[str]:
    flags = set()
    ml = ml_files(snapshot)
    if inconclusive:
        flags.add("no_ml_code")
    if ml and all(path.lower().endswith(".ipynb") for path in ml):
        flags.add("notebook_only")
    if is_template(snapshot):
        flags.add("template")
    if len(project_roots(snapshot)) >= MONOREPO_MIN_PROJECTS:
        flags.add("monorepo")
    if model_binaries(snapshot):
        flags.add("model_binaries_committed")
    if snapshot.missing:
        flags.add("missing_blobs")
    if snapshot.truncated or snapshot.budget_exhausted:
        flags.add("truncated")
    return [flag for flag in FLAG_ORDER if flag in flags]


def is_template(snapshot: RepositorySnapshot) -> bool:
    if any(TEMPLATE_PATH.search(entry.path) for entry in snapshot.files):
        return True
    return any(e.path in {"cookiecutter.json", "copier.yml", "copier.yaml"} for e in snapshot.files)


def project_roots(snapshot: RepositorySnapshot) -> list[str]:
    """Top-most folders (not the root) holding their own manifest and their own code."""
    folders = sorted(
        {
            posixpath.dirname(entry.path)
            for entry in snapshot.evidence
            if posixpath.basename(entry.path).lower() in PROJECT_MANIFESTS and "/" in entry.path
        }
    )
    roots: list[str] = []
    for folder in folders:
        if not any(folder.startswith(root + "/") for root in roots):
            roots.append(folder)
    with_code = []
    for root in roots:
        prefix = root + "/"
        if any(e.path.startswith(prefix) and is_code_path(e.path) for e in snapshot.evidence):
            with_code.append(root)
    return with_code


def repository_facts(
    snapshot: RepositorySnapshot,
    *,
    branch: str | None = None,
    history_available: bool = False,
    commits_last_90_days: int | None = None,
) -> dict:
    ml = ml_files(snapshot)
    tags = [ref for ref in snapshot.refs if ref.name.startswith("refs/tags/")]
    registry = [ref.name.removeprefix("refs/tags/") for ref in tags if REGISTRY_TAG.match(ref.name)]
    experiments = [ref for ref in snapshot.refs if ref.name.startswith("refs/exps/")]
    releases = sorted(
        ref.timestamp for ref in tags if RELEASE_TAG.match(ref.name) and ref.timestamp is not None
    )
    cadence = None
    if len(releases) >= 2:
        gaps = [(b - a) / 86400 for a, b in zip(releases, releases[1:], strict=False)]
        cadence = round(statistics.median(gaps), 1)
    return {
        "branch": branch,
        "files": len(snapshot.files),
        "evidence_files": len(snapshot.evidence),
        "ml_files": len(ml),
        "notebooks": sum(1 for e in snapshot.evidence if e.path.lower().endswith(".ipynb")),
        "python_files": sum(1 for e in snapshot.evidence if e.path.endswith(".py")),
        "ci_configs": [config.path for config in ci_configs(snapshot)][:20],
        "symlinks_skipped": len(snapshot.symlinks),
        "submodules_skipped": len(snapshot.submodules),
        "missing_blobs": len(snapshot.missing),
        "unreadable_files": len(snapshot.unreadable),
        "bytes_read": snapshot.bytes_read,
        "tags": len(tags),
        "registry_tags": registry[:20],
        "dvc_experiments": len(experiments),
        "history_available": history_available,
        "commits_last_90_days": commits_last_90_days,
        "releases": len(releases),
        "release_cadence_days": cadence,
        "project_roots": project_roots(snapshot)[:20],
    }
