"""Serving and monitoring: prediction services, prediction logging, drift monitoring, and
monitoring wired back to retraining."""

from __future__ import annotations

import re

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs
from .common import (
    basename,
    code_hits,
    config_hits,
    files_importing,
    finding,
    first_hits,
    first_per_path,
    is_test_path,
    ml_files,
)
from .data import MODEL_LOAD, serving_files

SERVING_FRAMEWORKS = keywords(
    "@bentoml.service",
    "bentoml.Service(",
    "@bentoml.api",
    "@svc.api",
    "@serve.deployment",
    "kserve.Model",
    "BaseHandler",
    "ts.torch_handler",
    "seldon_core",
    "def model_fn(",
    "def predict_fn(",
    "def input_fn(",
    "mlflow models serve",
    "tensorflow/serving",
    "tritonserver",
    "kind: InferenceService",
    "kind: SeldonDeployment",
)
PREDICT = keywords(".predict(", ".predict_proba(")
DEMO_APPS = ("gradio", "streamlit")
CAPTURE = keywords(
    "DataCaptureConfig(",
    "enable_request_response_logging",
    "request_response_logging",
    "auto_capture_config",
    "inference_table",
    "log_prediction",
    "prediction_log",
    "predictions_log",
    "log_predictions",
    "inference_log",
    "PredictionLog",
    "save_prediction",
    "store_prediction",
    "write_prediction",
)
LOGGED_PREDICTION = re.compile(r"\b(logger|logging|log)\.(info|debug|warning)\(.*predict", re.I)
DRIFT_TOOLS: dict[str, str] = {
    "evidently": "Evidently",
    "whylogs": "whylogs",
    "nannyml": "NannyML",
    "alibi_detect": "Alibi Detect",
    "frouros": "Frouros",
    "arize": "Arize",
    "fiddler": "Fiddler",
    "deepchecks": "Deepchecks",
}
CLOUD_MONITORS = keywords(
    "DefaultModelMonitor(",
    "ModelQualityMonitor(",
    "ModelBiasMonitor(",
    "MonitoringSchedule",
    "create_monitoring_schedule(",
    "ModelDeploymentMonitoringJob",
    "ModelMonitoringAlertConfig",
    "model_monitoring",
    "MonitorDefinition(",
    "MonitorSchedule(",
    "DataDriftSignal(",
    "DataDriftPreset",
    "data_drift",
    "drift_detect",
)
OPERATIONAL = keywords(
    "prometheus_client",
    "prometheus_fastapi_instrumentator",
    "Instrumentator(",
    "kind: PrometheusRule",
    "alertmanager",
    "opentelemetry",
)
RETRAIN_CALLS = keywords(
    "start_pipeline_execution(",
    "trigger_dag(",
    "dagRuns",
    "TriggerDagRunOperator",
    "create_run_from_pipeline",
    "run_pipeline(",
    "repository_dispatch",
    "workflow_dispatch",
    "dvc exp run",
    "retrain",
    "PipelineJob(",
    "StartPipelineExecution",
)
DRIFT_WORDS = re.compile(r"drift|monitor", re.I)
BATCH_SCRIPT = re.compile(r"(^|/)(predict|score|scoring|batch|inference|infer)[\w-]*\.py$")


@register
def prediction_services(snapshot: RepositorySnapshot) -> list[Finding]:
    """A service or batch job that loads the model and answers predictions."""
    findings = []
    for path in serving_files(snapshot)[:2]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "A web service loads the model and serves predictions.",
                path,
            )
        )
    for hit in first_hits(
        code_hits(snapshot, *SERVING_FRAMEWORKS) + config_hits(snapshot, *SERVING_FRAMEWORKS)
    )[:2]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "A model server (BentoML, Ray Serve, KServe, TorchServe, SageMaker, Triton or"
                " TF Serving) serves the model.",
                hit,
            )
        )
    for entry in snapshot.named("bentofile.yaml", "config.pbtxt")[:1]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.FILE_NAME,
                f"{basename(entry.path)} packages the model for a model server.",
                entry.path,
            )
        )
    loaders = snapshot.paths_with(*MODEL_LOAD)
    predicts = snapshot.paths_with(*PREDICT)
    for entry in snapshot.evidence:
        if (
            BATCH_SCRIPT.search(entry.path)
            and entry.path in loaders
            and entry.path in predicts
            and not is_test_path(entry.path)
        ):
            findings.append(
                finding(
                    "prediction_service",
                    0.5,
                    Strength.CODE,
                    f"A batch scoring script loads the model and predicts ({entry.path}).",
                    entry.path,
                )
            )
            break
    for site in first_per_path(files_importing(snapshot, *DEMO_APPS))[:1]:
        if site.path in loaders:
            findings.append(
                finding(
                    "prediction_service",
                    0.5,
                    Strength.CODE,
                    "A demo app (Gradio or Streamlit) serves the model.",
                    site,
                )
            )
    return findings


@register
def prediction_logs(snapshot: RepositorySnapshot) -> list[Finding]:
    """Requests and predictions are captured for monitoring and retraining."""
    findings = []
    for hit in first_hits(code_hits(snapshot, *CAPTURE) + config_hits(snapshot, *CAPTURE))[:2]:
        findings.append(
            finding(
                "prediction_logging",
                1,
                Strength.CODE,
                "Requests and predictions are captured.",
                hit,
            )
        )
    serving = set(serving_files(snapshot))
    for path in sorted(serving) if not findings else ():
        # Logging calls are too common to index; only the few serving files are read.
        text = snapshot.read_text(path) or ""
        match = LOGGED_PREDICTION.search(text)
        if match:
            findings.append(
                finding(
                    "prediction_logging",
                    0.5,
                    Strength.CODE,
                    "The service writes predictions to its application log.",
                    path,
                    text.count("\n", 0, match.start()) + 1,
                )
            )
            break
    return findings


@register
def drift_monitoring(snapshot: RepositorySnapshot) -> list[Finding]:
    """Drift and performance monitoring of the model in production."""
    findings = []
    for prefix, tool in DRIFT_TOOLS.items():
        sites = [
            s for s in first_per_path(files_importing(snapshot, prefix)) if not is_test_path(s.path)
        ]
        if prefix == "deepchecks":
            sites = [s for s in sites if "drift" in s.module.lower()]
        for site in sites[:1]:
            findings.append(
                finding(
                    "monitoring",
                    1,
                    Strength.CODE,
                    f"{tool} monitors data or prediction drift.",
                    site,
                )
            )
    for hit in first_hits(
        code_hits(snapshot, *CLOUD_MONITORS) + config_hits(snapshot, *CLOUD_MONITORS)
    )[:1]:
        findings.append(
            finding(
                "monitoring",
                1,
                Strength.CODE,
                "A model monitoring job checks drift or quality in production.",
                hit,
            )
        )
    for config in ci_configs(snapshot):
        if "schedule" in config.triggers:
            hits = config.search(DRIFT_WORDS)
            if hits:
                findings.append(
                    finding(
                        "monitoring",
                        1,
                        Strength.CI_CONFIG,
                        "CI runs a monitoring check on a schedule.",
                        config.path,
                        hits[0][0],
                    )
                )
    if not findings:
        for hit in first_hits(
            code_hits(snapshot, *OPERATIONAL) + config_hits(snapshot, *OPERATIONAL)
        )[:1]:
            findings.append(
                finding(
                    "monitoring",
                    0.5,
                    Strength.CODE,
                    "Operational metrics are exported, but model drift is not monitored.",
                    hit,
                )
            )
    return findings


@register
def retraining_on_alerts(snapshot: RepositorySnapshot) -> list[Finding]:
    """Monitoring closes the loop: detected drift starts the training pipeline."""
    findings = []
    monitoring_paths = {
        s.path for prefix in DRIFT_TOOLS for s in files_importing(snapshot, prefix)
    } | snapshot.paths_with(*CLOUD_MONITORS)
    for hit in code_hits(snapshot, *RETRAIN_CALLS) + config_hits(snapshot, *RETRAIN_CALLS):
        if hit.path in monitoring_paths:
            findings.append(
                finding(
                    "monitoring_triggers_retraining",
                    1,
                    Strength.CODE,
                    "Detected drift starts the training pipeline.",
                    hit,
                )
            )
            break
    ml = set(ml_files(snapshot))
    for config in ci_configs(snapshot):
        drift = config.search(DRIFT_WORDS)
        retrain = [
            (n, t)
            for n, t in config.lines
            if re.search(r"retrain|train[\w/-]*\.py|dvc repro|run[_-]pipeline", t, re.I)
        ]
        if drift and retrain and ml:
            findings.append(
                finding(
                    "monitoring_triggers_retraining",
                    1,
                    Strength.CI_CONFIG,
                    "CI retrains when its monitoring step detects drift.",
                    config.path,
                    drift[0][0],
                )
            )
            break
    return findings
