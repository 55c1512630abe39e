"""The kits on Azure Pipelines: a pipeline file of the kit's own (azure-pipelines.yml while the
repository has none, beside the team's pipelines otherwise), valid against Azure's published
schema, credited by a rescan once applied, and holding no name from the repository that Azure
could read as a macro, an expression or a command."""

import json
import re

import jsonschema
import pytest
from ruamel.yaml import YAML

from assessments import kits
from assessments.scanning import scan_repository

from ..scanning import archetypes
from ..scanning.gitrepo import commit, git, make_repo
from ..scanning.snapshots import snapshot_of
from .test_kits import (
    PACKAGED,
    WITH_SAMPLE,
    grades,
    hostile_files,
    published_schema,
    run_what_the_kit_asks,
)

AZURE_REPOS = "https://dev.azure.com/team/project/_git/churn"
# A pipeline of the team's that runs nothing on a change: every kit's step is still missing.
TEAM_PIPELINE = (
    "trigger: none\npr: none\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: make docs\n"
)
ARCHETYPES = {
    "notebooks": archetypes.NOTEBOOK_ONLY,
    "scripts": archetypes.TRAINING_SCRIPTS,
    "packaged": PACKAGED,
    "sample": WITH_SAMPLE,
}
# Every kit that writes CI configuration, with an archetype it fits and the file it adds
# beside the team's azure-pipelines.yml.
CI_KITS = [
    ("ci", "scripts", "ci"),
    ("reproducible_environment", "notebooks", "lock"),
    ("reproducible_environment", "packaged", "lock"),
    ("pipeline_triggers", "scripts", "train"),
    ("pipeline_triggers", "packaged", "train"),
    ("model_validation", "scripts", "validate-model"),
    ("monitoring", "sample", "drift"),
    ("model_cd", "scripts", "deploy-model"),
]
IDS = [f"{step}-{files}" for step, files, _ in CI_KITS]


def as_azure_reads(text):
    """Azure's parser reads every scalar as a string (`always: true` is "true"), and its
    published schema says so: booleans and numbers are string patterns there."""
    return YAML(typ="base").load(text)


@pytest.fixture(scope="module")
def azure_schema():
    published = published_schema("azure-pipelines.json")
    return jsonschema.validators.validator_for(published)(published)


def schema_errors(validator, text):
    return [error.message for error in validator.iter_errors(as_azure_reads(text))]


def azure_files(kit):
    return {
        c.path: c.after
        for c in kit.changes
        if c.path.startswith(".azure-pipelines/") or c.path == "azure-pipelines.yml"
    }


def build(step, files, repository=""):
    return kits.build_kit(step, snapshot_of(files), repository=repository)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Each archetype as a git repository with the team's pipeline, scanned once: a test
    clones it, so the scan before the kit is shared by every kit on it."""
    made = {}

    def get(name):
        if name not in made:
            repo = make_repo(
                tmp_path_factory.mktemp(name) / "repo",
                {**ARCHETYPES[name], "azure-pipelines.yml": TEAM_PIPELINE},
            )
            made[name] = (repo, *grades(repo))
        return made[name]

    return get


@pytest.mark.parametrize(("step", "files", "name"), CI_KITS, ids=IDS)
def test_on_azure_the_patch_applies_and_a_rescan_credits_the_step(
    tmp_path, scanned, azure_schema, step, files, name
):
    origin, before, level_before = scanned(files)
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    kit = build(step, {**ARCHETYPES[files], "azure-pipelines.yml": TEAM_PIPELINE})
    (path, text), *others = azure_files(kit).items()
    assert (path, others) == (f".azure-pipelines/{name}.yml", [])
    assert schema_errors(azure_schema, text) == []
    assert any(f"runs {path} only once it is registered as a pipeline" in s for s in kit.does_not)
    patch = tmp_path / "step.patch"
    patch.write_text(kits.as_patch(kit.changes))
    git(repo, "apply", str(patch))
    run_what_the_kit_asks(repo, step)
    commit(repo, f"Level-up kit: {step}")
    report = scan_repository(str(repo))
    after = {c.key: c.grade for c in report.capabilities}
    credited = next(c for c in report.capabilities if c.key == step)
    assert before.get(step, 0) < 1
    assert after[step] == 1
    if step != "model_validation":  # credited for its gate script, wherever that runs
        # Credited from the Azure pipeline itself, not from a file beside it.
        assert path in {finding.path for finding in credited.evidence if finding.grade == 1}
    assert {k for k, v in before.items() if after.get(k, 0) < v} == set()
    assert (report.overall_level or 0) >= (level_before or 0)


@pytest.mark.parametrize(("step", "files", "name"), CI_KITS, ids=IDS)
def test_without_a_pipeline_a_kit_on_azure_repos_writes_azure_pipelines_yml(
    azure_schema, step, files, name
):
    kit = build(step, ARCHETYPES[files], repository=AZURE_REPOS)
    ((path, text),) = azure_files(kit).items()
    assert path == "azure-pipelines.yml"
    assert schema_errors(azure_schema, text) == []
    assert not any(c.path.startswith((".github/", ".gitlab-ci")) for c in kit.changes)
    assert any("runs azure-pipelines.yml only once it is registered" in s for s in kit.does_not)


def test_the_azure_ci_pipeline_runs_on_every_change_and_the_tests(tmp_path):
    files = {**archetypes.TRAINING_SCRIPTS, "tests/test_train.py": "def test_it():\n    pass\n"}
    kit = build("ci", files, repository=AZURE_REPOS)
    pipeline = as_azure_reads(azure_files(kit)["azure-pipelines.yml"])
    assert pipeline["trigger"] == pipeline["pr"] == {"branches": {"include": ["*"]}}
    (job,) = pipeline["jobs"]
    assert job["steps"][0] == {"task": "UsePythonVersion@0", "inputs": {"versionSpec": "3.11"}}
    scripts = [step["script"] for step in job["steps"][1:]]
    assert scripts == [
        "python -m pip install --upgrade pip",
        "pip install -r requirements.txt",
        "pip install pytest",
        "python -m pytest",
    ]
    # Applied to a repository that has no CI at all, a rescan credits it.
    repo = make_repo(tmp_path / "repo", files)
    patch = tmp_path / "ci.patch"
    patch.write_text(kits.as_patch(kit.changes))
    git(repo, "apply", str(patch))
    commit(repo, "Level-up kit: ci")
    assert grades(repo)[0]["ci"] == 1


def test_scheduled_runs_on_azure_need_no_change_and_keep_the_model():
    kit = build("pipeline_triggers", PACKAGED, repository=AZURE_REPOS)
    pipeline = as_azure_reads(azure_files(kit)["azure-pipelines.yml"])
    assert (pipeline["trigger"], pipeline["pr"]) == ("none", "none")
    (schedule,) = pipeline["schedules"]
    assert (schedule["cron"], schedule["always"]) == ("17 3 * * 1", "true")
    steps = pipeline["jobs"][0]["steps"]
    assert {"script": "python src/churn/train.py", "displayName": "Train"} in steps
    assert {"publish": "model.joblib", "artifact": "model"} in steps
    assert kit.does[0].startswith("Azure Pipelines (from the main branch) runs python")


def test_secrets_reach_azure_steps_as_variables_mapped_by_name():
    monitoring = build("monitoring", WITH_SAMPLE, repository=AZURE_REPOS)
    drift = as_azure_reads(azure_files(monitoring)["azure-pipelines.yml"])["jobs"][0]
    check = next(s for s in drift["steps"] if s.get("script") == "python monitor_drift.py")
    assert check["env"] == {"CURRENT_DATA": "$(CURRENT_DATA)"}
    delivery = build("model_cd", archetypes.TRAINING_SCRIPTS, repository=AZURE_REPOS)
    text = azure_files(delivery)["azure-pipelines.yml"]
    pipeline = as_azure_reads(text)
    assert pipeline["variables"][0] == {"group": "model-delivery"}
    assert pipeline["resources"]["webhooks"][0]["webhook"] == "ModelVersionApproved"
    (job,) = pipeline["jobs"]
    assert (job["deployment"], job["environment"]) == ("deploy_model", "production")
    steps = job["strategy"]["runOnce"]["deploy"]["steps"]
    assert steps[0] == {"checkout": "self"}
    promote = next(s for s in steps if s.get("script") == "python deploy_model.py promote")
    assert promote["env"] == {"MLFLOW_TRACKING_URI": "$(MLFLOW_TRACKING_URI)"}
    # The version is an expression into a variable: no step's command holds one.
    assert not any("$" in step.get("script", "") for step in steps)
    # The registry's credentials stay in a service connection of the project.
    login = {"command": "login", "containerRegistry": "container-registry"}
    assert {"task": "Docker@2", "inputs": login} in steps


def test_a_kit_whose_pipeline_file_exists_is_refused():
    files = {
        **archetypes.NOTEBOOK_ONLY,
        "azure-pipelines.yml": TEAM_PIPELINE,
        ".azure-pipelines/lock.yml": TEAM_PIPELINE,
    }
    with pytest.raises(kits.KitUnavailable, match=r"already has \.azure-pipelines/lock\.yml;"):
        build("reproducible_environment", files)


@pytest.mark.parametrize(
    ("files", "repository", "path"),
    [
        ({".azure-pipelines/build.yml": TEAM_PIPELINE}, "", "azure-pipelines.yml"),
        ({"ci/azure-pipelines.yaml": TEAM_PIPELINE}, "", "azure-pipelines.yml"),
        (
            {".github/workflows/x.yml": "on: push\n", "azure-pipelines.yml": TEAM_PIPELINE},
            "",
            ".azure-pipelines/lock.yml",
        ),
        ({}, "https://team.visualstudio.com/project/_git/churn", "azure-pipelines.yml"),
        ({".gitlab-ci.yml": "x:\n  script: [make]\n"}, AZURE_REPOS, None),
        ({}, "https://github.com/team/churn.git", None),
    ],
)
def test_the_ci_system_is_azure_when_the_team_uses_it(files, repository, path):
    files = {**archetypes.TRAINING_SCRIPTS, **files}
    kit = build("reproducible_environment", files, repository=repository)
    assert [c.path for c in kit.changes if "azure" in c.path] == ([path] if path else [])


# The only macros and expressions in a kit's pipeline: its own, into variables.
OWN_EXPRESSIONS = {
    "$(CURRENT_DATA)",
    "$(MLFLOW_TRACKING_URI)",
    "${{ coalesce(trim(parameters.version), parameters.ModelVersionApproved.version) }}",
}
EXPRESSION = re.compile(r"\$\(|\$\{\{|\$\[")


def test_hostile_names_from_the_repository_stay_data_on_azure(azure_schema):
    files = {**hostile_files(), "azure-pipelines.yml": TEAM_PIPELINE}
    generated = {}
    for step, _, _ in CI_KITS:
        if step in ("pipeline_triggers", "model_validation"):
            # These put the training script on a command line: not a name like this one.
            with pytest.raises(kits.KitUnavailable, match="has characters a CI command line"):
                build(step, files)
            continue
        generated.update(azure_files(build(step, files)))
    assert set(generated) == {
        ".azure-pipelines/ci.yml",
        ".azure-pipelines/lock.yml",
        ".azure-pipelines/drift.yml",
        ".azure-pipelines/deploy-model.yml",
    }
    for text in generated.values():
        assert schema_errors(azure_schema, text) == []
        assert "pwned" not in text
        assert "github.event" not in text
        values = json.dumps(as_azure_reads(text))
        for match in EXPRESSION.finditer(values):
            assert any(values.startswith(own, match.start()) for own in OWN_EXPRESSIONS)


def test_a_plain_path_odd_to_yaml_stays_one_string_on_azure(azure_schema):
    # Every part a plain word, so the kit takes it, each a YAML 1.1 boolean or number unquoted.
    training = archetypes.TRAINING_SCRIPTS["train.py"].replace(
        'joblib.dump(model, "model.joblib")', 'joblib.dump(model, "on/1e3.joblib")'
    )
    files = {"requirements.txt": "pandas\n", "yes/no/train.py": training}
    for step in ("pipeline_triggers", "model_validation"):
        text = azure_files(build(step, files, repository=AZURE_REPOS))["azure-pipelines.yml"]
        assert schema_errors(azure_schema, text) == []
        steps = YAML(typ="safe").load(text)["jobs"][0]["steps"]
        assert "python yes/no/train.py" in [s.get("script") for s in steps]
        if step == "pipeline_triggers":
            assert {"publish": "on/1e3.joblib", "artifact": "model"} in steps
