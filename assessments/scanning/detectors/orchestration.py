"""Pipeline facts several families read: orchestrated files, pipeline specs, DVC stages."""

from __future__ import annotations

from collections.abc import Mapping

from ..tree import RepositorySnapshot
from .base import keywords
from .common import code_hits, safe_yaml
from .imports import files_importing, first_per_path
from .paths import is_test_path

ORCHESTRATORS: dict[str, str] = {
    "kfp": "Kubeflow Pipelines",
    "tfx": "TFX",
    "airflow": "Airflow",
    "prefect": "Prefect",
    "dagster": "Dagster",
    "zenml": "ZenML",
    "metaflow": "Metaflow",
    "kedro": "Kedro",
    "flytekit": "Flyte",
    "sagemaker.workflow": "SageMaker Pipelines",
    "azure.ai.ml.dsl": "Azure ML pipelines",
    "azureml.pipeline": "Azure ML pipelines",
    "luigi": "Luigi",
    "mage_ai": "Mage",
    "clearml.automation": "ClearML pipelines",
    "ray.workflow": "Ray Workflows",
    "stepfunctions": "AWS Step Functions",
}
VERTEX_PIPELINE = keywords("PipelineJob(")
PIPELINE_SPECS = keywords(
    "pipelineSpec",
    "deploymentSpec",
    "argoproj.io/",
    "type: pipeline",
    "notebook_task",
    "spark_python_task",
    "python_wheel_task",
)


def orchestrated_files(snapshot: RepositorySnapshot) -> dict[str, str]:
    """Non-test files that define or drive an orchestrated pipeline -> orchestrator name."""

    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        for prefix, tool in ORCHESTRATORS.items():
            for site in first_per_path(files_importing(snapshot, prefix)):
                if not is_test_path(site.path):
                    found.setdefault(site.path, tool)
        vertex = {s.path for s in files_importing(snapshot, "google.cloud.aiplatform")}
        for hit in code_hits(snapshot, *VERTEX_PIPELINE):
            if hit.path in vertex:
                found.setdefault(hit.path, "Vertex AI Pipelines")
        return found

    return snapshot.memo("orchestrated_files", compute)


def dvc_stages(snapshot: RepositorySnapshot) -> dict[str, Mapping[object, object]]:
    """Stages of every dvc.yaml (name -> definition), parsed leniently."""

    def compute() -> dict[str, Mapping[object, object]]:
        stages: dict[str, Mapping[object, object]] = {}
        for entry in snapshot.named("dvc.yaml"):
            data = safe_yaml(snapshot.read_text(entry))
            if isinstance(data, dict) and isinstance(data.get("stages"), dict):
                for name, stage in data["stages"].items():
                    if isinstance(stage, dict):
                        stages[f"{entry.path}:{name}"] = stage
        return stages

    return snapshot.memo("dvc_stages", compute)
