"""Detectors, one module (or package) per family; importing this package registers all of them.

The registry itself is in ``base``.
"""

# Importing the families registers their detectors.
from . import (  # noqa: E402, F401, I001
    cicd,
    data,
    environment,
    experiment,
    governance,
    llm,
    model_registry,
    pipeline,
    serving,
)
from .base import (
    Detector,
    Finding,
    Strength,
    UnknownDetector,
    all_keywords,
    capability_position,
    detector_family,
    detector_names,
    get_detector,
    keywords,
    register,
    run_all,
)

__all__ = [
    "Detector",
    "Finding",
    "Strength",
    "UnknownDetector",
    "all_keywords",
    "capability_position",
    "detector_family",
    "detector_names",
    "get_detector",
    "keywords",
    "register",
    "run_all",
]
