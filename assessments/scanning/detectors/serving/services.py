"""Prediction services: web services, model servers, managed endpoints, batch scoring, apps."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, first_hits
from ..imports import files_importing, first_per_path, import_chain, imports, module_matches
from ..javascript import js_api_routes
from ..mlcode import declared_llm_imports
from ..paths import basename, is_test_path
from ..servingcode import MODEL_LOAD, WEB_FRAMEWORKS, serving_files

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
    "nemoguardrails",
)
BATCH_SCRIPT = re.compile(r"(^|/)(predict|score|scoring|batch|inference|infer)[\w-]*\.py$")


def _top_folder(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def llm_files(snapshot: RepositorySnapshot) -> set[str]:
    """Code files that call a hosted or local large language model."""

    def compute() -> set[str]:
        found = {
            path
            for path, modules in imports(snapshot).items()
            if not is_test_path(path)
            and any(
                module_matches(m, LLM_CLIENTS) or m.startswith(("langchain_", "llama_index"))
                for m in modules
            )
        }
        found |= {s.path for s in declared_llm_imports(snapshot) if not is_test_path(s.path)}
        return found

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
    for site in js_api_routes(snapshot)[:1]:
        findings.append(
            finding(
                "prediction_service",
                1,
                Strength.CODE,
                "A web API route answers requests with a language model.",
                site.path,
                site.line,
            )
        )
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
