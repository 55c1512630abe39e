"""The detector registry: each detector reads a RepositorySnapshot and returns Findings.

A detector is a plain function registered with ``@register``; it lives in the module of its
family (experiment, data, pipeline, model_registry, cicd, serving, environment, governance), or
in a module of the family's package when the family is large enough to need several.
The fixed strings detectors look for in file contents are declared with ``keywords(...)`` at
import time, so the snapshot can find all of them in a single pass over the repository.

What a capability is, its level and how observable it is are read from the maturity
catalogue (assessments/maturity/catalogue.yaml): the scanner keeps no table of its own. The
catalogue also names, per capability, the detectors that report evidence for it, for readers
of the catalogue; tests/scanning/detectors/test_registry.py holds those lists to what the
detectors do.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import overload

from ...maturity import load_catalogue
from ..tree import RepositorySnapshot

logger = logging.getLogger(__name__)


@functools.cache
def _positions() -> dict[str, int]:
    return {c.key: i for i, c in enumerate(load_catalogue().capabilities)}


def capability_position(key: str) -> int:
    """A capability's place in the catalogue, the order reports list capabilities in."""
    return _positions()[key]


GRADES = (0.0, 0.5, 1.0)


class Strength(enum.IntEnum):
    """How much a piece of evidence proves, weakest to strongest."""

    MENTION = 1  # a name in a dependency list, a comment, a string
    FILE_NAME = 2  # a file exists with a telling name
    CODE = 3  # an import or call in code, or the content of a tool's own config file
    CI_CONFIG = 4  # wired into CI: the automation runs it

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One piece of evidence for one capability.

    ``grade`` follows the ML Test Score: 0 absent (or a smell), 0.5 manual or partial,
    1 automated. A mere mention never grades above 0.5.
    """

    capability: str
    grade: float
    strength: Strength
    reason: str
    path: str | None = None
    line: int | None = None
    detector: str = ""

    def __post_init__(self) -> None:
        if not load_catalogue().has_capability(self.capability):
            raise ValueError(f"Unknown capability key: {self.capability!r}")
        if self.grade not in GRADES:
            raise ValueError(f"Grade must be 0, 0.5 or 1, not {self.grade!r}")
        if not isinstance(self.strength, Strength):
            raise ValueError(f"Strength must be a Strength, not {self.strength!r}")
        if self.strength is Strength.MENTION and self.grade > 0.5:
            raise ValueError("A mention cannot grade a capability above 0.5")
        object.__setattr__(self, "grade", float(self.grade))

    def sort_key(self) -> tuple[int, float, int, str, int, str, str]:
        return (
            capability_position(self.capability),
            -self.grade,
            -self.strength,
            self.path or "",
            self.line or 0,
            self.detector,
            self.reason,
        )


Detector = Callable[[RepositorySnapshot], list[Finding]]

_REGISTRY: dict[str, Detector] = {}
_FAMILIES: dict[str, str] = {}
_KEYWORDS: set[str] = set()


class UnknownDetector(KeyError):
    pass


@overload
def register(func: Detector, *, name: str | None = None) -> Detector: ...
@overload
def register(func: None = None, *, name: str | None = None) -> Callable[[Detector], Detector]: ...
def register(
    func: Detector | None = None, *, name: str | None = None
) -> Detector | Callable[[Detector], Detector]:
    """Register a detector under its function name (or ``name``); duplicates are refused."""

    def decorate(function: Detector) -> Detector:
        key = name or function.__name__
        if key in _REGISTRY:
            raise ValueError(f"A detector named {key!r} is already registered.")
        _REGISTRY[key] = function
        _FAMILIES[key] = _family_of(function.__module__)
        return function

    return decorate(func) if func is not None else decorate


def _family_of(module: str) -> str:
    """The module or package directly under ``detectors`` that a detector's module belongs to
    (``serving`` for ``detectors.serving.monitoring``); elsewhere (tests), the module's name."""
    package = __name__.rpartition(".")[0] + "."
    if module.startswith(package):
        return module.removeprefix(package).split(".", 1)[0]
    return module.rsplit(".", 1)[-1]


def keywords(*words: str) -> tuple[str, ...]:
    """Declare fixed strings a detector searches file contents for; returns them."""
    for word in words:
        if len(word) < 3:
            raise ValueError("Keywords must be at least three characters long.")
    _KEYWORDS.update(words)
    return words


def all_keywords() -> frozenset[str]:
    return frozenset(_KEYWORDS)


def detector_names() -> list[str]:
    return sorted(_REGISTRY)


def detector_family(name: str) -> str:
    return _FAMILIES[name]


def get_detector(name: str) -> Detector:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownDetector(name) from None


def run_all(
    snapshot: RepositorySnapshot,
    *,
    only: list[str] | None = None,
    failed_detectors: list[str] | None = None,
) -> list[Finding]:
    """Run every registered detector (or ``only`` these) and return sorted findings.

    Each finding is stamped with the name of the detector that produced it. A detector that
    raises is skipped and its name appended to ``failed_detectors``.
    """
    if failed_detectors is None:
        failed_detectors = []
    if only is None:
        names = detector_names()
    else:
        for detector_name in only:
            get_detector(detector_name)  # an unknown name is refused before any detector runs
        names = list(only)
    findings: list[Finding] = []
    for detector_name in names:
        try:
            produced = _REGISTRY[detector_name](snapshot)
        except Exception:
            # Repository files are untrusted: a config file of an unexpected shape must cost
            # one detector's findings, never the whole scan.
            logger.warning("detector %s failed on this repository", detector_name, exc_info=True)
            failed_detectors.append(detector_name)
            continue
        for finding in produced:
            if finding.detector != detector_name:
                finding = Finding(
                    capability=finding.capability,
                    grade=finding.grade,
                    strength=finding.strength,
                    reason=finding.reason,
                    path=finding.path,
                    line=finding.line,
                    detector=detector_name,
                )
            findings.append(finding)
    unique = {
        (f.capability, f.grade, f.strength, f.reason, f.path, f.line, f.detector): f
        for f in findings
    }
    return sorted(unique.values(), key=Finding.sort_key)
