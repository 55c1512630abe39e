"""The serving family: prediction services and logs, monitoring, and retraining on alerts."""

# Importing the modules registers their detectors.
from . import logs, monitoring, retraining, services  # noqa: F401
