"""The runtime environment: lock files, pinned requirements, container images."""

from __future__ import annotations

import re

from ...tree import Hit, RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs
from ..common import code_hits, finding, first_hits
from ..dependencies import dependencies
from ..javascript import llm_dependencies
from ..mlcode import ml_files
from ..orchestration import orchestrated_files
from ..paths import basename, is_notebook

DOCKER_FROM = keywords("FROM ")
CONTAINER_STEPS = keywords(
    "base_image=",
    "@dsl.container_component",
    "ContainerOp(",
    "image_uri=",
    "KubeflowV2DagRunner",
    "KubeflowDagRunner",
    "container_image",
    "ContainerSpec",
)

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pipfile.lock",
    "pdm.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "requirements-lock.txt",
    "pixi.lock",
)

# CI that regenerates or checks the lock file and fails when the committed one is missing or
# stale: the environment every change is built in is the locked one.
LOCK_CHECK_IN_CI = re.compile(
    r"\buv lock --(check|locked)\b|\bpoetry (check --lock|lock --check)\b|\bpdm lock --check\b|"
    r"\bgit diff --exit-code\b.*\b(requirements[\w.-]*\.(lock|txt)|uv\.lock|poetry\.lock|pdm\.lock|"
    r"Pipfile\.lock)\b"
)

# npm, pnpm, Yarn and Bun lock files: the environment of a JavaScript application. They count
# only where JavaScript is all the ML code there is, beside (or above) a manifest declaring an
# LLM package: a web front end's lock file says nothing about a Python model's environment.
JS_LOCK_FILES = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
)


def js_llm_lock_files(snapshot: RepositorySnapshot) -> list[str]:
    """Lock files in the folder of a manifest declaring an LLM package, or a folder above it
    (a workspace locks every package at its root)."""
    if any(path.endswith(".py") or is_notebook(path) for path in ml_files(snapshot)):
        return []
    found = set()
    for manifest, _ in llm_dependencies(snapshot):
        folder = manifest.rsplit("/", 1)[0] if "/" in manifest else ""
        while True:
            for name in JS_LOCK_FILES:
                path = f"{folder}/{name}" if folder else name
                if snapshot.entry(path) is not None:
                    found.add(path)
            if not folder:
                break
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    return sorted(found)


@register
def environment_pins(snapshot: RepositorySnapshot) -> list[Finding]:
    """A reproducible environment: lock files, fully pinned requirements, container images."""
    findings = []
    for entry in snapshot.named(*LOCK_FILES)[:3]:
        findings.append(
            finding(
                "reproducible_environment",
                1,
                Strength.FILE_NAME,
                f"The environment is locked ({basename(entry.path)}).",
                entry.path,
            )
        )
    for path in js_llm_lock_files(snapshot)[:3]:
        findings.append(
            finding(
                "reproducible_environment",
                1,
                Strength.FILE_NAME,
                f"The JavaScript LLM application's environment is locked ({basename(path)}).",
                path,
            )
        )
    per_file: dict[str, list[bool]] = {}
    for dependency in dependencies(snapshot):
        per_file.setdefault(dependency.path, []).append(dependency.pinned)
    for path, pins in sorted(per_file.items()):
        pinned, total = sum(pins), len(pins)
        name = basename(path)
        if name.lower() in {"setup.py", "setup.cfg", "pyproject.toml"} and pinned < total:
            continue  # libraries declare ranges on purpose; locks live elsewhere
        grade: float
        if pinned == total or pinned / total >= 0.8:
            grade, reason = 1, f"{name} pins {pinned} of {total} packages to exact versions."
        elif pinned:
            grade, reason = 0.5, f"{name} pins only {pinned} of {total} packages."
        else:
            grade, reason = 0, f"{name} pins none of its {total} packages."
        findings.append(finding("reproducible_environment", grade, Strength.CODE, reason, path))
    # A check of a lock that is not committed yet is the process without its product: half
    # credit, full once the lock file is in the repository.
    locked = bool(snapshot.named(*LOCK_FILES))
    for config in ci_configs(snapshot):
        for number, _ in config.search(LOCK_CHECK_IN_CI)[:1]:
            findings.append(
                finding(
                    "reproducible_environment",
                    1 if locked else 0.5,
                    Strength.CI_CONFIG,
                    "CI fails unless the committed lock file is current."
                    if locked
                    else "CI checks a lock file that is not committed yet.",
                    config.path,
                    number,
                )
            )
    for path in sorted({hit.path for hit in _dockerfile_hits(snapshot)})[:3]:
        findings.append(
            finding(
                "reproducible_environment",
                0.5,
                Strength.CODE,
                "A container image defines the runtime environment.",
                path,
            )
        )
    return findings


def _dockerfile_hits(snapshot: RepositorySnapshot) -> list[Hit]:
    return [
        hit
        for hit in snapshot.hits(*DOCKER_FROM)
        if is_dockerfile(hit.path) and hit.text.startswith("FROM ")
    ]


def is_dockerfile(path: str) -> bool:
    name = basename(path).lower()
    return name.startswith(("dockerfile", "containerfile")) or name.endswith(
        (".dockerfile", ".containerfile")
    )


@register
def containers(snapshot: RepositorySnapshot) -> list[Finding]:
    """Containerised components: Dockerfiles, compose services, pipeline steps as images."""
    findings = []
    seen = set()
    for hit in _dockerfile_hits(snapshot):
        if hit.path not in seen:
            seen.add(hit.path)
            findings.append(
                finding(
                    "containerization",
                    1,
                    Strength.CODE,
                    f"A Dockerfile builds an image ({hit.text[5:60].strip()}).",
                    hit,
                )
            )
    # A deploy script naming a prebuilt serving image builds no container of its own: only
    # pipeline definitions that run their steps in images count here.
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(
        h for h in code_hits(snapshot, *CONTAINER_STEPS) if h.path in orchestrated
    ):
        findings.append(
            finding(
                "containerization",
                0.5,
                Strength.CODE,
                "Pipeline steps run in container images.",
                hit,
            )
        )
    for entry in snapshot.named(
        "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"
    )[:1]:
        findings.append(
            finding(
                "containerization",
                0.5,
                Strength.FILE_NAME,
                "Services are described in a compose file.",
                entry.path,
            )
        )
    return findings
