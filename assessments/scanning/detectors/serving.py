"""Serving and monitoring: prediction services, prediction logging, drift monitoring, and
monitoring wired back to retraining."""

from __future__ import annotations

import re

from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs
from .common import code_hits, config_hits, finding, first_hits
from .imports import files_importing, first_per_path, imports, module_matches
from .mlcode import ml_files
from .paths import basename, is_test_path
from .servingcode import MODEL_LOAD, WEB_FRAMEWORKS, serving_files

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
# A model served from a managed endpoint: created by a deploy call or a template, or invoked.
ENDPOINT_CALLS = keywords(
    "invoke_endpoint(",
    "create_endpoint(",
    "get_deploy_client(",
    "ManagedOnlineDeployment(",
    "AciWebservice",
    "deploy_to_endpoint(",
)
ENDPOINT_TEMPLATES = keywords(
    "AWS::SageMaker::Endpoint",
    "aws_sagemaker_endpoint",
    "online-deployment create",
)
DEPLOY_CALL = keywords(".deploy(")
CLOUD_SDKS = ("sagemaker", "google.cloud.aiplatform", "azureml", "azure.ai.ml")
# Task runners are not in the line index; their recipes are read when small.
TASK_RUNNERS = ("justfile", "taskfile.yml", "taskfile.yaml")
SERVE_COMMANDS = re.compile(
    r"\b(mlflow models serve|mlflow deployments create|bentoml serve|torchserve --start"
    r"|serve run)\b"
)
# Hosted or local large language models answering requests.
LLM_CLIENTS = (
    "openai",
    "anthropic",
    "langchain",
    "llama_index",
    "llama_cpp",
    "vllm",
    "ollama",
    "litellm",
    "cohere",
    "mistralai",
    "google.generativeai",
    "google.genai",
)
CAPTURE = keywords(
    "DataCaptureConfig(",
    "DataCaptureConfig:",
    "data_capture_config",
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
)
# Writing predictions out is the output of a batch job as often as a log of what a service
# answered: these count only in the code a service runs.
WRITTEN_PREDICTIONS = keywords("save_prediction", "store_prediction", "write_prediction")
# A service's code storing what it was asked and answered: ``log_inference(...)``,
# ``write_inference_data(...)``, ``backend.save(model_input, model_output)``.
STORED_PREDICTION = re.compile(
    r"\b(?:write|save|store|log|insert|persist|record|capture)_\w*?"
    r"(?:prediction|inference|request)\w*\(|"
    r"\.(?:save|store|insert|put_item)\([^)\n]*\b(?:model_output|predictions?)\b",
    re.I,
)
SERVING_WORDS = frozenset(
    {"inference", "serving", "serve", "server", "predict", "predictor", "handler", "api", "app"}
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
# TFDV comparing new (serving) statistics with a baseline: drift and skew detection, when a
# job does it (a notebook exploring a dataset's spans monitors nothing).
TFDV_DRIFT = keywords(
    "previous_statistics=",
    "serving_statistics=",
    "drift_comparator",
    "skew_comparator",
)
OPERATIONAL = keywords(
    "prometheus_client",
    "prometheus_fastapi_instrumentator",
    "Instrumentator(",
    "kind: PrometheusRule",
    "alertmanager",
    "opentelemetry",
)
# Metrics of a managed endpoint or serving function that alarms watch.
ENDPOINT_ALARMS = keywords(
    "Invocation5XXErrors",
    "Invocation4XXErrors",
    "ModelLatency",
    # CloudFormation alarms on the serving function's or API's errors and latency
    "MetricName: Errors",
    "MetricName: 5XXError",
    "MetricName: Latency",
)
# A permission to list monitoring schedules (``sagemaker:ListMonitoringSchedules``) monitors
# nothing.
IAM_ACTION = re.compile(r"\b[a-z0-9-]+:[A-Z]\w*Monitoring")
# Calls that start a training pipeline run (a bare word "retrain" starts nothing: a print
# placeholder or a "Pretrained" model name were taken for retraining).
RETRAIN_CALLS = keywords(
    "start_pipeline_execution(",
    "trigger_dag(",
    "dagRuns",
    "TriggerDagRunOperator",
    "create_run_from_pipeline",
    "run_pipeline(",
    "repository_dispatch",
    "dvc exp run",
    "PipelineJob(",
    "StartPipelineExecution",
    "launchPipelineExecution",
    "launchRun",
    "api/v0/pipelines",
    "run_deployment(",
    "create_flow_run_from_deployment",
)
ALARM_EVENTS = keywords("CloudWatch Alarm State Change")
PIPELINE_TARGET = re.compile(r"arn:aws:codepipeline|:pipeline/|SageMakerPipelineParameters")
RETRAIN_ROUTE = re.compile(r"""(route|post|get|put)\(\s*["'][^"']*retrain""", re.I)
DRIFT_WORDS = re.compile(r"drift|monitor", re.I)
CI_DRIFT = re.compile(r"drift", re.I)
CI_TRAINING = re.compile(
    r"retrain\w*\.py|train[\w/-]*\.py|dvc repro|run[_-]pipeline|dvc exp run", re.I
)
SAYING = re.compile(r"^\s*(-\s*)?(echo|print|name\s*:|displayName\s*:|description\s*:)", re.I)
BATCH_SCRIPT = re.compile(r"(^|/)(predict|score|scoring|batch|inference|infer)[\w-]*\.py$")


def _module_index(snapshot: RepositorySnapshot) -> dict[str, list[str]]:
    """Dotted names a repository file can be imported by (``pkg.mod``, ``mod``) -> its paths."""

    def compute() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for entry in snapshot.evidence:
            if not entry.path.endswith(".py"):
                continue
            parts = entry.path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            for start in range(len(parts)):
                index.setdefault(".".join(parts[start:]), []).append(entry.path)
        return index

    return snapshot.memo("serving_module_index", compute)


def local_imports(snapshot: RepositorySnapshot, path: str) -> list[str]:
    """The repository files ``path`` imports; a sibling module wins over a same-named one
    elsewhere, as Python's path would have it when the script runs from its folder."""
    index = _module_index(snapshot)
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    found: list[str] = []
    for module in imports(snapshot).get(path, {}):
        candidates = [c for c in index.get(module, ()) if c != path]
        siblings = [c for c in candidates if c.rsplit("/", 1)[0] == folder or "/" not in c]
        for candidate in (siblings or candidates)[:3]:
            if candidate not in found:
                found.append(candidate)
    return found


def import_chain(
    snapshot: RepositorySnapshot, start: str, targets: set[str], *, hops: int = 3
) -> list[str]:
    """How ``start`` reaches one of ``targets`` through local imports (both ends included),
    or an empty list when it does not within ``hops`` imports."""
    parents: dict[str, str] = {start: ""}
    frontier = [start]
    for _ in range(hops):
        following = []
        for path in frontier:
            for imported in local_imports(snapshot, path):
                if imported in parents or is_test_path(imported):
                    continue
                parents[imported] = path
                if imported in targets:
                    chain = [imported]
                    while parents[chain[-1]]:
                        chain.append(parents[chain[-1]])
                    return chain[::-1]
                following.append(imported)
        frontier = following
    return []


def _top_folder(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def llm_files(snapshot: RepositorySnapshot) -> set[str]:
    """Code files that call a hosted or local large language model."""

    def compute() -> set[str]:
        return {
            path
            for path, modules in imports(snapshot).items()
            if not is_test_path(path)
            and any(
                module_matches(m, LLM_CLIENTS) or m.startswith(("langchain_", "llama_index"))
                for m in modules
            )
        }

    return snapshot.memo("llm_files", compute)


def _served_elsewhere(snapshot: RepositorySnapshot) -> list[Finding]:
    """Web services whose model is loaded in another module (a router importing a model
    module, an app object the routes share), and apps answering with a language model."""
    findings: list[Finding] = []
    direct = set(serving_files(snapshot))
    loaders = {p for p in snapshot.paths_with(*MODEL_LOAD) if not is_test_path(p)}
    predicts = snapshot.paths_with(*PREDICT)
    web = [
        s.path
        for s in first_per_path(files_importing(snapshot, *WEB_FRAMEWORKS))
        if not is_test_path(s.path) and s.path not in direct
    ]
    for path in web:
        chain = import_chain(snapshot, path, loaders)
        # Loading is not serving: something between the routes and the loader predicts.
        loader = chain[-1] if any(p in predicts for p in chain) else None
        if loader is None and path in predicts:
            # The routes call the model; it is loaded elsewhere in the same project.
            loader = next((p for p in sorted(loaders) if _top_folder(p) == _top_folder(path)), None)
        if loader:
            findings.append(
                finding(
                    "prediction_service",
                    1,
                    Strength.CODE,
                    f"A web service serves a model loaded in another module ({loader}).",
                    path,
                )
            )
            break
    llms = llm_files(snapshot)
    apps = [(path, 1.0) for path in web] + [
        (s.path, 0.5)
        for s in first_per_path(files_importing(snapshot, *DEMO_APPS))
        if not is_test_path(s.path)
    ]
    for path, grade in apps:
        if path in llms or import_chain(snapshot, path, llms):
            findings.append(
                finding(
                    "prediction_service",
                    grade,
                    Strength.CODE,
                    "A web service or app answers requests with a language model.",
                    path,
                )
            )
            break
    return findings


def _managed_endpoints(snapshot: RepositorySnapshot) -> list[Finding]:
    """A model deployed to, or invoked on, a managed endpoint (SageMaker, Vertex, Azure ML)."""
    findings: list[Finding] = []
    for hit in first_hits(code_hits(snapshot, *ENDPOINT_CALLS))[:1]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "The model is served from a managed endpoint (deployed or invoked in code).",
                hit,
            )
        )
    sdk_files = {s.path for s in files_importing(snapshot, *CLOUD_SDKS)}
    for hit in [h for h in code_hits(snapshot, *DEPLOY_CALL) if h.path in sdk_files][:1]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "A cloud SDK deploys the model to an endpoint.",
                hit,
            )
        )
    for hit in first_hits(config_hits(snapshot, *ENDPOINT_TEMPLATES + ENDPOINT_CALLS))[:1]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "Infrastructure code or a CLI step creates a model endpoint.",
                hit,
            )
        )
    for entry in snapshot.named(*TASK_RUNNERS):
        text = snapshot.read_text(entry, limit=64 * 1024) or ""
        match = SERVE_COMMANDS.search(text)
        if match:
            findings.append(
                finding(
                    "prediction_service",
                    1,
                    Strength.CODE,
                    f"A {basename(entry.path)} recipe serves the model ({match.group(1)}).",
                    entry.path,
                    text.count("\n", 0, match.start()) + 1,
                )
            )
            break
    return findings


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
    return findings + _served_elsewhere(snapshot) + _managed_endpoints(snapshot)


def _looks_served(path: str) -> bool:
    """A folder or module named for serving: ``inference/``, ``api/``, ``serve.py``..."""
    segments = path[:-3].split("/") if path.endswith(".py") else []
    return any(word in SERVING_WORDS for seg in segments for word in re.split(r"[_\W]+", seg))


def service_code(snapshot: RepositorySnapshot, *, limit: int = 60) -> list[str]:
    """The code a prediction service runs: serving files, web apps and modules named for
    serving, with the local modules they import (two hops)."""

    def compute() -> list[str]:
        web = {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS)}
        named = {e.path for e in snapshot.evidence if _looks_served(e.path)}
        roots = sorted(
            p for p in set(serving_files(snapshot)) | web | named if not is_test_path(p)
        )[:limit]
        found = dict.fromkeys(roots)
        frontier = roots
        for _ in range(2):
            frontier = [
                i for p in frontier for i in local_imports(snapshot, p) if not is_test_path(i)
            ]
            found.update(dict.fromkeys(frontier))
        return list(found)[:limit]

    return snapshot.memo("service_code", compute)


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
    service = service_code(snapshot)
    served = set(service)
    for hit in [h for h in code_hits(snapshot, *WRITTEN_PREDICTIONS) if h.path in served][:1]:
        findings.append(
            finding(
                "prediction_logging",
                1,
                Strength.CODE,
                "The service stores the predictions it makes.",
                hit,
            )
        )
    for path in service if not findings else ():
        # Storage calls are too common to index; only the service's own code is read.
        text = snapshot.read_text(path, limit=256 * 1024) or ""
        match = STORED_PREDICTION.search(text)
        if match:
            findings.append(
                finding(
                    "prediction_logging",
                    1,
                    Strength.CODE,
                    "The service stores its requests and predictions.",
                    path,
                    text.count("\n", 0, match.start()) + 1,
                )
            )
            break
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
    monitors = code_hits(snapshot, *CLOUD_MONITORS) + config_hits(snapshot, *CLOUD_MONITORS)
    monitors += [h for h in code_hits(snapshot, *TFDV_DRIFT) if h.path.endswith(".py")]
    for hit in first_hits(h for h in monitors if not IAM_ACTION.search(h.text))[:1]:
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
    return findings


@register
def serving_health(snapshot: RepositorySnapshot) -> list[Finding]:
    """Errors and latency of the prediction service exported to a monitoring system.

    Service metrics (Prometheus, OpenTelemetry, endpoint error alarms) watch the serving
    path, not the model: they are no drift monitoring.
    """
    hits = code_hits(snapshot, *OPERATIONAL) + config_hits(snapshot, *OPERATIONAL)
    hits += config_hits(snapshot, *ENDPOINT_ALARMS) + code_hits(snapshot, *ENDPOINT_ALARMS)
    return [
        finding(
            "serving_health_monitoring",
            1,
            Strength.CODE,
            "The prediction service's errors and latency are exported to monitoring.",
            hit,
        )
        for hit in first_hits(hits)[:1]
    ]


def _launchers(snapshot: RepositorySnapshot) -> dict[str, Hit]:
    return {
        hit.path: hit
        for hit in reversed(
            code_hits(snapshot, *RETRAIN_CALLS) + config_hits(snapshot, *RETRAIN_CALLS)
        )
    }


@register
def retraining_on_alerts(snapshot: RepositorySnapshot) -> list[Finding]:
    """Monitoring closes the loop: detected drift starts the training pipeline."""
    findings = []
    drift_scripts = {
        s.path
        for prefix in DRIFT_TOOLS
        for s in files_importing(snapshot, prefix)
        if not is_test_path(s.path)
    }
    monitoring_paths = drift_scripts | snapshot.paths_with(*CLOUD_MONITORS)
    launchers = _launchers(snapshot)
    for path, hit in sorted(launchers.items()):
        if path in monitoring_paths:
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
    findings += _alert_rules_start_pipelines(snapshot)
    findings += _retrain_webhooks(snapshot, set(launchers))
    findings += _pipelines_retraining_on_drift(snapshot, drift_scripts, set(launchers))
    ml = set(ml_files(snapshot))
    for config in ci_configs(snapshot):
        # Words in an echo or a step name do nothing: only commands count.
        commands = [(n, t) for n, t in config.lines if not SAYING.search(t)]
        drift = [(n, t) for n, t in commands if CI_DRIFT.search(t)]
        retrain = [(n, t) for n, t in commands if CI_TRAINING.search(t)]
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


def _alert_rules_start_pipelines(snapshot: RepositorySnapshot) -> list[Finding]:
    """An event rule on a monitoring alarm whose target is the training pipeline."""
    for hit in first_hits(config_hits(snapshot, *ALARM_EVENTS)):
        text = snapshot.read_text(hit.path, limit=512 * 1024) or ""
        block = text.split("\n")[max(0, (hit.line or 1) - 20) : (hit.line or 1) + 30]
        if any(PIPELINE_TARGET.search(line) for line in block):
            return [
                finding(
                    "monitoring_triggers_retraining",
                    1,
                    Strength.CODE,
                    "An alarm rule starts the training pipeline.",
                    hit,
                )
            ]
    return []


def _retrain_webhooks(snapshot: RepositorySnapshot, launchers: set[str]) -> list[Finding]:
    """A service route an alert calls (``/retrain``) that starts the training pipeline."""
    web = sorted(
        {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS) if not is_test_path(s.path)}
    )
    for path in web:
        text = snapshot.read_text(path, limit=512 * 1024) or ""
        match = RETRAIN_ROUTE.search(text)
        if match and (path in launchers or import_chain(snapshot, path, launchers)):
            return [
                finding(
                    "monitoring_triggers_retraining",
                    1,
                    Strength.CODE,
                    "An alert webhook (a /retrain route) starts the training pipeline.",
                    path,
                    text.count("\n", 0, match.start()) + 1,
                )
            ]
    return []


def _pipelines_retraining_on_drift(
    snapshot: RepositorySnapshot, drift_scripts: set[str], launchers: set[str]
) -> list[Finding]:
    """A pipeline definition with a drift-detection step followed by one that starts the
    training pipeline (a Valohai or CI pipeline running two scripts)."""
    launch_scripts = {p for p in launchers if p.endswith(".py") and not is_test_path(p)}
    if not drift_scripts or not launch_scripts:
        return []
    candidates = [
        e.path for e in snapshot.with_suffix(".yaml", ".yml") if _is_pipeline_file(e.path)
    ]
    for path in candidates[:40]:
        text = snapshot.read_text(path, limit=256 * 1024) or ""
        drift = [p for p in drift_scripts if re.search(rf"\b{re.escape(basename(p))}\b", text)]
        launch = [p for p in launch_scripts if re.search(rf"\b{re.escape(basename(p))}\b", text)]
        if drift and launch:
            return [
                finding(
                    "monitoring_triggers_retraining",
                    1,
                    Strength.CODE,
                    f"A pipeline step runs {basename(launch[0])} to retrain after"
                    f" {basename(drift[0])} detects drift.",
                    path,
                )
            ]
    return []


def _is_pipeline_file(path: str) -> bool:
    name = basename(path).lower()
    return name.startswith("valohai") or "pipeline" in name or path.startswith(".github/")
