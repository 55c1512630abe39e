"""Monitoring as met in real public repositories.

Monitoring of the model and of the service that serves it, and monitoring that triggers retraining.
Each pattern is a small synthetic archetype with a positive case and a negative one: what must count
as evidence, and a near miss that must not.
"""

import pytest

from ..archetypes import notebook
from ..snapshots import best_for
from .cases import CI, CODE, PARAMS, case

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


EVIDENTLY = "from evidently.report import Report\n"
RETRAINING = [
    case(
        "drift-check-calls-a-print-placeholder-named-retrain",
        {
            "monitoring/drift.py": EVIDENTLY + "def retrain_model():\n    print('retraining')\n"
            "retrain_model()\n",
            "train.py": "import sklearn\n",
        },
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "pretrained-model-name-next-to-a-drift-report",
        {"report.py": EVIDENTLY + "name = 'a Pretrained BERT model'\n"},
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "scheduled-drift-check-that-only-echoes-retraining",
        {
            ".github/workflows/drift.yml": "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n"
            "  d:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: python monitoring/drift_monitor.py\n"
            "      - run: echo 'Drift detected, consider retraining'\n",
            "train.py": "import sklearn\n",
        },
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "scheduled-drift-check-that-retrains",
        {
            ".github/workflows/drift.yml": "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n"
            "  d:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: python monitoring/drift_monitor.py\n"
            "      - run: python src/train.py\n",
            "src/train.py": "import sklearn\n",
        },
        "monitoring_triggers_retraining",
        1,
        CI,
    ),
    case(
        "monitoring-flag-in-a-training-pipeline-deployment",
        {
            "azure-pipelines.yml": "trigger:\n- main\nsteps:\n"
            "- script: az ml job create --file pipeline.yml --set enable_monitoring=true\n"
            "- template: templates/run-pipeline.yml\n",
            "train.py": "import sklearn\n",
        },
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "alert-webhook-route-launches-the-training-job",
        {
            "svc/app.py": "from flask import Flask\nfrom trigger import trigger_retraining\n"
            "app = Flask(__name__)\n@app.route('/retrain', methods=['POST'])\n"
            "def retrain():\n    trigger_retraining()\n",
            "svc/trigger.py": "import requests\n"
            "QUERY = 'mutation { launchRun(executionParams: {}) }'\n"
            "def trigger_retraining():\n    requests.post('http://dagster/graphql', json=QUERY)\n",
        },
        "monitoring_triggers_retraining",
        1,
        CODE,
    ),
    case(
        "retrain-route-that-launches-nothing",
        {
            "svc/app.py": "from flask import Flask\napp = Flask(__name__)\n"
            "@app.route('/retrain', methods=['POST'])\ndef retrain():\n    return 'queued'\n",
        },
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "pipeline-runs-a-drift-report-then-calls-the-training-pipeline",
        {
            "valohai.yaml": "- step:\n    name: drift\n    command: python report.py\n"
            "- step:\n    name: call-retrain\n    command: python call_retrain.py\n",
            "report.py": EVIDENTLY,
            "call_retrain.py": "import requests\n"
            "requests.post('https://app.valohai.com/api/v0/pipelines/', json={})\n",
        },
        "monitoring_triggers_retraining",
        1,
        CODE,
    ),
    case(
        "pipeline-runs-a-drift-report-only",
        {"valohai.yaml": "- step:\n    name: drift\n    command: python report.py\n"},
        "monitoring_triggers_retraining",
        None,
        None,
    ),
    case(
        "alarm-rule-targets-the-pipeline",
        {
            "pipeline.yml": "Resources:\n  RetrainRule:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      EventPattern:\n        detail-type:\n"
            "          - 'CloudWatch Alarm State Change'\n      Targets:\n"
            "        - Arn: !Sub 'arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:p'\n",
        },
        "monitoring_triggers_retraining",
        1,
        CODE,
    ),
    case(
        "alarm-rule-only-notifies",
        {
            "alarms.yml": "Resources:\n  Rule:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      EventPattern:\n        detail-type:\n"
            "          - 'CloudWatch Alarm State Change'\n      Targets:\n"
            "        - Arn: !Ref NotificationTopic\n",
        },
        "monitoring_triggers_retraining",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, RETRAINING)
def test_retraining_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
