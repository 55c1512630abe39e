"""The kits of level 1's remaining steps, checked the way their consumers read them: every
workflow against its CI system's published schema, the commands they run by running them, and
the generated Python on sample data."""

import json
import subprocess
import sys

import jsonschema
import pytest
from ruamel.yaml import YAML

from assessments import kits

from ..scanning import archetypes
from ..scanning.gitrepo import commit, git, make_repo
from .test_kits import (
    PACKAGED,
    SAMPLE,
    WITH_SAMPLE,
    grades,
    kit_of,
    published_schema,
    run_what_the_kit_asks,
)

GITLAB = "https://gitlab.example.com/g/p.git"
SCHEMAS = {".gitlab-ci.yml": "gitlab-ci.json"}
# Each kit with a repository it fits, for the CI systems it writes for.
CI_KITS = [
    ("reproducible_environment", archetypes.NOTEBOOK_ONLY),
    ("reproducible_environment", PACKAGED),
    ("pipeline_triggers", archetypes.TRAINING_SCRIPTS),
    ("model_validation", archetypes.TRAINING_SCRIPTS),
    ("monitoring", WITH_SAMPLE),
    ("model_cd", archetypes.TRAINING_SCRIPTS),
]
TRACKED = {
    **archetypes.TRAINING_SCRIPTS,
    "track.py": "import mlflow\n\nmlflow.autolog()\n",
}


def load_yaml(text):
    return YAML(typ="safe").load(text)  # YAML 1.2, as CI reads it: `on` is a key


def ci_files(kit):
    return {c.path: c.after for c in kit.changes if c.path.startswith((".github/", ".gitlab-ci"))}


@pytest.mark.parametrize("repository", ["", GITLAB], ids=["github", "gitlab"])
@pytest.mark.parametrize(
    ("step", "files"), CI_KITS, ids=[f"{s}-{i}" for i, (s, _) in enumerate(CI_KITS)]
)
def test_every_workflow_is_valid_for_its_ci_system(tmp_path, step, files, repository):
    repo = make_repo(tmp_path / "repo", files)
    generated = ci_files(kit_of(repo, step, repository=repository))
    assert len(generated) == 1
    for path, text in generated.items():
        published = published_schema(SCHEMAS.get(path, "github-workflows.json"))
        validator = jsonschema.validators.validator_for(published)(published)
        assert [e.message for e in validator.iter_errors(load_yaml(text))] == []


@pytest.mark.parametrize(
    ("step", "files"), CI_KITS, ids=[f"{s}-{i}" for i, (s, _) in enumerate(CI_KITS)]
)
def test_on_gitlab_the_patch_applies_and_a_rescan_credits_the_step(tmp_path, step, files):
    team_ci = "stages: [build, test]\nunit:\n  stage: test\n  script:\n    - make test\n"
    repo = make_repo(tmp_path / "repo", {**files, ".gitlab-ci.yml": team_ci})
    before, level_before = grades(repo)
    patch = tmp_path / "step.patch"
    patch.write_text(kits.as_patch(kit_of(repo, step, repository=GITLAB).changes))
    git(repo, "apply", str(patch))
    run_what_the_kit_asks(repo, step)
    commit(repo, f"Level-up kit: {step}")
    after, level_after = grades(repo)
    assert before.get(step, 0) < 1
    assert after[step] == 1
    assert {k for k, v in before.items() if after.get(k, 0) < v} == set()
    assert (level_after or 0) >= (level_before or 0)


def test_a_gitlab_job_is_added_to_the_teams_pipeline_keeping_its_jobs(tmp_path):
    team_ci = "stages: [build]\nbuild:\n  stage: build\n  script:\n    - make build\n"
    repo = make_repo(tmp_path / "repo", {**archetypes.NOTEBOOK_ONLY, ".gitlab-ci.yml": team_ci})
    (change,) = ci_files(kit_of(repo, "reproducible_environment", repository=GITLAB)).items()
    path, text = change
    assert text.startswith(team_ci)
    pipeline = load_yaml(text)
    assert set(pipeline) == {"stages", "build", "lock"}
    assert pipeline["lock"]["stage"] == ".post"  # the team's stages have no `test`


def test_a_gitlab_pipeline_the_kit_cannot_extend_is_refused(tmp_path):
    repo = make_repo(
        tmp_path / "repo", {**archetypes.NOTEBOOK_ONLY, ".gitlab-ci.yml": "- not a mapping\n"}
    )
    with pytest.raises(Exception, match="add the job by hand"):
        kit_of(repo, "reproducible_environment", repository=GITLAB)


def lock_check_command(kit):
    workflow = load_yaml(ci_files(kit)[".github/workflows/lock.yml"])
    steps = workflow["jobs"]["lock"]["steps"]
    return next(s["run"] for s in steps if s.get("name", "").endswith("committed and current"))


def test_the_lock_check_fails_until_the_lock_is_committed_and_current(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.NOTEBOOK_ONLY)
    kit = kit_of(repo, "reproducible_environment")
    check = lock_check_command(kit)
    makefile = next(c.after for c in kit.changes if c.path == "Makefile")
    assert "\tuv pip compile requirements.txt --universal --python-version 3.11" in makefile

    def run_check():
        return subprocess.run(  # noqa: S603 - the kit's own fixed command line
            ["bash", "-c", check], cwd=repo, capture_output=True, text=True, timeout=60
        )

    # What `make lock` would write, by hand: resolving needs the package index.
    lock = repo / "requirements.lock"
    lock.write_text("pandas==2.2.0 \\\n    --hash=sha256:abc\n")
    missing = run_check()
    assert missing.returncode == 1
    assert "requirements.lock is missing or out of date" in missing.stdout
    git(repo, "add", "requirements.lock")
    commit(repo, "Lock the environment")
    assert run_check().returncode == 0
    lock.write_text("pandas==2.3.0 \\\n    --hash=sha256:def\n")  # a resolution that moved
    assert run_check().returncode == 1


def test_a_pyproject_is_locked_with_uv_lock(tmp_path):
    repo = make_repo(tmp_path / "repo", PACKAGED)
    kit = kit_of(repo, "reproducible_environment")
    makefile = next(c.after for c in kit.changes if c.path == "Makefile")
    assert makefile.startswith(".PHONY: lock\nlock:  ## Write uv.lock from pyproject.toml")
    assert makefile.endswith("\n\tuv lock\n")
    assert "uv lock --check" in ci_files(kit)[".github/workflows/lock.yml"]


def test_a_teams_makefile_keeps_its_targets(tmp_path):
    team = "test:\n\tpytest"  # no newline at the end
    repo = make_repo(tmp_path / "repo", {**archetypes.NOTEBOOK_ONLY, "Makefile": team})
    change = next(
        c for c in kit_of(repo, "reproducible_environment").changes if c.path == "Makefile"
    )
    assert change.before == team
    assert change.after.startswith("test:\n\tpytest\n\n.PHONY: lock\nlock:")
    refused = make_repo(
        tmp_path / "refused", {**archetypes.NOTEBOOK_ONLY, "Makefile": "lock:\n\ttrue\n"}
    )
    with pytest.raises(Exception, match="already has a lock target"):
        kit_of(refused, "reproducible_environment")


def test_scheduled_training_runs_the_teams_script_and_keeps_its_model(tmp_path):
    repo = make_repo(tmp_path / "repo", PACKAGED)
    workflow = load_yaml(ci_files(kit_of(repo, "pipeline_triggers"))[".github/workflows/train.yml"])
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    steps = workflow["jobs"]["train"]["steps"]
    assert {"run": "python src/churn/train.py"} in steps
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "model.joblib"
    gitlab = load_yaml(
        ci_files(kit_of(repo, "pipeline_triggers", repository=GITLAB))[".gitlab-ci.yml"]
    )
    job = gitlab["scheduled-training"]
    assert job["script"][-1] == "python src/churn/train.py"
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in job["rules"]


def write_kit(kit, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for change in kit.changes:
        if change.path.endswith(".py"):
            (folder / change.path).parent.mkdir(parents=True, exist_ok=True)
            (folder / change.path).write_text(change.after)
    return folder


def run_python(folder, *args):
    return subprocess.run(  # noqa: S603 - the kit's own script, in a temporary folder
        [sys.executable, *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_model_validation_fails_a_candidate_worse_than_production(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    work = write_kit(kit_of(repo, "model_validation"), tmp_path / "work")

    def validate(candidate, production=None):
        (work / "metrics.json").write_text(json.dumps(candidate))
        if production is not None:
            (work / "production_metrics.json").write_text(json.dumps(production))
        return run_python(work, "validate_model.py")

    first = validate({"accuracy": 0.8})
    assert (first.returncode, first.stdout) == (
        0,
        "No production model yet: the candidate passes.\n",
    )
    assert (
        validate({"accuracy": 0.91, "log_loss": 0.2}, {"accuracy": 0.9, "log_loss": 0.3}).returncode
        == 0
    )
    worse = validate({"accuracy": 0.85, "log_loss": 0.2}, {"accuracy": 0.9, "log_loss": 0.3})
    assert worse.returncode == 1
    assert "accuracy: 0.85 is worse than production's 0.9" in worse.stderr
    higher_loss = validate({"accuracy": 0.9, "log_loss": 0.4}, {"accuracy": 0.9, "log_loss": 0.3})
    assert higher_loss.returncode == 1
    assert "log_loss: 0.4 is worse" in higher_loss.stderr
    missing = validate({"f1": 0.9}, {"accuracy": 0.9})
    assert "accuracy: the candidate has no value" in missing.stderr
    (work / "metrics.json").write_text('{"accuracy": "high"}')
    unreadable = run_python(work, "validate_model.py")
    assert unreadable.returncode == 2
    assert "metrics.json must hold a JSON object of metric names and numbers" in unreadable.stderr


def test_model_validation_reads_production_from_the_mlflow_registry_when_the_team_tracks(tmp_path):
    repo = make_repo(tmp_path / "repo", TRACKED)
    kit = kit_of(repo, "model_validation")
    script = next(c.after for c in kit.changes if c.path == "validate_model.py")
    assert "REGISTERED_MODEL = 'model'\nPRODUCTION_ALIAS = 'production'\n" in script
    assert "client.get_model_version_by_alias(REGISTERED_MODEL, PRODUCTION_ALIAS)" in script
    workflow = load_yaml(ci_files(kit)[".github/workflows/validate-model.yml"])
    job = workflow["jobs"]["validate-model"]
    assert job["env"] == {"MLFLOW_TRACKING_URI": "${{ secrets.MLFLOW_TRACKING_URI }}"}
    # The comparison is the same code as the file variant's, runnable without MLflow.
    work = write_kit(kit, tmp_path / "work")
    compared = run_python(
        work,
        "-c",
        "import validate_model as v; print(v.regressions({'rmse': 2.0}, {'rmse': 1.5}))",
    )
    assert compared.stdout == '["rmse: 2.0 is worse than production\'s 1.5"]\n'


def test_drift_monitoring_reads_the_reference_columns_and_says_what_is_missing(tmp_path):
    repo = make_repo(tmp_path / "repo", WITH_SAMPLE)
    kit = kit_of(repo, "monitoring")
    work = write_kit(kit, tmp_path / "work")
    (work / "data").mkdir()
    (work / "data/train.csv").write_text(SAMPLE)
    (work / "current.csv").write_text(SAMPLE.replace("churned", "label", 1))
    loaded = run_python(
        work,
        "-c",
        "import monitor_drift as m; print(list(m.load(m.REFERENCE_DATA).columns))",
    )
    assert loaded.stdout == "['age', 'income', 'segment', 'churned']\n"
    unnamed = run_python(work, "monitor_drift.py")
    assert unnamed.returncode == 2
    assert "Name the current data" in unnamed.stderr
    lacking = run_python(work, "monitor_drift.py", "current.csv")
    assert lacking.returncode == 2
    assert "current.csv lacks the columns ['churned']" in lacking.stderr
    workflow = load_yaml(ci_files(kit)[".github/workflows/drift.yml"])
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert workflow["jobs"]["drift"]["env"] == {"CURRENT_DATA": "${{ vars.CURRENT_DATA }}"}
    # The team pins pandas 2 already; the job installs a pandas evidently imports with anyway.
    requirements = next(c.after for c in kit.changes if c.path == "requirements.txt")
    assert requirements.endswith(
        "pandas==2.1.0\nscikit-learn==1.3.2\nxgboost==2.0.0\nevidently==0.7.23\n"
    )
    runs = [step.get("run") for step in workflow["jobs"]["drift"]["steps"]]
    assert 'pip install evidently==0.7.23 "pandas<3"' in runs


def test_drift_monitoring_bounds_pandas_when_the_team_does_not_list_it(tmp_path):
    files = {**WITH_SAMPLE, "requirements.txt": "scikit-learn==1.3.2\n"}
    kit = kit_of(make_repo(tmp_path / "repo", files), "monitoring")
    requirements = next(c.after for c in kit.changes if c.path == "requirements.txt")
    assert requirements == "scikit-learn==1.3.2\nevidently==0.7.23\npandas<3\n"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MODEL_VERSION": "3; touch pwned", "IMAGE": "ghcr.io/t/model"}, "MODEL_VERSION must"),
        ({"MODEL_VERSION": "$(touch pwned)", "IMAGE": "ghcr.io/t/model"}, "MODEL_VERSION must"),
        ({"MODEL_VERSION": "3", "IMAGE": "ghcr.io/t/m; touch pwned"}, "IMAGE must"),
        ({"MODEL_VERSION": "3", "IMAGE": "--help"}, "IMAGE must"),
    ],
)
def test_model_delivery_refuses_a_version_or_image_that_is_not_one(tmp_path, variables, message):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    work = write_kit(kit_of(repo, "model_cd"), tmp_path / "work")
    for step in ("build", "push"):
        refused = subprocess.run(  # noqa: S603 - the kit's own script, in a temporary folder
            [sys.executable, "deploy_model.py", step],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", **variables},
        )
        assert refused.returncode == 2
        assert refused.stderr.startswith(message)
    assert not (work / "pwned").exists()


def test_model_delivery_takes_the_version_through_the_environment_only(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    kit = kit_of(repo, "model_cd")
    workflow_text = ci_files(kit)[".github/workflows/deploy-model.yml"]
    workflow = load_yaml(workflow_text)
    job = workflow["jobs"]["deploy-model"]
    assert job["env"]["MODEL_VERSION"] == (
        "${{ inputs.version || github.event.client_payload.version }}"
    )
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert not any("${{" in run for run in runs)  # no expression reaches a shell
    assert workflow["permissions"] == {"contents": "read", "packages": "write"}
    script = next(c.after for c in kit.changes if c.path == "deploy_model.py")
    assert "REGISTERED_MODEL = 'model'" in script
