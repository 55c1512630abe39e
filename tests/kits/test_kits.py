"""Level-up kits: for each kit and each archetype repository it applies to, the patch applies
to the scanned commit, and a rescan credits the step's capability with nothing else worse.
Generated files are checked the way their consumers read them: workflows against the CI
system's published schema, Python by running it on sample data, and hostile names from the
repository stay data."""

import ast
import csv
import io
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from ruamel.yaml import YAML

from assessments import kits
from assessments.scanning import scan_repository

from ..scanning import archetypes
from ..scanning.gitrepo import commit, git, make_repo

SAMPLE = "age,income,segment,churned\n34,52000.5,retail,0\n51,,corporate,1\n29,31000,retail,0\n"
WITH_SAMPLE = {**archetypes.TRAINING_SCRIPTS, "data/train.csv": SAMPLE}
# A package declaring version ranges, as libraries do, with its training in the package.
PACKAGED = {
    "pyproject.toml": '[project]\nname = "churn"\nversion = "1.0"\n'
    'dependencies = ["pandas>=2", "scikit-learn"]\n',
    "src/churn/__init__.py": "",
    "src/churn/train.py": archetypes.TRAINING_SCRIPTS["train.py"],
}
APPLICABLE = [
    ("ci", archetypes.NOTEBOOK_ONLY),
    ("ci", archetypes.TRAINING_SCRIPTS),
    ("ci", archetypes.ORCHESTRATED),
    ("experiment_tracking", archetypes.TRAINING_SCRIPTS),
    ("model_registry", archetypes.TRAINING_SCRIPTS),
    ("containerization", archetypes.TRAINING_SCRIPTS),
    ("data_validation", WITH_SAMPLE),
    ("reproducible_environment", archetypes.NOTEBOOK_ONLY),
    ("reproducible_environment", PACKAGED),
    ("pipeline_triggers", archetypes.TRAINING_SCRIPTS),
    ("pipeline_triggers", PACKAGED),
    ("model_validation", archetypes.TRAINING_SCRIPTS),
    ("model_validation", PACKAGED),
    ("monitoring", WITH_SAMPLE),
    ("model_cd", archetypes.TRAINING_SCRIPTS),
]


def grades(repo: Path) -> tuple[dict[str, float], int | None]:
    report = scan_repository(str(repo))
    return {c.key: c.grade for c in report.capabilities}, report.overall_level


def kit_of(repo: Path, step: str, *, repository: str = "") -> kits.Kit:
    built = []
    scan_repository(
        str(repo), also=lambda s: built.append(kits.build_kit(step, s, repository=repository))
    )
    return built[0]


def published_schema(name: str) -> dict:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath(name).read_text())


def run_what_the_kit_asks(repo, step):
    """What the team does after applying a kit that asks for it: the lock kit's `make lock`
    needs the package index, so its product is written by hand here."""
    if step == "reproducible_environment":
        lock = "uv.lock" if (repo / "pyproject.toml").exists() else "requirements.lock"
        (repo / lock).write_text("# written by make lock\n")


@pytest.mark.parametrize(
    ("step", "files"), APPLICABLE, ids=[f"{s}-{i}" for i, (s, _) in enumerate(APPLICABLE)]
)
def test_the_patch_applies_and_a_rescan_credits_the_step(tmp_path, capsys, step, files):
    repo = make_repo(tmp_path / "repo", files)
    before, level_before = grades(repo)
    assert before.get(step, 0) < 1, "the archetype must miss the step for the test to mean much"
    call_command("scan_repo", str(repo), "--kit", step)
    patch = tmp_path / "step.patch"
    patch.write_text(capsys.readouterr().out)
    git(repo, "apply", "--check", str(patch))
    git(repo, "apply", str(patch))
    run_what_the_kit_asks(repo, step)
    commit(repo, f"Level-up kit: {step}")
    after, level_after = grades(repo)
    assert after[step] == 1
    worse = {k: (v, after.get(k, 0)) for k, v in before.items() if after.get(k, 0) < v}
    assert worse == {}
    assert (level_after or 0) >= (level_before or 0)


@pytest.mark.parametrize(
    ("repository", "path", "schema"),
    [
        ("", ".github/workflows/ci.yml", "github-workflows.json"),
        ("https://gitlab.example.com/g/p.git", ".gitlab-ci.yml", "gitlab-ci.json"),
    ],
)
def test_the_ci_workflow_is_valid_for_its_ci_system(tmp_path, repository, path, schema):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    kit = kit_of(repo, "ci", repository=repository)
    (change,) = kit.changes
    assert change.path == path
    published = published_schema(schema)
    validator = jsonschema.validators.validator_for(published)(published)
    document = YAML(typ="safe").load(change.after)  # YAML 1.2, as CI reads it: `on` is a key
    assert [e.message for e in validator.iter_errors(document)] == []
    assert "pip install -r requirements.txt" in change.after


def test_the_ci_kit_runs_the_tests_when_there_are_tests(tmp_path):
    files = {**archetypes.TRAINING_SCRIPTS, "tests/test_train.py": "def test_it():\n    pass\n"}
    repo = make_repo(tmp_path / "repo", files)
    (change,) = kit_of(repo, "ci").changes
    assert "python -m pytest" in change.after
    assert "compileall" not in change.after


def test_the_python_version_comes_from_the_repository(tmp_path):
    repo = make_repo(
        tmp_path / "repo", {**archetypes.TRAINING_SCRIPTS, ".python-version": "3.12.4\n"}
    )
    kit = kit_of(repo, "containerization")
    dockerfile = next(c.after for c in kit.changes if c.path == "Dockerfile")
    assert dockerfile.startswith("FROM python:3.12-slim\n")
    assert 'CMD ["python", "train.py"]' in dockerfile


def test_the_data_validation_gate_passes_the_sample_and_refuses_bad_data(tmp_path):
    repo = make_repo(tmp_path / "repo", WITH_SAMPLE)
    kit = kit_of(repo, "data_validation")
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data/train.csv").write_text(SAMPLE)
    (work / "bad.csv").write_text("age,income,segment,churned\nold,1,retail,0\n")
    (work / "extra.csv").write_text(SAMPLE.replace("churned", "churned,extra", 1))
    for change in kit.changes:
        if change.path.endswith(".py"):
            (work / change.path).write_text(change.after)
    schema = (work / "data_schema.py").read_text()
    assert "'income': pa.Column(float, nullable=True" in schema
    assert "'age': pa.Column(int, nullable=False" in schema

    def gate(*paths):
        return subprocess.run(  # noqa: S603 - the kit's own script, in a temporary folder
            [sys.executable, "validate_data.py", *paths],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert gate().returncode == 0
    refused = gate("bad.csv")
    assert refused.returncode == 1
    assert "bad.csv: does not match the schema" in refused.stderr
    assert gate("extra.csv").returncode == 1  # strict: an unexpected column is refused


def test_requirements_stay_pinned_and_keep_what_the_team_has(tmp_path):
    repo = make_repo(tmp_path / "repo", WITH_SAMPLE)
    kit = kit_of(repo, "data_validation")
    requirements = next(c for c in kit.changes if c.path == "requirements.txt")
    assert requirements.after.startswith(WITH_SAMPLE["requirements.txt"])
    assert requirements.after.endswith("pandera==0.35.0\n")


@pytest.mark.parametrize(
    ("step", "files", "message"),
    [
        (
            "feature_store",
            archetypes.TRAINING_SCRIPTS,
            "error: there is no kit for 'feature_store';",
        ),
        ("no_such_step", archetypes.TRAINING_SCRIPTS, "error: there is no kit for 'no_such_step';"),
        ("data_validation", archetypes.TRAINING_SCRIPTS, "No sample data"),
        ("experiment_tracking", archetypes.NOTEBOOK_ONLY, "No training script"),
        ("containerization", archetypes.ORCHESTRATED, "already has a Dockerfile"),
        ("monitoring", archetypes.TRAINING_SCRIPTS, "No sample data"),
        ("pipeline_triggers", archetypes.NOTEBOOK_ONLY, "No training script"),
        ("model_cd", archetypes.NOTEBOOK_ONLY, "no registered model to deliver"),
    ],
)
def test_a_kit_that_does_not_fit_says_why(tmp_path, capsys, step, files, message):
    repo = make_repo(tmp_path / "repo", files)
    with pytest.raises(SystemExit) as exited:
        call_command("scan_repo", str(repo), "--kit", step)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1  # one line


HOSTILE = 'x\'"""\\ $(touch pwned) `touch pwned` ${{ github.event.issue.title }} ;touch pwned'
# A file name a training script writes in a string literal holds no quote of its own.
HOSTILE_MODEL = "m $(touch pwned) `touch pwned` ${{ github.event.issue.title }} ;touch pwned"


HOSTILE_FOLDER = f"src/{HOSTILE}\nnext line"
HOSTILE_COLUMN = f"{HOSTILE}\n\"); import os; os.system('touch pwned'); (\""


def hostile_files():
    """A repository whose training script, saved model, sample data and column are named to
    break out of whatever they are written into."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerows([(HOSTILE_COLUMN, "label"), (1, 0), (2, 1)])
    training = archetypes.TRAINING_SCRIPTS["train.py"].replace(
        'joblib.dump(model, "model.joblib")', f'joblib.dump(model, "{HOSTILE_MODEL}.joblib")'
    )
    return {
        "requirements.txt": archetypes.TRAINING_SCRIPTS["requirements.txt"],
        f"{HOSTILE_FOLDER}/train.py": training,
        f"data/{HOSTILE}.csv": header.getvalue(),
    }


def test_hostile_names_from_the_repository_stay_data(tmp_path):
    folder, column = HOSTILE_FOLDER, HOSTILE_COLUMN
    repo = make_repo(tmp_path / "repo", hostile_files())
    generated = {}
    for step in (
        "ci",
        "experiment_tracking",
        "model_registry",
        "containerization",
        "data_validation",
        "reproducible_environment",
        "monitoring",
        "model_cd",
    ):
        for change in kit_of(repo, step).changes:
            generated[change.path] = change.after
    for step in ("pipeline_triggers", "model_validation"):
        # These put the training script on a CI command line: not a name like this one.
        with pytest.raises(kits.KitUnavailable, match="has characters a CI command line must"):
            kit_of(repo, step)
    # Workflows and the Dockerfile's commands carry no name from the repository; the only
    # expressions are the kits' own, into environment variables.
    workflows = {p: t for p, t in generated.items() if p.startswith(".github/")}
    assert set(workflows) == {
        ".github/workflows/ci.yml",
        ".github/workflows/lock.yml",
        ".github/workflows/drift.yml",
        ".github/workflows/deploy-model.yml",
    }
    for text in workflows.values():
        assert "pwned" not in text
        assert "github.event.issue" not in text
    assert "${{" not in workflows[".github/workflows/ci.yml"]
    dockerfile = generated["Dockerfile"]
    command = json.loads(dockerfile.split("CMD ", 1)[1])
    assert command == ["python", f"{folder}/train.py"]
    assert all(
        line.startswith(("FROM", "WORKDIR", "COPY", "RUN", "USER", "CMD"))
        for line in dockerfile.splitlines()
    )
    # In Python, every name is one string literal, equal to the name.
    literals = set()
    for path, text in generated.items():
        if path.endswith(".py"):
            literals |= {
                node.value
                for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
    assert {
        f"{folder}/train.py",
        f"{HOSTILE_MODEL}.joblib",
        f"data/{HOSTILE}.csv",
        column,
        HOSTILE_MODEL,  # the registered model's name, in deploy_model.py
    } <= literals
    # Importing the generated modules runs nothing it should not.
    work = tmp_path / "work"
    work.mkdir()
    for name in ("data_schema.py", "monitor_drift.py", "deploy_model.py", "validate_data.py"):
        (work / name).write_text(generated[name])
    imported = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import json, data_schema, monitor_drift, deploy_model;"
            "print(json.dumps([list(data_schema.TRAINING_DATA.columns), monitor_drift.COLUMNS,"
            " deploy_model.REGISTERED_MODEL]))",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(imported.stdout) == [[column, "label"], [column, "label"], HOSTILE_MODEL]
    assert not (work / "pwned").exists()
    assert not (tmp_path / "pwned").exists()
