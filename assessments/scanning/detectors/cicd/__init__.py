"""The CI/CD family: CI on every change, tests, delivery, checks before release, promotion.

In full: CI on every change, tests it runs, ML-specific tests, pipeline and model delivery,
serving checks before deployment, staged promotion.
"""

# Importing the modules registers their detectors.
from . import delivery, integration, release, testing  # noqa: F401
