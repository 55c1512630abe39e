"""CI configurations are recognised by content wherever they live, and told apart from tool
configs that share their keys."""

import pytest

from assessments.scanning.detectors.ciconfig import ci_configs, invoked_scripts, looks_like_ci

from .snapshots import snapshot_of


@pytest.mark.parametrize(
    ("path", "text", "system"),
    [
        (
            "build/pipelines/ml.yml",
            "jobs:\n  - job: t\n    steps:\n      - script: pytest\n",
            "generic",
        ),
        (
            "ci/train.yml",
            "trigger:\n  - main\npool:\n  vmImage: ubuntu\nsteps:\n  - script: pytest\n",
            "azure",
        ),
        (
            "ops/build.yaml",
            "on:\n  push:\njobs:\n  b:\n    runs-on: ubuntu\n    steps:\n      - run: pytest\n",
            "github",
        ),
        (
            "deploy/cloudbuild-prod.yaml",
            "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '.']\n",
            "cloudbuild",
        ),
        (
            "aws/build.yml",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - pytest\n",
            "buildspec",
        ),
        (
            "ci/ml.gitlab.yml",
            "stages: [test]\nunit:\n  stage: test\n  script:\n    - pytest\n",
            "gitlab",
        ),
        (
            "jenkins/train.groovy",
            "pipeline {\n  agent any\n  stages {\n    stage('t') {}\n  }\n}\n",
            "jenkins",
        ),
        (
            "tekton/run.yaml",
            "apiVersion: tekton.dev/v1\nkind: Pipeline\nspec:\n  tasks: []\n",
            "tekton",
        ),
    ],
)
def test_it_recognises_ci_by_content(path, text, system):
    assert looks_like_ci(path, text) == system


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n"),
        (
            "k8s/job.yaml",
            "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - command: [python]\n          args: [train.py]\n",
        ),
        ("docker-compose.yml", "services:\n  web:\n    command: gunicorn app\n"),
        ("compose/dev.yml", "services:\n  web:\n    command: gunicorn app\n"),
        (
            "azureml/pipeline.yml",
            "$schema: https://azuremlschemas.azureedge.net/latest/"
            "pipelineJob.schema.json\ntype: pipeline\njobs:\n  train:\n    command: python t.py\n",
        ),
        (
            "pipeline.json.yaml",
            "pipelineSpec:\n  root:\n    dag: {}\ndeploymentSpec:\n  executors: {}\n",
        ),
        ("action.yml", "runs:\n  using: composite\n  steps:\n    - run: echo\n"),
        ("configs/model.yaml", "model:\n  layers: 3\nsteps: 1000\n"),
        ("mkdocs.yml", "site_name: docs\n"),
        ("notes.groovy", "def x = 1\n"),
    ],
)
def test_it_does_not_mistake_tool_configs_for_ci(path, text):
    assert looks_like_ci(path, text) is None


def test_ci_found_by_content_is_marked_so():
    snapshot = snapshot_of(
        {
            "build/pipelines/ml.yml": "jobs:\n  - job: t\n    steps:\n      - script: pytest\n",
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: x\n"
            "    steps:\n      - run: make\n",
        }
    )
    configs = {config.path: config for config in ci_configs(snapshot)}
    assert configs["build/pipelines/ml.yml"].by_content is True
    assert configs[".github/workflows/ci.yml"].by_content is False


@pytest.mark.parametrize(
    ("text", "triggers"),
    [
        ("on: [push, pull_request]\njobs: {}\n", {"push", "pull_request"}),
        (
            "on:\n  schedule:\n    - cron: '0 0 * * 0'\n  workflow_dispatch:\njobs: {}\n",
            {"schedule", "manual"},
        ),
        (
            "on:\n  repository_dispatch:\n    types: [model-registered]\njobs: {}\n",
            {"external_event"},
        ),
        ("on:\n  push:\n    tags:\n      - 'v*'\njobs: {}\n", {"push", "tag"}),
        (
            "on:\n  workflow_dispatch:\njobs:\n  b:\n    steps:\n      - run: docker push x\n",
            {"manual"},
        ),
    ],
)
def test_it_reads_github_triggers(text, triggers):
    snapshot = snapshot_of({".github/workflows/w.yml": text})
    (config,) = ci_configs(snapshot)
    assert set(config.triggers) == triggers


def test_it_follows_scripts_that_ci_runs():
    snapshot = snapshot_of(
        {
            ".gitlab-ci.yml": "deploy:\n  script:\n    - python -m pipelines.deploy --env prod\n"
            "    - bash scripts/train.sh\n    - python3 tools/check.py\n",
            "src/pipelines/deploy.py": "x = 1\n",
            "scripts/train.sh": "python train.py\n",
            "tools/check.py": "x = 1\n",
        }
    )
    assert set(invoked_scripts(snapshot)) == {
        "src/pipelines/deploy.py",
        "scripts/train.sh",
        "tools/check.py",
    }


def test_malformed_ci_yaml_is_read_as_text_without_crashing():
    snapshot = snapshot_of({".github/workflows/bad.yml": "on: [push\njobs: {{{\n  - run: pytest\n"})
    (config,) = ci_configs(snapshot)
    assert config.search(__import__("re").compile("pytest"))
