"""Model delivery as met in real public repositories.

Deploying a model, the checks before a model is served, and its staged promotion. Each pattern is a
small synthetic archetype with a positive case and a negative one: what must count as evidence, and
a near miss that must not.
"""

import pytest

from ..snapshots import best_for
from .cases import CI, CODE, PARAMS, case, workflow

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


PRINTING_DEPLOY = (
    "on:\n  workflow_dispatch:\njobs:\n  deploy-to-production:\n    environment: production\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "      - name: Print a message\n        run: |\n"
    "          echo 'Deploying the model to production'\n"
)
WORKING_DEPLOY = PRINTING_DEPLOY + "          python deploy_model.py --stage production\n"
DELIVERY = [
    case(
        "environments-in-a-workflow-that-only-prints",
        {".github/workflows/deploy.yml": PRINTING_DEPLOY, "train.py": "import sklearn\n"},
        "staged_promotion",
        None,
        None,
    ),
    case(
        "environments-in-a-workflow-that-deploys",
        {".github/workflows/deploy.yml": WORKING_DEPLOY, "train.py": "import sklearn\n"},
        "staged_promotion",
        1,
        CI,
    ),
    case(
        "model-deploy-workflow-that-only-prints",
        {".github/workflows/deploy.yml": PRINTING_DEPLOY, "train.py": "import sklearn\n"},
        "model_cd",
        None,
        None,
    ),
    case(
        "all-traffic-to-one-model-is-no-split",
        {
            "deploy.py": "from google.cloud import aiplatform\n"
            "model.deploy(traffic_split={'0': 100}, machine_type='n1-standard-2')\n"
        },
        "staged_promotion",
        None,
        None,
    ),
    case(
        "single-production-variant-is-no-ab-test",
        {"endpoint.yml": "ProductionVariants:\n  - VariantName: main\n    ModelName: m\n"},
        "staged_promotion",
        None,
        None,
    ),
    case(
        "codedeploy-canary-in-front-of-the-endpoint",
        {
            "deploy-prd.yml": "Function:\n  DeploymentPreference:\n"
            "    Type: Canary10Percent5Minutes\n"
        },
        "staged_promotion",
        1,
        CODE,
    ),
    case(
        "blue-green-weights-in-a-release",
        {"release.yml": "overrideValues: 'weight.blue=50,weight.green=50'\n"},
        "staged_promotion",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, DELIVERY)
def test_delivery_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
