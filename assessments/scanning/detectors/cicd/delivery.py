"""Continuous delivery: CI or the pipeline delivers the training pipeline and new models."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import invoked_scripts
from ..common import code_hits, config_hits, finding, first_hits
from ..orchestration import orchestrated_files
from .configs import ci_name, delivering_configs

PIPELINE_DEPLOY_CI = re.compile(
    r"dsl-compile|kfp (pipeline|run) (upload|create|submit)|tfx pipeline (create|update|compile)|"
    r"tfx run create|(compile|deploy|upload|submit|publish)[_-]pipeline|"
    r"pipeline[_-](deploy|upload|submit|upsert|compile)|az ml job create|"
    r"prefect (deploy|deployment)|dagster[- ](cloud )?deploy|"
    r"zenml (pipeline (run|deploy|build)|deploy)|"
    r"argo-workflows create|step-functions create|databricks bundle deploy|pyflyte register|"
    r"flytectl register|airflow .*dags|"
    # DAG files copied to the Airflow server or Composer bucket
    r"\b(gsutil|scp|rsync|aws s3 (cp|sync)|az storage|composer environments storage)\b.*\bdags\b",
    re.I,
)
PIPELINE_DEPLOY_CODE = keywords(
    "Compiler().compile(",
    "compiler.Compiler(",
    "upload_pipeline(",
    "upload_pipeline_version(",
    ".submit(",
    "create_run_from_pipeline_func(",
    "create_run_from_pipeline_package(",
    ".upsert(",
    ".publish(",
    "get_cloudformation_template(",
    "KubeflowV2DagRunner(",
    "KubeflowDagRunner(",
    "jobs.create_or_update(",
    "to_deployment(",
    "Deployment.build_from_flow(",
    ".deploy(",
    ".serve(",
    "compile(pipeline_func",
    "package_path=",
)
PIPELINE_OBJECT = re.compile(r"pipeline\w*\.(upsert|publish|submit|deploy)\(", re.I)
# Of those, the calls that turn pipeline code into a deliverable definition.
PIPELINE_COMPILE_CODE = (
    "Compiler().compile(",
    "compiler.Compiler(",
    "upload_pipeline(",
    "upload_pipeline_version(",
    "create_run_from_pipeline_package(",
    ".upsert(",
    ".publish(",
    "get_cloudformation_template(",
    "KubeflowV2DagRunner(",
    "KubeflowDagRunner(",
    "compile(pipeline_func",
)
GENERIC_METHODS = (".upsert(", ".publish(")
MODEL_DEPLOY_CI = re.compile(
    r"deploy-model|online-deployment|online-endpoint|(create|update)-endpoint|serving-endpoints|"
    r"endpoints deploy|gcloud run deploy|mlflow deployments|mlflow models (serve|build-docker)|"
    r"bentoml (deploy|containerize)|kubectl (apply|set image)|helm (upgrade|install)|"
    r"deploy[_-]?model|deploy[\w-]*\.(py|sh)|make deploy|\bdeploy\b",
    re.I,
)
MODEL_CONTEXT = re.compile(r"model|endpoint|serving|inference|predict", re.I)
MODEL_DEPLOY_CODE = keywords(
    "Pusher(",
    "ModelDeployOp",
    "EndpointCreateOp",
    "endpoint.deploy(",
    "model.deploy(",
    "create_endpoint(",
    "update_endpoint(",
    "online_deployments.begin_create_or_update",
    "deploy_model(",
    "create_inference_endpoint",
)
REGISTRY_EVENTS = keywords(
    "RegistryWebhooksClient",
    "MODEL_VERSION_TRANSITIONED_STAGE",
    "MODEL_VERSION_CREATED",
    "registry-webhooks",
    "Model Package State Change",
    "ModelPackageStateChange",
)
SERVING_MANIFESTS = keywords(
    "kind: InferenceService",
    "kind: SeldonDeployment",
    "aws_sagemaker_endpoint",
    "google_vertex_ai_endpoint",
    "kind: ServingRuntime",
)


@register
def pipeline_delivery(snapshot: RepositorySnapshot) -> list[Finding]:
    """Pipeline CD: CI compiles, uploads or deploys the training pipeline.

    Run by hand, a script that compiles or uploads the pipeline definition is delivery done
    by hand (0.5). One that deploys, serves or submits something is not: ``model.deploy()``,
    ``flow.serve()`` or a deployment applied from a laptop delivers a model or a run, not the
    pipeline through CD.
    """
    findings = []
    for config in delivering_configs(snapshot):
        for number, _ in config.search_work(PIPELINE_DEPLOY_CI)[:1]:
            findings.append(
                finding(
                    "pipeline_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} compiles and deploys the training pipeline.",
                    config.path,
                    number,
                )
            )
    orchestrated = orchestrated_files(snapshot)
    # ``pipeline.upsert(...)`` deploys a pipeline even from a file that imports no
    # orchestrator itself (the pipeline object is built in another module).
    deployers = first_hits(
        h
        for h in code_hits(snapshot, *PIPELINE_DEPLOY_CODE)
        if h.path in orchestrated or PIPELINE_OBJECT.search(h.text)
    )
    invoked = invoked_scripts(snapshot)
    for hit in deployers:
        if hit.path in invoked:
            config, line = invoked[hit.path]
            findings.append(
                finding(
                    "pipeline_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} runs {hit.path}, which compiles and submits the pipeline.",
                    config.path,
                    line,
                )
            )
    if not findings:
        compilers = [h for h in deployers if _compiles_pipeline(h.text)]
        for hit in compilers[:1]:
            findings.append(
                finding(
                    "pipeline_cd",
                    0.5,
                    Strength.CODE,
                    "A script compiles or uploads the pipeline definition; it is run by hand.",
                    hit,
                )
            )
    return findings


def _compiles_pipeline(text: str) -> bool:
    """``compiler.Compiler().compile(...)``, ``pipeline.upsert(...)``; a vector index's
    ``index.upsert(...)`` is no pipeline."""
    if any(word in text for word in PIPELINE_COMPILE_CODE):
        return bool(PIPELINE_OBJECT.search(text)) or not any(
            word in text for word in GENERIC_METHODS
        )
    return False


@register
def model_delivery(snapshot: RepositorySnapshot) -> list[Finding]:
    """Model CD: the pipeline or CI deploys new models, ideally on registry events or tags.

    A deploy script someone runs from a laptop is how a level-0 team hands a model over: it
    is no delivery pipeline, not even in part (a CI job started by hand is, in part).
    """
    findings = []
    for config in delivering_configs(snapshot):
        deploys = [
            (n, t)
            for n, t in config.search(MODEL_DEPLOY_CI)
            if not t.startswith(("name:", "- name:"))
        ]
        if not deploys or not any(MODEL_CONTEXT.search(text) for _, text in config.lines):
            continue
        if "external_event" in config.triggers or "tag" in config.triggers:
            how = "when a model version is registered or tagged"
        elif config.runs_on_change:
            how = "on every change"
        elif "schedule" in config.triggers:
            how = "on a schedule"
        else:
            # ``workflow_dispatch``, ``trigger: none`` or a template nobody includes
            how = "when started by hand"
        findings.append(
            finding(
                "model_cd",
                1 if how != "when started by hand" else 0.5,
                Strength.CI_CONFIG,
                f"{ci_name(config)} deploys the model {how}.",
                config.path,
                deploys[0][0],
            )
        )
    orchestrated = orchestrated_files(snapshot)
    invoked = invoked_scripts(snapshot)
    for hit in first_hits(code_hits(snapshot, *MODEL_DEPLOY_CODE)):
        if hit.path in orchestrated:
            findings.append(
                finding(
                    "model_cd",
                    1,
                    Strength.CODE,
                    "The pipeline deploys the validated model to serving.",
                    hit,
                )
            )
        elif hit.path in invoked:
            config, line = invoked[hit.path]
            findings.append(
                finding(
                    "model_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} runs {hit.path}, which deploys the model.",
                    config.path,
                    line,
                )
            )
        if len(findings) >= 3:
            break
    for hit in first_hits(
        code_hits(snapshot, *REGISTRY_EVENTS) + config_hits(snapshot, *REGISTRY_EVENTS)
    )[:1]:
        findings.append(
            finding(
                "model_cd",
                1,
                Strength.CODE,
                "A registry event (new or promoted model version) triggers deployment.",
                hit,
            )
        )
    for hit in first_hits(config_hits(snapshot, *SERVING_MANIFESTS))[:1]:
        findings.append(
            finding(
                "model_cd", 0.5, Strength.CODE, "Serving is declared as a deployable manifest.", hit
            )
        )
    return findings
