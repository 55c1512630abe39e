"""What the real-world archetypes are written in: a case builder and a GitHub Actions workflow.

A case is one small repository in memory, the capability asked about, and the grade and strength
of the strongest finding for it (``None`` for both: no finding at all).
"""

import pytest

from assessments.scanning.detectors import Strength

CODE, CI = Strength.CODE, Strength.CI_CONFIG
PARAMS = ("files", "capability", "grade", "strength")


def case(name, files, capability, grade, strength):
    return pytest.param(files, capability, grade, strength, id=name)


def workflow(on: str, *steps: str) -> str:
    """A GitHub Actions workflow triggered by ``on`` running ``steps`` (one line each)."""
    body = "".join(f"      - {step}\n" for step in steps)
    return f"on: {on}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n{body}"
