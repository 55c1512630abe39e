"""Tools only declared as dependencies, which no code imports: mentions, not evidence of use."""

from __future__ import annotations

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, register
from ..common import finding
from ..dependencies import declared
from ..imports import import_sites_by_top_module

# Tools whose presence in a dependency list is only a mention (grade 0): declared, maybe unused.
DECLARED_TOOLS = {
    "mlflow": "experiment_tracking",
    "wandb": "experiment_tracking",
    "neptune": "experiment_tracking",
    "neptune-client": "experiment_tracking",
    "comet-ml": "experiment_tracking",
    "clearml": "experiment_tracking",
    "dvclive": "experiment_tracking",
    "dvc": "data_versioning",
    "great-expectations": "data_validation",
    "pandera": "data_validation",
    "tensorflow-data-validation": "data_validation",
    "deepchecks": "data_validation",
    "soda-core": "data_validation",
    "feast": "feature_store",
    "hopsworks": "feature_store",
    "tecton": "feature_store",
    "kfp": "pipeline_orchestration",
    "tfx": "pipeline_orchestration",
    "apache-airflow": "pipeline_orchestration",
    "prefect": "pipeline_orchestration",
    "dagster": "pipeline_orchestration",
    "zenml": "pipeline_orchestration",
    "metaflow": "pipeline_orchestration",
    "kedro": "pipeline_orchestration",
    "flytekit": "pipeline_orchestration",
    "evidently": "monitoring",
    "whylogs": "monitoring",
    "nannyml": "monitoring",
    "alibi-detect": "monitoring",
    "locust": "pre_deployment_checks",
    "bentoml": "prediction_service",
}
# Import names that differ from the package name.
MODULE_OF_PACKAGE = {"neptune-client": "neptune", "apache-airflow": "airflow", "soda-core": "soda"}


@register
def declared_tools(snapshot: RepositorySnapshot) -> list[Finding]:
    """Tools that are only declared as dependencies are mentions, not evidence of use."""
    findings = []
    imported = set(import_sites_by_top_module(snapshot))
    for package, capability in sorted(DECLARED_TOOLS.items()):
        module_name = MODULE_OF_PACKAGE.get(package, package.replace("-", "_"))
        if module_name in imported:
            continue
        for dependency in declared(snapshot, package)[:1]:
            findings.append(
                finding(
                    capability,
                    0,
                    Strength.MENTION,
                    f"{package} is a declared dependency but no code imports it.",
                    dependency.path,
                    dependency.line,
                )
            )
    return findings
