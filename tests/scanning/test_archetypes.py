"""Typical repositories, built as real git repositories, come out at the level they are."""

import pytest

from assessments.scanning import scan_repository

from . import archetypes
from .gitrepo import make_repo


def scan(tmp_path, files, **kwargs):
    repo = make_repo(tmp_path / "repo", files, **kwargs)
    return scan_repository(str(repo))


def grade(report, key):
    return next((c.grade for c in report.capabilities if c.key == key), None)


def evidence_paths(report, key):
    capability = next(c for c in report.capabilities if c.key == key)
    return [finding.path for finding in capability.evidence]


def test_a_notebook_only_repository_is_level_zero(tmp_path):
    report = scan(tmp_path, archetypes.NOTEBOOK_ONLY)
    assert report.overall_level == 0
    assert "notebook_only" in report.flags
    assert report.inconclusive is False
    # The README's claims (MLflow, KServe) are not evidence.
    assert grade(report, "experiment_tracking") == 0.0


def test_training_scripts_with_requirements_are_level_zero(tmp_path):
    report = scan(tmp_path, archetypes.TRAINING_SCRIPTS)
    assert report.overall_level == 0
    assert grade(report, "reproducible_environment") == 1.0
    assert grade(report, "pipeline_orchestration") == 0.0
    assert "pipeline_orchestration" in report.missing_for_next_level


def test_a_dvc_pipeline_with_metrics_ci_is_level_zero_or_one(tmp_path):
    report = scan(tmp_path, archetypes.DVC_PIPELINE)
    assert report.overall_level in (0, 1)
    assert grade(report, "data_versioning") == 1.0
    assert grade(report, "reproducible_training") == 1.0
    assert grade(report, "pipeline_orchestration") == 1.0  # CI reruns dvc repro
    assert grade(report, "model_validation") == 0.5  # metrics reported, not gated
    assert grade(report, "experiment_tracking") == 1.0


def test_an_orchestrated_pipeline_with_gates_registry_and_schedule_is_level_one(tmp_path):
    report = scan(tmp_path, archetypes.ORCHESTRATED)
    assert report.overall_level == 1
    for key in (
        "pipeline_orchestration",
        "pipeline_triggers",
        "data_validation",
        "model_validation",
        "model_registry",
    ):
        assert grade(report, key) == 1.0, key
    assert set(report.missing_for_next_level) == {"ci", "automated_tests", "pipeline_cd"}
    assert "ml_specific_tests" in report.next_level_progress["missing"]


def test_ci_that_tests_and_deploys_plus_model_cd_on_registry_events_is_level_two(tmp_path):
    report = scan(tmp_path, archetypes.LEVEL_TWO)
    assert report.overall_level == 2
    assert grade(report, "pipeline_cd") == 1.0
    assert grade(report, "model_cd") == 1.0
    model_cd = next(c for c in report.capabilities if c.key == "model_cd")
    assert "registered" in model_cd.reason


def test_a_docs_only_repository_is_inconclusive(tmp_path):
    report = scan(tmp_path, archetypes.DOCS_ONLY)
    assert report.inconclusive is True
    assert report.overall_level is None
    assert report.to_dict()["overall_level"] is None
    assert "no_ml_code" in report.flags


def test_ci_under_an_unusual_path_is_detected_by_content(tmp_path):
    report = scan(tmp_path, archetypes.UNUSUAL_CI)
    assert grade(report, "ci") == 1.0
    assert grade(report, "automated_tests") == 1.0
    assert evidence_paths(report, "ci") == ["build/pipelines/ml.yml"]
    assert "found by its content" in next(c.reason for c in report.capabilities if c.key == "ci")


@pytest.mark.parametrize("name", ["TFX_REFERENCE", "VERTEX_REFERENCE"])
def test_google_reference_pipelines_are_not_level_zero(tmp_path, name):
    report = scan(tmp_path, getattr(archetypes, name))
    assert report.overall_level is not None
    assert report.overall_level >= 1


def test_the_vertex_reference_compiled_and_submitted_in_ci_is_level_two(tmp_path):
    report = scan(tmp_path, archetypes.VERTEX_REFERENCE)
    assert report.overall_level == 2
    assert evidence_paths(report, "pipeline_cd")[0] == "cloudbuild.yaml"


def test_a_template_repository_is_flagged(tmp_path):
    files = {
        "cookiecutter.json": '{"project_slug": "x"}',
        "{{cookiecutter.project_slug}}/train.py": "import sklearn\n",
    }
    assert "template" in scan(tmp_path, files).flags


def test_a_monorepo_of_sibling_projects_is_flagged(tmp_path):
    files = {}
    for name in ("churn", "fraud", "ranking"):
        files[f"projects/{name}/requirements.txt"] = "scikit-learn==1.4.0\n"
        files[f"projects/{name}/train.py"] = "import sklearn\n"
    report = scan(tmp_path, files)
    assert "monorepo" in report.flags
    assert report.facts["project_roots"] == ["projects/churn", "projects/fraud", "projects/ranking"]


def test_committed_model_binaries_are_flagged(tmp_path):
    files = {**archetypes.TRAINING_SCRIPTS, "models/model.joblib": b"\x80\x04" + b"\0" * 5000}
    report = scan(tmp_path, files)
    assert "model_binaries_committed" in report.flags


def test_a_tiny_fixture_binary_is_not_flagged(tmp_path):
    files = {**archetypes.TRAINING_SCRIPTS, "tests/fixtures/tiny.pkl": b"\x80\x04N."}
    assert "model_binaries_committed" not in scan(tmp_path, files).flags
