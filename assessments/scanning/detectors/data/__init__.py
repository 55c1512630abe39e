"""The data family: validation gates, versioning, feature stores, preparation, consistency.

Consistency is training-serving consistency: one transformation for both.
"""

# Importing the modules registers their detectors.
from . import features, preparation, validation, versioning  # noqa: F401
