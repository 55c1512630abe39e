"""Detector registry: each detector reads a RepositorySnapshot and returns Findings.

A detector is a plain function registered with ``@register``; it lives in the module of its
family (experiment, data, pipeline, registry, cicd, serving, environment, governance). The
fixed strings detectors look for in file contents are declared with ``keywords(...)`` at import
time, so the snapshot can find all of them in a single pass over the repository.

The capability keys are shared with the maturity engine; the level map below is the scanner's
own evidence-only reading of Google's levels (DOMAIN.md section 4).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..tree import RepositorySnapshot

logger = logging.getLogger(__name__)

__all__ = [
    "CAPABILITY_DIMENSIONS",
    "CAPABILITY_KEYS",
    "CAPABILITY_LEVELS",
    "OBSERVABLE_CAPABILITIES",
    "OPTIONAL_CAPABILITIES",
    "Detector",
    "Finding",
    "Strength",
    "UnknownDetector",
    "all_keywords",
    "detector_names",
    "get_detector",
    "keywords",
    "register",
    "run_all",
]

CAPABILITY_KEYS: tuple[str, ...] = (
    "version_control",
    "modular_code",
    "reproducible_environment",
    "config_outside_code",
    "containerization",
    "infrastructure_as_code",
    "data_extraction_automation",
    "data_validation",
    "data_versioning",
    "feature_store",
    "training_serving_consistency",
    "experiment_tracking",
    "reproducible_training",
    "metadata_store",
    "pipeline_orchestration",
    "pipeline_triggers",
    "model_validation",
    "model_registry",
    "model_rollback",
    "ci",
    "automated_tests",
    "ml_specific_tests",
    "pipeline_cd",
    "model_cd",
    "pre_deployment_checks",
    "staged_promotion",
    "prediction_service",
    "prediction_logging",
    "monitoring",
    "monitoring_triggers_retraining",
    "ownership",
    "model_documentation",
    "dependency_updates",
)

# Google level at which a capability is required; None = cross-cutting (no level).
CAPABILITY_LEVELS: dict[str, int | None] = {
    "version_control": 0,
    "prediction_service": 0,
    "experiment_tracking": 1,
    "data_validation": 1,
    "pipeline_orchestration": 1,
    "pipeline_triggers": 1,
    "model_validation": 1,
    "model_registry": 1,
    "reproducible_environment": 1,
    "containerization": 1,
    "modular_code": 1,
    "config_outside_code": 1,
    "metadata_store": 1,
    "model_cd": 1,
    "prediction_logging": 1,
    "monitoring": 1,
    "data_extraction_automation": 1,
    "training_serving_consistency": 1,
    "reproducible_training": 1,
    "model_rollback": 1,
    "data_versioning": 1,
    "feature_store": 1,
    "ci": 2,
    "automated_tests": 2,
    "ml_specific_tests": 2,
    "pipeline_cd": 2,
    "pre_deployment_checks": 2,
    "staged_promotion": 2,
    "infrastructure_as_code": 2,
    "monitoring_triggers_retraining": 2,
    "ownership": None,
    "model_documentation": None,
    "dependency_updates": None,
}

# Recommended at their level but never gating it.
OPTIONAL_CAPABILITIES = frozenset({"data_versioning", "feature_store"})

# Capabilities a repository normally shows when they exist. The others often live outside the
# code (a monitoring job configured in a cloud console, a serving app or its deployment owned
# by another team, approvals set in the CI server, infrastructure in a platform repository,
# a managed metadata store, a schedule or trigger set up in the orchestrator's UI or a cloud
# scheduler): without evidence
# they are "unknown", not missing, and they do not block an evidence-only level.
OBSERVABLE_CAPABILITIES = frozenset(
    {
        "version_control",
        "modular_code",
        "reproducible_environment",
        "config_outside_code",
        "containerization",
        "data_extraction_automation",
        "data_validation",
        "data_versioning",
        "feature_store",
        "experiment_tracking",
        "reproducible_training",
        "pipeline_orchestration",
        "model_validation",
        "model_registry",
        "ci",
        "automated_tests",
        "ml_specific_tests",
        "pipeline_cd",
        "ownership",
        "model_documentation",
        "dependency_updates",
    }
)

CAPABILITY_DIMENSIONS: dict[str, str] = {
    "version_control": "code_environment",
    "modular_code": "code_environment",
    "reproducible_environment": "code_environment",
    "config_outside_code": "code_environment",
    "containerization": "code_environment",
    "infrastructure_as_code": "code_environment",
    "data_extraction_automation": "data",
    "data_validation": "data",
    "data_versioning": "data",
    "feature_store": "data",
    "training_serving_consistency": "data",
    "experiment_tracking": "experimentation",
    "reproducible_training": "experimentation",
    "metadata_store": "pipeline",
    "pipeline_orchestration": "pipeline",
    "pipeline_triggers": "pipeline",
    "model_validation": "validation_registry",
    "model_registry": "validation_registry",
    "model_rollback": "validation_registry",
    "ci": "cicd",
    "automated_tests": "cicd",
    "ml_specific_tests": "cicd",
    "pipeline_cd": "cicd",
    "model_cd": "cicd",
    "pre_deployment_checks": "cicd",
    "staged_promotion": "cicd",
    "prediction_service": "serving_monitoring",
    "prediction_logging": "serving_monitoring",
    "monitoring": "serving_monitoring",
    "monitoring_triggers_retraining": "serving_monitoring",
    "ownership": "governance",
    "model_documentation": "governance",
    "dependency_updates": "governance",
}

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
        if self.capability not in CAPABILITY_LEVELS:
            raise ValueError(f"Unknown capability key: {self.capability!r}")
        if self.grade not in GRADES:
            raise ValueError(f"Grade must be 0, 0.5 or 1, not {self.grade!r}")
        if not isinstance(self.strength, Strength):
            raise ValueError(f"Strength must be a Strength, not {self.strength!r}")
        if self.strength is Strength.MENTION and self.grade > 0.5:
            raise ValueError("A mention cannot grade a capability above 0.5")
        object.__setattr__(self, "grade", float(self.grade))

    def sort_key(self) -> tuple:
        return (
            CAPABILITY_KEYS.index(self.capability),
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


def register(func: Detector | None = None, *, name: str | None = None):
    """Register a detector under its function name (or ``name``); duplicates are refused."""

    def decorate(function: Detector) -> Detector:
        key = name or function.__name__
        if key in _REGISTRY:
            raise ValueError(f"A detector named {key!r} is already registered.")
        _REGISTRY[key] = function
        _FAMILIES[key] = function.__module__.rsplit(".", 1)[-1]
        return function

    return decorate(func) if func is not None else decorate


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
    names = detector_names() if only is None else [n for n in only if get_detector(n)]
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


# Importing the families registers their detectors.
from . import (  # noqa: E402, F401
    cicd,
    data,
    environment,
    experiment,
    governance,
    pipeline,
    registry,
    serving,
)
