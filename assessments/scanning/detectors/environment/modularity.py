"""Modular code: packages with a build definition, pipeline steps as components or modules."""

from __future__ import annotations

import posixpath
import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, first_hits, plural
from ..imports import imports, local_modules
from ..orchestration import PIPELINE_SPECS, orchestrated_files
from ..paths import basename, is_notebook, is_test_path
from .configuration import CLI_ARGS

# Scripts named for a pipeline step (prep.py, train_model.py, evaluate/evaluate.py...).
STEP_SCRIPT = re.compile(
    r"(^|[_-])(prep|prepare|preprocess|ingest|extract|featur\w*|clean|split|transform|"
    r"process|train|tune|evaluate|eval|validate|register|deploy|score|scoring|predict|"
    r"inference|infer|monitor)",
    re.I,
)
# Shared helpers every pipeline imports; they say nothing about how its steps are split.
HELPER_MODULES = frozenset(
    {"config", "settings", "utils", "util", "helpers", "constants", "logger", "logging_utils"}
)
COMPONENTS = keywords(
    "@dsl.component",
    "@component",
    "@dsl.container_component",
    "components.",
    "@task",
    "@op",
    "@asset",
    "@step",
    "create_component_from_func",
    "load_component_from_file",
)


@register
def packaging(snapshot: RepositorySnapshot) -> list[Finding]:
    """Modular code: a package with a build definition beats loose scripts and notebooks."""
    findings = []
    manifests = [
        e
        for e in snapshot.named("pyproject.toml", "setup.py", "setup.cfg")
        if e.path.count("/") <= 2
    ]
    packages = sorted(
        {
            posixpath.dirname(e.path)
            for e in snapshot.named("__init__.py")
            if not is_test_path(e.path)
        }
    )
    modules = [
        e.path for e in snapshot.evidence if e.path.endswith(".py") and not is_test_path(e.path)
    ]
    notebooks = [e.path for e in snapshot.evidence if is_notebook(e.path)]
    if manifests and packages:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"Code is packaged ({basename(manifests[0].path)}) as importable modules"
                f" ({plural(len(packages), 'package')}).",
                manifests[0].path,
            )
        )
    elif len(modules) >= 2 and _has_local_imports(snapshot, modules):
        findings.append(
            finding(
                "modular_code",
                0.5,
                Strength.CODE,
                "Code is split into modules that import each other, but is not packaged.",
                modules[0],
            )
        )
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(h for h in code_hits(snapshot, *COMPONENTS) if h.path in orchestrated)[
        :1
    ]:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"Pipeline steps are reusable {orchestrated[hit.path]} components.",
                hit,
            )
        )
    findings += _pipeline_step_modules(snapshot, orchestrated)
    if notebooks and len(notebooks) > 3 * max(1, len(modules)):
        findings.append(
            finding(
                "modular_code",
                0,
                Strength.FILE_NAME,
                f"Most code lives in notebooks ({len(notebooks)} notebooks,"
                f" {len(modules)} modules).",
                notebooks[0],
            )
        )
    return findings


def _pipeline_step_modules(
    snapshot: RepositorySnapshot, orchestrated: dict[str, str]
) -> list[Finding]:
    """Steps of an orchestrated pipeline kept in modules of their own, without packaging.

    Azure ML, SageMaker or Airflow pipelines often run one script per step, each with its
    own command-line arguments (prep.py, train.py, evaluate.py), or call functions their DAG
    files import from step modules. Either is the modularity a pipeline needs."""
    specs = [h.path for h in config_hits(snapshot, *PIPELINE_SPECS)]
    if not orchestrated and not specs:
        return []
    findings = []
    scripts = sorted(
        {
            hit.path
            for hit in code_hits(snapshot, *CLI_ARGS)
            if hit.path.endswith(".py")
            and hit.path not in orchestrated
            and STEP_SCRIPT.search(posixpath.splitext(basename(hit.path))[0])
        }
    )
    if len(scripts) >= 2:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                "Each pipeline step is a script with its own arguments"
                f" ({', '.join(basename(path) for path in scripts[:3])}).",
                scripts[0],
            )
        )
    steps = _imported_step_modules(snapshot, orchestrated)
    if len(steps) >= 2:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"The pipeline calls steps it imports from {plural(len(steps), 'module')}"
                f" ({', '.join(steps[:3])}).",
                steps[0],
            )
        )
    return findings


def _imported_step_modules(snapshot: RepositorySnapshot, orchestrated: dict[str, str]) -> list[str]:
    """Repository modules (not helpers, not pipeline files) that pipeline files import."""
    python_files = {e.path for e in snapshot.evidence if e.path.endswith(".py")}
    table = imports(snapshot)
    found = set()
    for path in orchestrated:
        for module in table.get(path, {}):
            parts = module.lstrip(".").split(".")
            if not parts[0] or HELPER_MODULES & set(parts):
                continue
            target = _module_file(python_files, path, parts)
            if target and target not in orchestrated and not is_test_path(target):
                found.add(target)
    return sorted(found)


def _module_file(python_files: set[str], importer: str, parts: list[str]) -> str | None:
    """The repository file a dotted module names, looked up beside the importer first."""
    relative = "/".join(parts)
    folder = posixpath.dirname(importer)
    while True:
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            path = posixpath.join(folder, candidate) if folder else candidate
            if path in python_files:
                return path
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _has_local_imports(snapshot: RepositorySnapshot, modules: list[str]) -> bool:
    local = local_modules(snapshot)
    table = imports(snapshot)
    return any(
        module.startswith(".") or module.split(".")[0] in local
        for path in modules
        for module in table.get(path, {})
    )
