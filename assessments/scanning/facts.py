"""Flags and facts about a repository that are not capabilities but change how to read them.

Flags warn the reader (a template is not a project; a monorepo mixes projects; missing blobs
mean some files were not read). Facts come from refs and history: registry-style tags, DVC
experiment refs, recent commits and how often releases are tagged.
"""

from __future__ import annotations

import posixpath
import re
import statistics
import tomllib
from typing import NotRequired, TypedDict

from .detectors.ciconfig import ci_configs
from .detectors.environment import DECLARED_TOOLS, model_binaries
from .detectors.imports import imports
from .detectors.mlcode import ML_LIBRARIES, ml_files
from .detectors.paths import TEMPLATE_PATH, is_code_path, is_notebook
from .tree import RepositorySnapshot

FLAG_ORDER = (
    "no_ml_code",
    "ml_tool",
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
        "requirements.in",
        "setup.cfg",
    }
)
MONOREPO_MIN_PROJECTS = 3
REGISTRY_TAG = re.compile(
    r"^refs/tags/(?:[\w.-]+(?:/[\w.-]+)*@v?\d[\w.+-]*|[\w./-]+#\w+(?:#\d+)?|models?/.+)$"
)
RELEASE_TAG = re.compile(r"^refs/tags/(?:[\w.-]+@)?v?\d+(?:\.\d+)+")
TEMPLATE_SETTINGS = frozenset({"cookiecutter.json", "copier.yml", "copier.yaml"})
# Copier renders ``train.py.jinja`` into ``train.py``: a project rarely templates its own code,
# while .yaml.jinja or .html.jinja files are often configuration or pages rendered at run time.
TEMPLATED_CODE = (".py.jinja", ".ipynb.jinja", "pyproject.toml.jinja")


_SETUP_NAME = re.compile(r"""\bname\s*=\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)["']""")
_SETUP_CFG_NAME = re.compile(r"^\s*name\s*=\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$", re.MULTILINE)


def _package_key(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


KNOWN_ML_TOOLS = frozenset(_package_key(n) for n in (*ML_LIBRARIES, *DECLARED_TOOLS))


def _pyproject_name(text: str | None) -> str | None:
    if not text:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None  # repository files are untrusted: a broken one names nothing
    project = data.get("project")
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    for table in (project, poetry):
        name = table.get("name") if isinstance(table, dict) else None
        if isinstance(name, str):
            return name
    return None


def published_ml_tool(snapshot: RepositorySnapshot) -> str | None:
    """The name of the ML library or MLOps tool this repository is the source of, if any.

    The source of scikit-learn or of a monitoring library imports ML libraries everywhere,
    but it is a tool other teams use, not an ML system of its own: judging it against the
    levels would say nothing, so it is inconclusive, as a repository without ML code is.
    """
    names = [_pyproject_name(snapshot.read_text("pyproject.toml", limit=200_000))]
    for path, pattern in (("setup.cfg", _SETUP_CFG_NAME), ("setup.py", _SETUP_NAME)):
        match = pattern.search(snapshot.read_text(path, limit=200_000) or "")
        names.append(match.group(1) if match else None)
    for name in names:
        if name and _package_key(name) in KNOWN_ML_TOOLS:
            return name
    return None


def repository_flags(
    snapshot: RepositorySnapshot, *, inconclusive: bool, ml_tool: bool = False
) -> list[str]:
    flags = set()
    ml = ml_files(snapshot)
    if ml_tool:
        flags.add("ml_tool")
    if inconclusive:
        # Also for a tool's source: no ML system of its own, which is what readers of this
        # flag rely on.
        flags.add("no_ml_code")
    if is_notebook_only(snapshot, ml):
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
    """A project generator: Jinja in paths, code rendered from Copier's ``.jinja`` files, or
    the generator's settings at the top or one folder down (a collection of starters)."""
    for entry in snapshot.files:
        if TEMPLATE_PATH.search(entry.path):
            return True
        name = posixpath.basename(entry.path)
        if name in TEMPLATE_SETTINGS and entry.path.count("/") <= 1:
            return True
        if name.endswith(TEMPLATED_CODE):
            return True
    return False


def is_notebook_only(snapshot: RepositorySnapshot, ml: list[str]) -> bool:
    """All ML code is in notebooks, or in helper modules that only notebooks import
    (a plotting helper next to a book's chapters does not make it a code base)."""
    notebooks = [path for path in ml if is_notebook(path)]
    if not notebooks:
        return False
    modules = [path for path in ml if not is_notebook(path)]
    if not modules:
        return True
    table = imports(snapshot)
    from_notebooks: set[str] = set()
    from_scripts: set[str] = set()
    for path, names in table.items():
        tops = {name.lstrip(".").split(".")[0] for name in names}
        (from_notebooks if is_notebook(path) else from_scripts).update(tops)
    notebook_folders = {posixpath.dirname(path) for path in notebooks}
    return all(
        posixpath.dirname(path) in notebook_folders
        and _module_name(path) in from_notebooks
        and _module_name(path) not in from_scripts
        for path in modules
    )


def _module_name(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def project_roots(snapshot: RepositorySnapshot) -> list[str]:
    """Top-most folders (not the root) holding their own manifest and their own code.

    A manifest inside a ``src/`` folder belongs to the project holding that folder: the
    services under one project's src/ (src/inference, src/training) are not projects."""
    folders = sorted(
        {
            _project_folder(posixpath.dirname(entry.path))
            for entry in snapshot.evidence
            if posixpath.basename(entry.path).lower() in PROJECT_MANIFESTS and "/" in entry.path
        }
        - {""}
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


def _project_folder(folder: str) -> str:
    parts = folder.split("/")
    return "/".join(parts[: parts.index("src")]) if "src" in parts else folder


class RepositoryFacts(TypedDict):
    """What a scan counted and noticed about the repository, stored with its report."""

    branch: str | None
    files: int
    evidence_files: int
    ml_files: int
    notebooks: int
    python_files: int
    ci_configs: list[str]
    symlinks_skipped: int
    submodules_skipped: int
    missing_blobs: int
    unreadable_files: int
    bytes_read: int
    tags: int
    registry_tags: list[str]
    dvc_experiments: int
    history_available: bool
    commits_last_90_days: int | None
    releases: int
    release_cadence_days: float | None
    project_roots: list[str]
    # Added by the scan when they apply.
    failed_detectors: NotRequired[list[str]]
    ml_tool: NotRequired[str]
    projects: NotRequired[list[str]]


def repository_facts(
    snapshot: RepositorySnapshot,
    *,
    branch: str | None = None,
    history_available: bool = False,
    commits_last_90_days: int | None = None,
) -> RepositoryFacts:
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
