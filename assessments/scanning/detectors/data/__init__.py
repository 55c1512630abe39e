"""Data: validation gates, versioning, feature stores, automated preparation,
training-serving consistency."""

# Importing the modules registers their detectors.
from . import features, preparation, validation, versioning  # noqa: F401
