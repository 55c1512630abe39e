"""Dependencies declared in manifests, and whether each is pinned to an exact version.

Manifests are requirements files, pyproject, setup files, Pipfiles and conda environments.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from ..tree import RepositorySnapshot
from .common import safe_yaml
from .paths import basename


@dataclass(frozen=True)
class Dependency:
    name: str
    path: str
    line: int | None
    pinned: bool


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
MANIFEST_NAMES = frozenset(
    {
        "requirements.txt",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "pipfile",
        "environment.yml",
        "environment.yaml",
        "conda.yaml",
        "conda.yml",
    }
)


def normalise_package(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependencies(snapshot: RepositorySnapshot) -> list[Dependency]:
    """Every declared dependency in requirements files, pyproject, setup, Pipfile, conda."""

    def compute() -> list[Dependency]:
        found: list[Dependency] = []
        for entry in snapshot.evidence:
            name = basename(entry.path).lower()
            if entry.path.lower().endswith(".txt") and (
                "requirements" in entry.path.lower() or "constraints" in entry.path.lower()
            ):
                found += _requirements_txt(entry.path, snapshot.read_text(entry))
            elif name == "pyproject.toml":
                found += _pyproject(entry.path, snapshot.read_text(entry))
            elif name == "pipfile":
                found += _pipfile(entry.path, snapshot.read_text(entry))
            elif name in {"setup.py", "setup.cfg"}:
                found += _setup(entry.path, snapshot.read_text(entry))
            elif name in {"environment.yml", "environment.yaml", "conda.yaml", "conda.yml"}:
                found += _conda(entry.path, snapshot.read_text(entry))
        return found

    return snapshot.memo("dependencies", compute)


def _requirement(text: str, path: str, line: int | None) -> Dependency | None:
    text = text.split("#", 1)[0].split(";", 1)[0].strip()
    if not text or text.startswith(("-", "--")) or "://" in text and "@" not in text:
        return None
    match = _REQUIREMENT.match(text)
    if not match:
        return None
    spec = match.group(3).strip()
    pinned = (
        spec.startswith(("==", "==="))
        and "*" not in spec
        or (spec.startswith("@") and re.search(r"@[0-9a-f]{7,40}\b|@v?\d", spec) is not None)
    )
    return Dependency(normalise_package(match.group(1)), path, line, pinned)


def _requirements_txt(path: str, text: str | None) -> list[Dependency]:
    result = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        dependency = _requirement(line, path, number)
        if dependency:
            result.append(dependency)
    return result


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _list(value: object) -> list[object]:
    """A manifest's list, or nothing when the file holds another shape there (``= 5``)."""
    return value if isinstance(value, list) else []


def _pyproject(path: str, text: str | None) -> list[Dependency]:
    if not text:
        return []
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    specs: list[str] = []
    raw_project = data.get("project")
    project = raw_project if isinstance(raw_project, dict) else {}
    specs += [s for s in _list(project.get("dependencies")) if isinstance(s, str)]
    optional = project.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for group in optional.values():
            specs += [s for s in _list(group) if isinstance(s, str)]
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group in groups.values():
            specs += [s for s in _list(group) if isinstance(s, str)]
    result = [d for s in specs if (d := _requirement(s, path, _line_of(text, s)))]
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    for section in ("dependencies", "dev-dependencies"):
        table = poetry.get(section, {}) if isinstance(poetry, dict) else {}
        if isinstance(table, dict):
            for name, spec in table.items():
                version = str(spec.get("version", "")) if isinstance(spec, dict) else str(spec)
                pinned = bool(re.match(r"^=?=?\d", version))
                if name != "python":
                    result.append(
                        Dependency(normalise_package(name), path, _line_of(text, name), pinned)
                    )
    return result


def _pipfile(path: str, text: str | None) -> list[Dependency]:
    try:
        data = tomllib.loads(text or "")
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    result = []
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        if isinstance(table, dict):
            for name, spec in table.items():
                version = str(spec.get("version", "*")) if isinstance(spec, dict) else str(spec)
                result.append(
                    Dependency(
                        normalise_package(name),
                        path,
                        _line_of(text or "", name),
                        version.startswith("=="),
                    )
                )
    return result


def _setup(path: str, text: str | None) -> list[Dependency]:
    if not text:
        return []
    result = []
    block = re.search(r"install_requires\s*=\s*\[([^\]]*)\]", text, re.S)
    if block:
        for spec in re.findall(r"['\"]([^'\"]+)['\"]", block.group(1)):
            dependency = _requirement(spec, path, _line_of(text, spec))
            if dependency:
                result.append(dependency)
    cfg = re.search(r"install_requires\s*=\s*\n((?:[ \t]+\S.*\n?)+)", text)
    if cfg:
        for spec in cfg.group(1).splitlines():
            dependency = _requirement(spec, path, _line_of(text, spec.strip()))
            if dependency:
                result.append(dependency)
    return result


def _conda(path: str, text: str | None) -> list[Dependency]:
    data = safe_yaml(text)
    if not isinstance(data, dict):
        return []
    result = []
    for item in _list(data.get("dependencies")):
        if isinstance(item, str):
            name, _, version = item.partition("=")
            result.append(
                Dependency(
                    normalise_package(name.strip()),
                    path,
                    _line_of(text or "", item),
                    bool(version.strip("=")),
                )
            )
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for spec in item["pip"]:
                if isinstance(spec, str) and (
                    d := _requirement(spec, path, _line_of(text or "", spec))
                ):
                    result.append(d)
    return result


def declared(snapshot: RepositorySnapshot, *packages: str) -> list[Dependency]:
    wanted = {normalise_package(p) for p in packages}
    return [d for d in dependencies(snapshot) if d.name in wanted]
