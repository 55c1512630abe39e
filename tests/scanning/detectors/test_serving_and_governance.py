"""Detector table: serving, monitoring and governance.

Given these files, the strongest evidence for the capability is this. The rows cover the prediction
service, its logging and monitoring, and governance (ownership, model documentation, dependency
updates). Each row is one small repository in memory; ``None`` means no finding at all.
"""

from .tables import CI, CODE, NAME, detector_table_test, row

TABLE = [
    row(
        "fastapi-model",
        {
            "app.py": "from fastapi import FastAPI\nimport joblib\n"
            "model = joblib.load('model.joblib')\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "bentoml",
        {"service.py": "import bentoml\n@bentoml.service\nclass S: pass\n"},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "batch-scoring",
        {"predict.py": "import joblib\nm = joblib.load('m')\nm.predict(x)\n"},
        "prediction_service",
        0.5,
        CODE,
    ),
    row(
        "flask-without-model",
        {"app.py": "from flask import Flask\n"},
        "prediction_service",
        None,
        None,
    ),
    row(
        "data-capture",
        {
            "deploy.py": "from sagemaker.model_monitor import DataCaptureConfig\n"
            "c = DataCaptureConfig(enable_capture=True)\n"
        },
        "prediction_logging",
        1,
        CODE,
    ),
    row(
        "evidently", {"monitor.py": "from evidently.report import Report\n"}, "monitoring", 1, CODE
    ),
    row(
        "prometheus-only-is-no-drift-monitoring",
        {"app.py": "from prometheus_client import Counter\n"},
        "monitoring",
        None,
        None,
    ),
    row(
        "prometheus-service-metrics",
        {"app.py": "from prometheus_client import Counter\n"},
        "serving_health_monitoring",
        1,
        CODE,
    ),
    row(
        "one-pipeline-per-environment-config",
        {
            ".github/workflows/train.yml": "on: [push]\njobs:\n  t:\n    runs-on: x\n"
            "    steps:\n      - run: python run_pipeline.py --config config-dev.yml\n"
            "      - run: python run_pipeline.py --config config-prod.yml\n"
        },
        "same_pipeline_across_environments",
        1,
        CI,
    ),
    row(
        "drift-triggers-retrain",
        {
            "monitor.py": "from evidently.report import Report\n"
            "import boto3\nboto3.client('sagemaker').start_pipeline_execution(PipelineName='t')\n"
        },
        "monitoring_triggers_retraining",
        1,
        CODE,
    ),
    # governance
    row("codeowners", {".github/CODEOWNERS": "* @ml-team\n"}, "ownership", 1, NAME),
    row("model-card", {"MODEL_CARD.md": "# Churn model\n"}, "model_documentation", 1, NAME),
    row("dependabot", {".github/dependabot.yml": "version: 2\n"}, "dependency_updates", 1, NAME),
    row("renovate", {"renovate.json": "{}\n"}, "dependency_updates", 1, NAME),
]

test_detector_table = detector_table_test(TABLE)
