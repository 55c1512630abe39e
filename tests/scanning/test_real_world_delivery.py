"""CI, delivery, validation and orchestration shapes met in real public repositories, as small
synthetic archetypes.

Each pattern has a positive case and a negative one: what must count as evidence, and a near
miss that must not.
"""

import pytest

from assessments.scanning.detectors import Strength

from .archetypes import notebook
from .snapshots import best_for

CODE, CI = Strength.CODE, Strength.CI_CONFIG
PARAMS = ("files", "capability", "grade", "strength")


def case(name, files, capability, grade, strength):
    return pytest.param(files, capability, grade, strength, id=name)


def workflow(on: str, *steps: str) -> str:
    """A GitHub Actions workflow triggered by ``on`` running ``steps`` (one line each)."""
    body = "".join(f"      - {step}\n" for step in steps)
    return f"on: {on}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


CODEQL = workflow(
    "[push, pull_request]",
    "uses: actions/checkout@v4",
    "uses: github/codeql-action/init@v3\n        with:\n          languages: python",
    "uses: github/codeql-action/analyze@v3",
)

CI_WORKFLOWS = [
    case(
        "code-scanning-on-every-push-is-not-ci",
        {".github/workflows/codeql.yml": CODEQL},
        "ci",
        None,
        None,
    ),
    case(
        "code-scanning-next-to-a-test-workflow-leaves-ci",
        {
            ".github/workflows/codeql.yml": CODEQL,
            ".github/workflows/test.yml": workflow("[push]", "run: pytest"),
        },
        "ci",
        1,
        CI,
    ),
    case(
        "manual-deploy-workflow-is-not-ci",
        {".github/workflows/deploy.yml": workflow("workflow_dispatch", "run: ./deploy.sh prod")},
        "ci",
        None,
        None,
    ),
    case(
        "monthly-document-release-is-not-ci",
        {
            ".github/workflows/release.yml": workflow(
                "\n  schedule:\n    - cron: '0 0 1 * *'", "uses: some/markdown-to-pdf@v1"
            )
        },
        "ci",
        None,
        None,
    ),
    case(
        "nightly-test-run-is-partial-ci",
        {
            ".github/workflows/nightly.yml": workflow(
                "\n  schedule:\n    - cron: '0 3 * * *'", "run: pytest tests"
            )
        },
        "ci",
        0.5,
        CI,
    ),
]


@pytest.mark.parametrize(PARAMS, CI_WORKFLOWS)
def test_ci_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


KFP = "from kfp import dsl\n@dsl.pipeline(name='p')\ndef pipeline():\n    pass\n"

TRIGGERS = [
    case(
        "training-rerun-on-every-pull-request-is-no-trigger",
        {
            "pipeline.py": KFP,
            ".github/workflows/train.yml": workflow("[pull_request]", "run: python pipeline.py"),
        },
        "pipeline_triggers",
        None,
        None,
    ),
    case(
        "training-started-by-hand-from-ci-is-no-trigger",
        {
            "pipeline.py": KFP,
            ".github/workflows/train.yml": workflow("workflow_dispatch", "run: python pipeline.py"),
        },
        "pipeline_triggers",
        None,
        None,
    ),
    case(
        "scheduled-drift-check-that-only-suggests-retraining-is-no-trigger",
        {
            "monitor.py": "import pandas\n",
            ".github/workflows/drift.yml": workflow(
                "\n  schedule:\n    - cron: '0 0 * * *'",
                "run: python monitor.py",
                'run: echo "Drift detected, consider retraining"',
            ),
        },
        "pipeline_triggers",
        None,
        None,
    ),
    case(
        "scheduled-workflow-that-retrains-is-a-trigger",
        {
            "pipeline.py": KFP,
            ".github/workflows/train.yml": workflow(
                "\n  schedule:\n    - cron: '0 0 * * 0'", "run: python pipeline.py"
            ),
        },
        "pipeline_triggers",
        1,
        CI,
    ),
    case(
        "cloudformation-schedule-rule-starts-the-pipeline",
        {
            "pipeline.py": KFP,
            "infra/pipeline.yml": "Resources:\n  ScheduledRule:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      ScheduleExpression: cron(0 12 1 * ? *)\n"
            "      Targets:\n        - Arn: !Ref TrainingPipeline\n",
        },
        "pipeline_triggers",
        1,
        CODE,
    ),
    case(
        "cloudformation-event-rule-on-new-data-starts-the-pipeline",
        {
            "pipeline.py": KFP,
            "infra/pipeline.yml": "Resources:\n  DataRule:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      EventPattern:\n        source: [aws.s3]\n"
            "      Targets:\n        - Arn: !Ref TrainingPipeline\n",
        },
        "pipeline_triggers",
        1,
        CODE,
    ),
    case(
        "event-rule-for-a-web-app-is-no-pipeline-trigger",
        {
            "pipeline.py": KFP,
            "infra/app.yml": "Resources:\n  Rule:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      EventPattern:\n        source: [aws.ec2]\n",
        },
        "pipeline_triggers",
        None,
        None,
    ),
    case(
        "cloud-function-handler-submits-the-pipeline",
        {
            "trigger/main.py": "from kfp.v2.google.client import AIPlatformClient\n"
            "def trigger_pipeline(event, context):\n"
            "    AIPlatformClient().create_run_from_job_spec('gs://b/p.json')\n"
        },
        "pipeline_triggers",
        1,
        CODE,
    ),
    case(
        "event-handler-without-a-pipeline-is-no-trigger",
        {"handler.py": "import json\ndef handler(event, context):\n    return json.dumps(event)\n"},
        "pipeline_triggers",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, TRIGGERS)
def test_trigger_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


PYTEST_ON_PUSH = workflow("[push]", "run: pytest")
UNIT_TEST = "from src.features import scale\ndef test_scale():\n    assert scale([2]) == [1]\n"

TESTS = [
    case(
        "an-empty-tests-package-is-no-test-suite",
        {"tests/__init__.py": "", "train.py": "import sklearn\n"},
        "automated_tests",
        None,
        None,
    ),
    case(
        "empty-test-modules-are-no-test-suite",
        {"tests/test_train.py": "", "tests/test_process.py": "\n", "train.py": "import sklearn\n"},
        "automated_tests",
        None,
        None,
    ),
    case(
        "a-placeholder-marked-xfail-run-by-ci-is-no-test-suite",
        {
            "tests/test_pipelines.py": "import pytest\n@pytest.mark.xfail\n"
            "def test_that_you_wrote_tests():\n    assert False, 'No tests written'\n",
            ".github/workflows/ci.yml": PYTEST_ON_PUSH,
        },
        "automated_tests",
        None,
        None,
    ),
    case(
        "an-endpoint-check-run-with-arguments-is-no-unit-test",
        {
            "tests/test_endpoint.py": "import argparse\nimport boto3\n"
            "def test_endpoint(name):\n"
            "    return boto3.client('sagemaker').describe_endpoint(EndpointName=name)\n"
            "if __name__ == '__main__':\n    parser = argparse.ArgumentParser()\n",
        },
        "automated_tests",
        None,
        None,
    ),
    case(
        "a-script-named-like-a-test-is-no-test",
        {"src/test_gantry.py": "import pandas\nif __name__ == '__main__':\n    print('ok')\n"},
        "automated_tests",
        None,
        None,
    ),
    case(
        "a-unit-test-nobody-runs-is-half-the-value",
        {"tests/test_features.py": UNIT_TEST},
        "automated_tests",
        0.5,
        CODE,
    ),
    case(
        "a-unit-test-ci-runs-is-automated",
        {"tests/test_features.py": UNIT_TEST, ".github/workflows/ci.yml": PYTEST_ON_PUSH},
        "automated_tests",
        1,
        CI,
    ),
    case(
        "a-template-generator-tested-by-ci-has-no-ml-tests",
        {
            "cookiecutter.json": '{"repo_name": "x"}',
            "tests/test_creation.py": "def test_baking(cookies):\n"
            "    assert cookies.bake().exit_code == 0\n",
            "{{ cookiecutter.repo_name }}/src/train.py": "import sklearn\n",
            ".github/workflows/ci.yml": PYTEST_ON_PUSH,
        },
        "automated_tests",
        None,
        None,
    ),
    case(
        "a-template-whose-generated-project-has-tests",
        {
            "{{ cookiecutter.repo_name }}/tests/test_features.py": UNIT_TEST,
            "{{ cookiecutter.repo_name }}/src/train.py": "import sklearn\n",
        },
        "automated_tests",
        0.5,
        CODE,
    ),
    case(
        "a-sample-pipeline-named-like-a-test-is-no-ml-test",
        {
            "zencoder/test_zencoder.py": "from sklearn.ensemble import RandomForestClassifier\n"
            "from zenml import step\n@step\ndef trainer(X, y):\n"
            "    return RandomForestClassifier().fit(X, y)\n"
        },
        "ml_specific_tests",
        None,
        None,
    ),
    case(
        "a-test-that-training-yields-no-nan-is-an-ml-test",
        {
            "tests/test_train.py": "import numpy as np\nfrom src.train import fit\n"
            "def test_no_nan():\n    assert not np.isnan(fit().loss)\n",
            "src/train.py": "import sklearn\ndef fit():\n    pass\n",
        },
        "ml_specific_tests",
        0.5,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, TESTS)
def test_unit_test_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


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


AZURE_STEPS_TEMPLATE = (
    "steps:\n  - task: AzureCLI@2\n    inputs:\n      scriptLocation: inlineScript\n"
    "      inlineScript: |\n        bash setup.sh\n"
)


def azure_pipeline(trigger: str) -> str:
    return (
        f"trigger: {trigger}\npool:\n  vmImage: ubuntu-latest\nstages:\n- stage: A\n  jobs:\n"
        "  - job: a\n    steps:\n    - script: python train.py\n    - template: register.yml\n"
    )


TEMPLATES = [
    case(
        "an-azure-steps-template-runs-when-its-hand-started-pipeline-does",
        {
            "mlops/devops/register.yml": AZURE_STEPS_TEMPLATE,
            "mlops/devops/train.yml": azure_pipeline("none"),
        },
        "ci",
        None,
        None,
    ),
    case(
        "an-azure-steps-template-included-by-a-pipeline-on-every-change",
        {
            "mlops/devops/register.yml": AZURE_STEPS_TEMPLATE,
            "mlops/devops/train.yml": azure_pipeline("[main]"),
        },
        "ci",
        1,
        CI,
    ),
]


@pytest.mark.parametrize(PARAMS, TEMPLATES)
def test_ci_template_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


PREPARATION = [
    case(
        "a-monitoring-baseline-processing-step-is-no-data-preparation",
        {
            "pipeline.py": "from sagemaker.workflow.steps import ProcessingStep\n"
            "baseline_step = ProcessingStep('baseline', processor=monitor_analyzer)\n"
        },
        "data_extraction_automation",
        None,
        None,
    ),
    case(
        "a-notebook-that-prepares-data-next-to-a-pipeline-prepares-it-by-hand",
        {"notebook/mlops.ipynb": notebook("import stepfunctions\ndf = preprocess(raw)\n")},
        "data_extraction_automation",
        None,
        None,
    ),
    case(
        "a-preprocessing-step-in-pipeline-code-is-automated-preparation",
        {
            "pipeline.py": "from sagemaker.workflow.steps import ProcessingStep\n"
            "step_process = ProcessingStep('preprocess', processor=sklearn_processor)\n"
        },
        "data_extraction_automation",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, PREPARATION)
def test_data_preparation_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


VALIDATION = [
    case(
        "an-evaluation-step-that-only-logs-metrics-gates-nothing",
        {
            "src/evaluate.py": "from sklearn.metrics import roc_auc_score\nimport json\n"
            "auc = roc_auc_score(y, p)\njson.dump({'auc': auc}, open('metrics.json', 'w'))\n"
        },
        "model_validation",
        None,
        None,
    ),
    case(
        "an-evaluation-step-that-stops-below-a-threshold-gates-the-model",
        {
            "src/evaluate.py": "from sklearn.metrics import roc_auc_score\nMIN_AUC = 0.8\n"
            "def check(y, p, metric_threshold=MIN_AUC):\n"
            "    if roc_auc_score(y, p) < metric_threshold:\n        raise SystemExit(1)\n"
        },
        "model_validation",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, VALIDATION)
def test_model_validation_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


DEPLOY_SCRIPT = (
    "from sagemaker.pytorch import PyTorchModel\n"
    "model = PyTorchModel(model_data='s3://b/model.tar.gz', role='r')\n"
    "predictor = model.deploy(initial_instance_count=1, instance_type='ml.m5.large')\n"
)

MODEL_DELIVERY = [
    case(
        "a-deploy-script-run-from-a-laptop-is-no-model-delivery",
        {"deploy.py": DEPLOY_SCRIPT},
        "model_cd",
        None,
        None,
    ),
    case(
        "ci-running-the-deploy-script-on-every-change-delivers-the-model",
        {
            "deploy.py": DEPLOY_SCRIPT,
            ".github/workflows/deploy.yml": workflow("[push]", "run: python deploy.py"),
        },
        "model_cd",
        1,
        CI,
    ),
    case(
        "an-azure-deployment-pipeline-with-no-trigger-is-started-by-hand",
        {
            "mlops/devops/deploy-online-endpoint.yml": "trigger: none\npool:\n"
            "  vmImage: ubuntu-latest\nstages:\n- stage: Deploy\n  jobs:\n  - job: endpoint\n"
            "    steps:\n    - script: az ml online-endpoint create -f endpoint.yml\n"
        },
        "model_cd",
        0.5,
        CI,
    ),
]


@pytest.mark.parametrize(PARAMS, MODEL_DELIVERY)
def test_model_delivery_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


VALOHAI_STEPS = (
    "- step:\n    name: preprocess\n    image: python:3.11\n    command:\n"
    "      - python preprocess.py\n"
    "- step:\n    name: train\n    image: python:3.11\n    command:\n      - python train.py\n"
)

ORCHESTRATION = [
    case(
        "a-valohai-pipeline-chains-the-steps",
        {
            "train.py": "import sklearn\n",
            "valohai.yaml": VALOHAI_STEPS + "- pipeline:\n    name: train-pipeline\n    nodes:\n"
            "      - name: prep\n        type: execution\n        step: preprocess\n"
            "      - name: fit\n        type: execution\n        step: train\n"
            "    edges:\n      - [prep.output.*.csv, fit.input.dataset]\n",
        },
        "pipeline_orchestration",
        1,
        CODE,
    ),
    case(
        "valohai-steps-without-a-pipeline-are-run-one-by-one",
        {"train.py": "import sklearn\n", "valohai.yaml": VALOHAI_STEPS},
        "pipeline_orchestration",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, ORCHESTRATION)
def test_orchestration_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


MONITORING = [
    case(
        "an-iam-permission-to-list-monitoring-schedules-monitors-nothing",
        {
            "iam.tf": 'data "aws_iam_policy_document" "p" {\n  statement {\n'
            '    actions = ["sagemaker:CreateEndpoint", "sagemaker:ListMonitoringSchedules"]\n'
            "  }\n}\n"
        },
        "monitoring",
        None,
        None,
    ),
    case(
        "a-monitoring-schedule-resource-monitors-the-endpoint",
        {
            "deploy.yml": "Resources:\n  Monitor:\n    Type: AWS::SageMaker::MonitoringSchedule\n"
            "    Properties:\n      MonitoringScheduleName: drift\n"
        },
        "monitoring",
        1,
        CODE,
    ),
    case(
        "a-job-validating-serving-statistics-against-a-baseline-monitors-drift",
        {
            "drift_monitor/log_analyzer.py": "import tensorflow_data_validation as tfdv\n"
            "anomalies = tfdv.validate_statistics(stats, schema=schema,"
            " previous_statistics=baseline)\n"
        },
        "monitoring",
        1,
        CODE,
    ),
    case(
        "a-notebook-comparing-dataset-spans-monitors-nothing",
        {
            "examples/tfdv.ipynb": notebook(
                "import tensorflow_data_validation as tfdv\n"
                "tfdv.validate_statistics(eval_stats, schema, previous_statistics=train_stats)\n"
            )
        },
        "monitoring",
        None,
        None,
    ),
    case(
        "service-metrics-for-prometheus-are-no-drift-monitoring",
        {"service.py": "import bentoml\nfrom prometheus_client import Histogram\n"},
        "monitoring",
        None,
        None,
    ),
    case(
        "service-metrics-for-prometheus-watch-the-serving-path",
        {"service.py": "import bentoml\nfrom prometheus_client import Histogram\n"},
        "serving_health_monitoring",
        1,
        CODE,
    ),
    case(
        "an-alarm-on-the-serving-function-errors-watches-the-serving-path",
        {
            "deploy.yml": "Resources:\n  ErrorsAlarm:\n    Type: AWS::CloudWatch::Alarm\n"
            "    Properties:\n      Namespace: AWS/Lambda\n      MetricName: Errors\n"
        },
        "serving_health_monitoring",
        1,
        CODE,
    ),
    case(
        "a-service-without-metrics-has-no-health-monitoring",
        {"service.py": "import bentoml\nimport logging\nlogging.info('ready')\n"},
        "serving_health_monitoring",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, MONITORING)
def test_monitoring_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


SERVING_CHECKS = [
    case(
        "codedeploy-hooks-test-the-new-version-before-traffic-shifts",
        {
            "deploy.yml": "Resources:\n  Api:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      DeploymentPreference:\n        Type: Canary10Percent5Minutes\n"
            "        Hooks:\n          PreTraffic: !Ref PreTrafficHook\n"
        },
        "pre_deployment_checks",
        1,
        CODE,
    ),
    case(
        "a-canary-without-hooks-checks-nothing-before-traffic",
        {
            "deploy.yml": "Resources:\n  Api:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      DeploymentPreference:\n        Type: Canary10Percent5Minutes\n"
        },
        "pre_deployment_checks",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, SERVING_CHECKS)
def test_serving_check_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


TRACKING = [
    case(
        "sagemaker-jobs-recorded-as-experiment-trials",
        {
            "run_pipeline.py": "from stepfunctions import steps\n"
            "step = steps.sagemaker.TrainingStep('train', estimator=est,\n"
            "    experiment_config={'ExperimentName': name, 'TrialName': trial})\n"
        },
        "experiment_tracking",
        1,
        CODE,
    ),
    case(
        "an-experiment-config-without-a-trial-tracks-nothing",
        {"train.py": "import sklearn\nfit(experiment_config=None)\n"},
        "experiment_tracking",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, TRACKING)
def test_experiment_tracking_patterns(files, capability, grade, strength):
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


NOTEBOOK_TRACKING = [
    case(
        "tensorboard-in-a-tutorial-notebook-tracks-no-runs",
        {
            "10_neural_nets.ipynb": notebook(
                "import tensorflow as tf\ncb = tf.keras.callbacks.TensorBoard(log_dir)\n"
            )
        },
        "experiment_tracking",
        None,
        None,
    ),
    case(
        "tensorboard-in-training-code-logs-each-run",
        {
            "train.py": "from torch.utils.tensorboard import SummaryWriter\n"
            "writer = SummaryWriter()\n"
        },
        "experiment_tracking",
        0.5,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, NOTEBOOK_TRACKING)
def test_notebook_tracking_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


DATA_VERSIONS = [
    case(
        "azure-ml-registers-each-dataset-state-as-a-version",
        {
            "build_pipeline.py": "from azureml.core import Dataset\n"
            "ds = ds.register(workspace=ws, name='diabetes', create_new_version=True)\n"
        },
        "data_versioning",
        1,
        CODE,
    ),
    case(
        "registering-a-dataset-once-keeps-no-versions",
        {
            "build_pipeline.py": "from azureml.core import Dataset\n"
            "ds = ds.register(workspace=ws, name='diabetes')\n"
        },
        "data_versioning",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, DATA_VERSIONS)
def test_data_versioning_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
