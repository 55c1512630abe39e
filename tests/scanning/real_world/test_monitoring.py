"""Monitoring as met in real public repositories.

Monitoring of the model and of the service that serves it. Each pattern is a small synthetic
archetype with a positive case and a negative one: what must count as evidence, and a near miss that
must not.
"""

import pytest

from ..archetypes import notebook
from ..snapshots import best_for
from .cases import CODE, PARAMS, case

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
