"""The kits, one per roadmap step (a capability of the catalogue), and how one is built."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..scanning.tree import RepositorySnapshot
from .patch import FileChange
from .stack import Stack, read_stack


class KitUnavailable(ValueError):
    """No kit can be built for this repository; the message says why and what to do."""


@dataclass(frozen=True)
class Kit:
    step: str  # the capability key of the roadmap step
    title: str
    changes: tuple[FileChange, ...]
    does: tuple[str, ...]  # what the files do, one sentence each
    does_not: tuple[str, ...]  # what is still the team's to do

    def as_dict(self) -> dict[str, Any]:
        """The kit as JSON data, as stored with a built kit."""
        return {
            "step": self.step,
            "title": self.title,
            "changes": [
                {"path": c.path, "after": c.after, "before": c.before} for c in self.changes
            ],
            "does": list(self.does),
            "does_not": list(self.does_not),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Kit:
        return cls(
            step=data["step"],
            title=data["title"],
            changes=tuple(FileChange(c["path"], c["after"], c["before"]) for c in data["changes"]),
            does=tuple(data["does"]),
            does_not=tuple(data["does_not"]),
        )


@functools.cache
def kit_version() -> str:
    """Changes whenever the code that writes kits changes, so that a kit stored by another
    version is built again rather than served."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


KitBuilder = Callable[[Stack], Kit]
KITS: dict[str, KitBuilder] = {}


def kit(step: str) -> Callable[[KitBuilder], KitBuilder]:
    def register(builder: KitBuilder) -> KitBuilder:
        KITS[step] = builder
        return builder

    return register


def kit_steps() -> tuple[str, ...]:
    _load_kits()
    return tuple(sorted(KITS))


def build_kit(step: str, snapshot: RepositorySnapshot, *, repository: str = "") -> Kit:
    """The kit of roadmap step `step` for the scanned commit in `snapshot`."""
    _load_kits()
    builder = KITS.get(step)
    if builder is None:
        raise KitUnavailable(
            f"There is no kit for {step!r}; kits exist for: {', '.join(sorted(KITS))}."
        )
    return builder(read_stack(snapshot, repository=repository))


def with_requirements(stack: Stack, *pins: str) -> tuple[FileChange, ...]:
    """requirements.txt with the kit's packages added, pinned (a pinned file stays pinned).

    Packages already listed are left as the team has them."""
    if stack.requirements is None:
        return ()
    listed = {_package(line) for line in stack.requirements.splitlines()}
    missing = [pin for pin in pins if _package(pin) not in listed]
    if not missing:
        return ()
    before = stack.requirements
    separator = "" if not before or before.endswith("\n") else "\n"
    return (FileChange("requirements.txt", before + separator + "\n".join(missing) + "\n", before),)


def _package(line: str) -> str:
    name = line.split("#", 1)[0].strip()
    for mark in ("[", "=", "<", ">", "~", "!", ";", " "):
        name = name.split(mark, 1)[0]
    return name.lower().replace("_", "-")


def _load_kits() -> None:
    # The kit modules register themselves; imported here to keep the registry the one list.
    from . import (  # noqa: F401
        ci,
        container,
        data,
        delivery,
        environment,
        monitoring,
        schedule,
        tracking,
        validation,
    )
