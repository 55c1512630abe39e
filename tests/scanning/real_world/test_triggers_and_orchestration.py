"""Pipeline triggers and orchestration as met in real public repositories.

What triggers a pipeline, and what orchestrates its steps. Each pattern is a small synthetic
archetype with a positive case and a negative one: what must count as evidence, and a near miss that
must not.
"""

import pytest

from ..snapshots import best_for
from .cases import CI, CODE, PARAMS, case, workflow

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
