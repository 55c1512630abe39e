"""The source of an ML library or MLOps tool is a tool other teams use, not an ML system."""

from assessments.scanning import analyze_snapshot

from .snapshots import snapshot_of

LIBRARY_CODE = {
    "src/driftwatch/__init__.py": "",
    "src/driftwatch/metrics.py": "from sklearn.metrics import roc_auc_score\nimport numpy as np\n",
    "src/driftwatch/report.py": "import pandas as pd\nimport mlflow\nmlflow.log_metric('x', 1)\n",
}


def report_of(files):
    return analyze_snapshot(snapshot_of(files), repository="example")


def test_the_source_of_a_known_ml_tool_is_inconclusive_and_says_why():
    files = {**LIBRARY_CODE, "pyproject.toml": '[project]\nname = "evidently"\nversion = "1"\n'}
    report = report_of(files)
    assert report.inconclusive
    assert report.overall_level is None
    assert "ml_tool" in report.flags
    assert "no_ml_code" in report.flags  # no ML system of its own, as readers expect
    assert report.facts["ml_tool"] == "evidently"


def test_setup_py_and_poetry_names_count_too():
    for manifest in (
        {"setup.py": "from setuptools import setup\nsetup(name='mlflow', version='2')\n"},
        {"pyproject.toml": '[tool.poetry]\nname = "great-expectations"\nversion = "1"\n'},
    ):
        assert "ml_tool" in report_of({**LIBRARY_CODE, **manifest}).flags


def test_a_team_project_that_uses_the_tool_is_judged():
    files = {**LIBRARY_CODE, "pyproject.toml": '[project]\nname = "churn-model"\nversion = "1"\n'}
    report = report_of(files)
    assert not report.inconclusive
    assert "ml_tool" not in report.flags


def test_a_broken_pyproject_names_nothing_and_breaks_nothing():
    files = {**LIBRARY_CODE, "pyproject.toml": '[project\nname = "evidently"\n'}
    report = report_of(files)
    assert not report.inconclusive
    assert "ml_tool" not in report.flags
