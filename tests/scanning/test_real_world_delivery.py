"""CI, delivery, validation and orchestration shapes met in real public repositories, as small
synthetic archetypes.

Each pattern has a positive case and a negative one: what must count as evidence, and a near
miss that must not.
"""

import pytest

from assessments.scanning.detectors import Strength

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
]


@pytest.mark.parametrize(PARAMS, TESTS)
def test_unit_test_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
