"""What a kit needs to know about a repository: its CI system, Python version, how it installs
its dependencies, its training entry point and its sample data. Read from the scanned commit.

Everything here that comes from a file's name or content is untrusted and is kept as data:
`python_version` and the install choice are picked from fixed patterns and lists; paths and
column names are only ever written into generated Python as literals.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import tomllib
from dataclasses import dataclass

from ..scanning.detectors.cisystems import known_ci_system
from ..scanning.detectors.imports import files_importing
from ..scanning.evidencepaths import VENDOR_SEGMENTS
from ..scanning.tree import RepositorySnapshot

DEFAULT_PYTHON = "3.11"
_PYTHON_VERSION = re.compile(r"\b3\.(\d{1,2})\b")
_TRAINING_NAME = re.compile(r"(^|/)(train|training|fit)[\w-]*\.py$", re.IGNORECASE)
_SAVED_MODEL = re.compile(
    r"""(?:joblib|pickle)\.dump\([^,]+,\s*(?:open\(\s*)?["']([^"'\n]{1,200}\.(?:joblib|pkl|pickle))["']"""
)
DATA_SUFFIXES = (".csv",)
SAMPLE_BYTES = 512 * 1024
SAMPLE_ROWS = 200
MAX_COLUMNS = 200


class Manifest:
    """How a repository declares its dependencies; each with a fixed install command."""

    REQUIREMENTS = "requirements.txt"
    PYPROJECT = "pyproject.toml"
    NONE = ""

    INSTALL = {
        REQUIREMENTS: "pip install -r requirements.txt",
        PYPROJECT: "pip install .",
        NONE: "",
    }


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "float" or "str"
    nullable: bool


@dataclass(frozen=True)
class Stack:
    ci: str  # "github_actions", "gitlab_ci", "azure_pipelines" or "jenkins"
    ci_files: tuple[str, ...]
    python_version: str
    manifest: str
    requirements: str | None  # the text of requirements.txt, when that is the manifest
    entry_point: str | None
    saved_model: str | None
    sample_data: str | None
    columns: tuple[Column, ...]
    has_tests: bool
    has_dockerfile: bool
    gitlab_ci: str | None = None  # the text of .gitlab-ci.yml, when there is one
    makefile: str | None = None  # the text of the top-level Makefile, when there is one
    uses_mlflow: bool = False  # the code imports mlflow

    @property
    def install_command(self) -> str:
        return Manifest.INSTALL[self.manifest]


def read_stack(snapshot: RepositorySnapshot, *, repository: str = "") -> Stack:
    paths = [entry.path for entry in snapshot.files]
    ci_files = tuple(
        p
        for p in paths
        if p.startswith(".github/workflows/")
        or p == ".gitlab-ci.yml"
        or (known_ci_system(p) in ("azure", "jenkins") and _is_team_pipeline(p))
    )
    ci = _ci_system(ci_files, repository.lower())
    manifest = Manifest.NONE
    if snapshot.entry("requirements.txt"):
        manifest = Manifest.REQUIREMENTS
    elif snapshot.entry("pyproject.toml"):
        manifest = Manifest.PYPROJECT
    entry_point = _entry_point(paths)
    sample = _sample_data(snapshot, paths)
    return Stack(
        ci=ci,
        ci_files=ci_files,
        python_version=_python_version(snapshot),
        manifest=manifest,
        requirements=snapshot.read_text("requirements.txt")
        if manifest == Manifest.REQUIREMENTS
        else None,
        entry_point=entry_point,
        saved_model=_saved_model(snapshot, entry_point),
        sample_data=sample,
        columns=_columns(snapshot, sample) if sample else (),
        has_tests=any(
            posixpath.basename(p).startswith("test_") and p.endswith(".py") for p in paths
        ),
        has_dockerfile=any(posixpath.basename(p) == "Dockerfile" for p in paths),
        gitlab_ci=snapshot.read_text(".gitlab-ci.yml") if ".gitlab-ci.yml" in ci_files else None,
        makefile=snapshot.read_text("Makefile") if snapshot.entry("Makefile") else None,
        uses_mlflow=bool(files_importing(snapshot, "mlflow")),
    )


# Folders and file endings of pipeline files that are not the team's own: a Jenkinsfile
# template in docs/, an example, a vendored library's azure-pipelines.yml say nothing of the
# CI the team runs, and must not switch the kits away from the team's workflows.
_NOT_TEAM_FOLDERS = VENDOR_SEGMENTS | {"docs", "doc", "examples", "example", "samples", "templates"}
_NOT_PIPELINE_ENDINGS = (".md", ".txt", ".rst", ".j2", ".jinja", ".jinja2", ".tmpl", ".template")


def _is_team_pipeline(path: str) -> bool:
    *folders, name = path.split("/")
    if any(folder.lower() in _NOT_TEAM_FOLDERS for folder in folders):
        return False
    return not name.lower().endswith(_NOT_PIPELINE_ENDINGS)


def _ci_system(ci_files: tuple[str, ...], repository: str) -> str:
    """The CI system the team's files are for; without any, the one of the forge the
    repository is hosted on. GitLab's file, then Azure's, then a Jenkinsfile decide over
    GitHub workflows, which a repository mirrored to GitHub may hold beside the pipeline the
    team runs."""
    if ".gitlab-ci.yml" in ci_files:
        return "gitlab_ci"
    if any(known_ci_system(p) == "azure" for p in ci_files):
        return "azure_pipelines"
    if any(known_ci_system(p) == "jenkins" for p in ci_files):
        return "jenkins"
    if not ci_files and "gitlab" in repository:
        return "gitlab_ci"
    if not ci_files and ("dev.azure.com" in repository or "visualstudio.com" in repository):
        return "azure_pipelines"
    return "github_actions"


def _python_version(snapshot: RepositorySnapshot) -> str:
    """The version the team runs: .python-version, then pyproject, then a Dockerfile's base."""
    sources = [snapshot.read_text(".python-version", limit=200) or ""]
    pyproject = snapshot.read_text("pyproject.toml", limit=200_000)
    if pyproject:
        try:
            requires = tomllib.loads(pyproject).get("project", {}).get("requires-python", "")
        except (tomllib.TOMLDecodeError, AttributeError, RecursionError):
            requires = ""  # an untrusted file that does not parse says nothing
        sources.append(str(requires))
    sources.append(snapshot.read_text("Dockerfile", limit=200_000) or "")
    for text in sources:
        match = _PYTHON_VERSION.search(text)
        if match and 8 <= int(match.group(1)) <= 14:
            return f"3.{int(match.group(1))}"
    return DEFAULT_PYTHON


def _entry_point(paths: list[str]) -> str | None:
    """The training script: a `train*.py` (or `fit*.py`), the shallowest first."""
    candidates = [
        p
        for p in paths
        if _TRAINING_NAME.search(p) and not posixpath.basename(p).startswith("test")
    ]
    return min(candidates, key=lambda p: (p.count("/"), len(p), p), default=None)


def _saved_model(snapshot: RepositorySnapshot, entry_point: str | None) -> str | None:
    """Where the training script saves its model (joblib or pickle), if it says so literally."""
    text = snapshot.read_text(entry_point) if entry_point else None
    match = _SAVED_MODEL.search(text or "")
    return match.group(1) if match else None


def _sample_data(snapshot: RepositorySnapshot, paths: list[str]) -> str | None:
    data = [p for p in paths if p.lower().endswith(DATA_SUFFIXES)]
    return min(data, key=lambda p: (not p.startswith("data/"), p.count("/"), p), default=None)


def _columns(snapshot: RepositorySnapshot, path: str) -> tuple[Column, ...]:
    """Columns and their kinds, from the header and the first rows of a CSV sample."""
    text = snapshot.read_text(path, limit=SAMPLE_BYTES * 8)
    if not text:
        return ()
    rows = list(csv.reader(io.StringIO(text[:SAMPLE_BYTES])))
    if not rows:
        return ()
    header, body = rows[0][:MAX_COLUMNS], rows[1 : SAMPLE_ROWS + 1]
    columns = []
    for index, name in enumerate(header):
        values = [row[index] for row in body if index < len(row)]
        present = [v for v in values if v.strip() != ""]
        columns.append(Column(name, _kind(present), nullable=len(present) < len(values)))
    return tuple(columns)


def _kind(values: list[str]) -> str:
    if values and all(_is_int(v) for v in values):
        return "int"
    if values and all(_is_float(v) for v in values):
        return "float"
    return "str"


def _is_int(value: str) -> bool:
    return re.fullmatch(r"\s*[-+]?\d+\s*", value) is not None


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
