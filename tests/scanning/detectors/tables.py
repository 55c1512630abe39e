"""What the detector tables are written in: a row builder, the files several families share, and
the test each family's table runs.

A row is one small repository in memory, the capability asked about, and the grade and strength
of the strongest finding for it (``None`` for both: no finding at all).
"""

import json

import pytest

from assessments.scanning.detectors import Strength

from ..snapshots import best_for

CODE, CI, NAME, MENTION = Strength.CODE, Strength.CI_CONFIG, Strength.FILE_NAME, Strength.MENTION
ROW_FIELDS = ("files", "capability", "grade", "strength")
DVC_EXPERIMENT_REF = "refs/exps/ab/cdef/exp-1"

SK = "from sklearn.linear_model import LogisticRegression\n"
GH_TESTS = (
    "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: pytest\n"
)
GH_ON_PR = "on: [pull_request]\njobs:\n  e:\n    runs-on: ubuntu-latest\n    steps:\n"
CHAT = "from openai import OpenAI\nclient = OpenAI()\n"
TS_OPENAI = "import OpenAI from 'openai'\nconst openai = new OpenAI()\n"


def ts_manifest(scripts=None):
    manifest = {"dependencies": {"openai": "^4.0.0", "next": "14.0.0"}}
    if scripts:
        manifest["scripts"] = scripts
    return {"package.json": json.dumps(manifest)}


TS_MANIFEST = ts_manifest()


def row(name, files, capability, grade, strength):
    return pytest.param(files, capability, grade, strength, id=name)


def detector_table_test(table):
    """The test of one family's table: each row's strongest finding is the one it expects."""

    @pytest.mark.parametrize(ROW_FIELDS, table)
    def test_detector_table(files, capability, grade, strength, request):
        # DVC keeps its experiments in git refs, not in files: that row's repository has one.
        refs = (DVC_EXPERIMENT_REF,) if request.node.callspec.id == "dvc-experiments-ref" else ()
        assert best_for(files, capability, refs=refs) == (grade, strength)

    return test_detector_table
