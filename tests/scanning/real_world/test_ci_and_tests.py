"""CI and tests as met in real public repositories.

CI workflows and templates, and the automated and ML-specific tests they run. Each is a small
synthetic archetype with a positive case and a negative one: what must count as evidence, and a near
miss that must not.
"""

import pytest

from ..snapshots import best_for
from .cases import CI, CODE, PARAMS, case, workflow

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
