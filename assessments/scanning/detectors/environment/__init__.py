"""The code and environment family: how ML code is kept, packaged, run and configured.

In full: ML code in git, packaging, pinned environments, containers, configuration outside
code, infrastructure as code, and tools only declared as dependencies.
"""

# Importing the modules registers their detectors; the names below are read by other families
# and by the repository facts.
from . import configuration, infrastructure, modularity  # noqa: F401
from .declared import DECLARED_TOOLS
from .runtime import environment_pins
from .versioncontrol import model_binaries

__all__ = ["DECLARED_TOOLS", "environment_pins", "model_binaries"]
