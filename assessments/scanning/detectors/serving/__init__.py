"""Serving and monitoring: prediction services, prediction logging, drift monitoring, and
monitoring wired back to retraining."""

# Importing the modules registers their detectors.
from . import logs, monitoring, retraining, services  # noqa: F401
