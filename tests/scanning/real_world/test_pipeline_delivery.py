"""Pipeline delivery as met in real public repositories.

CD of the pipeline itself, and the same pipeline run in each environment. Each pattern is a small
synthetic archetype with a positive case and a negative one: what must count as evidence, and a near
miss that must not.
"""

import pytest

from ..snapshots import best_for
from .cases import CI, CODE, PARAMS, case, workflow

SAGEMAKER_PIPELINE = (
    "from sagemaker.workflow.pipeline import Pipeline\n"
    "from sagemaker.workflow.steps import TrainingStep\n"
    "def get_pipeline():\n    return Pipeline(name='p', steps=[TrainingStep('train')])\n"
)
RUN_PIPELINE = (
    "import argparse\nfrom pipelines.driver import get_pipeline\n"
    "def main():\n    pipeline = get_pipeline()\n    pipeline.upsert(role_arn='r')\n"
    "    pipeline.start()\n"
)
SETUP_WITH_COMMAND = (
    "from setuptools import setup\nsetup(name='p', entry_points={'console_scripts': "
    "['run-pipeline=pipelines.run_pipeline:main']})\n"
)
STEP_FUNCTIONS = (
    "from stepfunctions import steps\nfrom stepfunctions.workflow import Workflow\n"
    "def main(role):\n"
    "    chain = steps.states.Chain([steps.sagemaker.TrainingStep('train')])\n"
    "    workflow = Workflow('model', chain, role)\n"
    "    open('workflow.yml', 'w').write(workflow.get_cloudformation_template())\n"
)
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - python model/run_pipeline.py\n"

DELIVERY = [
    case(
        "a-zenml-run-configuration-is-no-ci-definition",
        {
            "project/pipelines/train.py": "from zenml import pipeline\n@pipeline\ndef p(): pass\n",
            "project/configs/train.yaml": "settings:\n  docker:\n    requirements: r.txt\n"
            "model:\n  description: 'Fine-tuned for ZenML pipelines.'\n"
            "steps:\n  trainer:\n    parameters:\n      args:\n        epochs: 3\n",
        },
        "pipeline_cd",
        None,
        None,
    ),
    case(
        "a-zenml-run-configuration-is-not-ci",
        {
            "configs/train.yaml": "settings:\n  docker:\n    requirements: r.txt\n"
            "steps:\n  trainer:\n    parameters:\n      args:\n        epochs: 3\n",
        },
        "ci",
        None,
        None,
    ),
    case(
        "a-model-deployed-by-a-hand-run-flow-step-is-no-pipeline-delivery",
        {
            "flows/deploy.py": "from metaflow import FlowSpec, step\n"
            "class Deploy(FlowSpec):\n    @step\n    def start(self):\n"
            "        predictor = model.deploy(initial_instance_count=1)\n"
        },
        "pipeline_cd",
        None,
        None,
    ),
    case(
        "a-prefect-deployment-applied-by-hand-is-no-pipeline-delivery",
        {
            "deploy.py": "from prefect.deployments import Deployment\nfrom score import flow\n"
            "Deployment.build_from_flow(flow=flow, name='score').apply()\n"
        },
        "pipeline_cd",
        None,
        None,
    ),
    case(
        "a-vector-index-upsert-in-a-pipeline-step-is-no-pipeline-delivery",
        {
            "steps/populate_index.py": "from zenml import step\n@step\n"
            "def populate(index, batch):\n    index.upsert(vectors=batch)\n"
        },
        "pipeline_cd",
        None,
        None,
    ),
    case(
        "a-pipeline-upserted-by-hand-is-delivery-done-by-hand",
        {
            "seed/pipelines/driver.py": SAGEMAKER_PIPELINE,
            "seed/pipelines/run_pipeline.py": RUN_PIPELINE,
        },
        "pipeline_cd",
        0.5,
        CODE,
    ),
    case(
        "ci-copies-the-dags-to-the-airflow-server",
        {
            "dags/train.py": "from airflow import DAG\nwith DAG('train') as dag:\n    pass\n",
            ".github/workflows/airflow.yml": workflow(
                "[push]", "run: scp -r ./dags user@airflow-host:/home/user/"
            ),
        },
        "pipeline_cd",
        1,
        CI,
    ),
    case(
        "ci-copying-a-model-folder-delivers-no-pipeline",
        {
            "dags/train.py": "from airflow import DAG\nwith DAG('train') as dag:\n    pass\n",
            ".github/workflows/model.yml": workflow(
                "[push]", "run: scp -r ./model user@airflow-host:/home/user/"
            ),
        },
        "pipeline_cd",
        None,
        None,
    ),
    case(
        "ci-runs-a-console-script-that-upserts-the-pipeline",
        {
            "seed/setup.py": SETUP_WITH_COMMAND,
            "seed/pipelines/driver.py": SAGEMAKER_PIPELINE,
            "seed/pipelines/run_pipeline.py": RUN_PIPELINE,
            "seed/.github/workflows/build.yml": workflow(
                "[push]", "run: run-pipeline --module-name pipelines.driver"
            ),
        },
        "pipeline_cd",
        1,
        CI,
    ),
    case(
        "ci-running-another-console-script-leaves-the-pipeline-delivered-by-hand",
        {
            "seed/setup.py": SETUP_WITH_COMMAND,
            "seed/pipelines/driver.py": SAGEMAKER_PIPELINE,
            "seed/pipelines/run_pipeline.py": RUN_PIPELINE,
            "seed/.github/workflows/build.yml": workflow("[push]", "run: get-definition"),
        },
        "pipeline_cd",
        0.5,
        CODE,
    ),
    case(
        "azure-devops-inline-script-publishes-the-azure-ml-pipeline",
        {
            "ml_service/build_pipeline.py": "from azureml.pipeline.core import Pipeline\n"
            "pipeline = Pipeline(workspace=ws, steps=steps)\n"
            "pipeline.publish(name='train')\n",
            ".pipelines/ci.yml": "trigger:\n  branches:\n    include: [main]\npool:\n"
            "  vmImage: ubuntu-latest\nstages:\n- stage: CI\n  jobs:\n  - job: publish\n"
            "    steps:\n    - task: AzureCLI@1\n      inputs:\n"
            "        inlineScript: |\n          python -m ml_service.build_pipeline\n",
        },
        "pipeline_cd",
        1,
        CI,
    ),
    case(
        "codebuild-generates-the-step-functions-pipeline",
        {"model/run_pipeline.py": STEP_FUNCTIONS, "model/buildspec.yml": BUILDSPEC},
        "pipeline_cd",
        1,
        CI,
    ),
    case(
        "a-step-functions-pipeline-generated-by-hand-is-delivered-by-hand",
        {"model/run_pipeline.py": STEP_FUNCTIONS},
        "pipeline_cd",
        0.5,
        CODE,
    ),
    case(
        "step-functions-data-science-sdk-orchestrates-training",
        {"model/run_pipeline.py": STEP_FUNCTIONS},
        "pipeline_orchestration",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, DELIVERY)
def test_pipeline_delivery_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


def env_workflow(*configs: str) -> str:
    steps = [f'run: echo "config_env={name}" >> $GITHUB_ENV' for name in configs]
    return workflow("[push]", *steps, "uses: org/templates/.github/workflows/run-pipeline.yml@main")


ENVIRONMENTS = [
    case(
        "ci-picks-a-configuration-per-environment-for-one-pipeline",
        {
            ".github/workflows/train.yml": env_workflow(
                "config-infra-dev.yml", "config-infra-prod.yml"
            )
        },
        "same_pipeline_across_environments",
        1,
        CI,
    ),
    case(
        "one-environment-configuration-is-not-several-environments",
        {".github/workflows/train.yml": env_workflow("config-infra-prod.yml")},
        "same_pipeline_across_environments",
        None,
        None,
    ),
    case(
        "per-environment-configurations-for-a-web-app-are-no-pipeline",
        {
            ".github/workflows/app.yml": workflow(
                "[push]", "run: ./deploy.sh app-dev.yaml", "run: ./deploy.sh app-prod.yaml"
            )
        },
        "same_pipeline_across_environments",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, ENVIRONMENTS)
def test_environment_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
