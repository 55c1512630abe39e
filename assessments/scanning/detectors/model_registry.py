"""Validation and registry: model validation gates, model registries, rollback paths."""

from __future__ import annotations

import re

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs
from .common import code_hits, config_hits, finding, first_hits, plural, safe_yaml

GATES = keywords(
    "MetricThreshold",
    "GenericValueThreshold",
    "GenericChangeThreshold",
    "ConditionStep(",
    "ConditionGreaterThan",
    "ConditionLessThan",
    "dsl.Condition(",
    "dsl.If(",
    "validation_thresholds",
    "blessing",
    "champion",
    "challenger",
    "is_better",
    "better_than",
    "baseline_metric",
    "production_model",
    "min_accuracy",
    "accuracy_threshold",
    "metric_threshold",
    "passes_threshold",
)
EVALUATOR = keywords("Evaluator(", "eval_config")
METRICS_IN_CI = re.compile(r"\bdvc metrics (diff|show)\b|\bdvc plots diff\b|\bcml (comment|send)")
REGISTRY_CALLS = keywords(
    "register_model(",
    "registered_model_name=",
    "create_registered_model(",
    "create_model_version(",
    "set_registered_model_alias(",
    "transition_model_version_stage(",
    "ModelPackageGroup",
    "RegisterModel(",
    "model_package_group_name",
    "Model.upload(",
    "ModelUploadOp",
    "upload_model(",
    "models.create_or_update(",
    "Model.register(",
    "link_model(",
    "link_artifact(",
    "init_model_version(",
    "OutputModel(",
)
REGISTRY_LIGHT = keywords("push_to_hub(", "Pusher(", "bentoml.models.", "models:/")
REGISTRY_IN_CI = re.compile(
    r"\bgto (register|assign|annotate)\b|\bgcloud ai models upload\b|\baz ml model create\b|"
    r"\bmlflow models? .*register|\bregister[_-]model"
)
ROLLBACK = keywords(
    "set_registered_model_alias(",
    "transition_model_version_stage(",
    "archive_existing_versions",
    "AutoRollbackConfiguration",
    "kind: Rollout",
    "rollout undo",
    "helm rollback",
)
ROLLBACK_IN_CI = re.compile(r"\brollback\b|rollout undo|helm rollback", re.I)
MODELS_URI = re.compile(r"models:/[\w.-]+(@\w+|/(Production|Staging|Champion|latest))", re.I)
GTO_TAG = re.compile(r"^refs/tags/([\w.-]+(/[\w.-]+)*)@v?\d+(\.\d+)*|^refs/tags/[\w.-]+#\w+#\d+")
STAGE_TAG = re.compile(r"^refs/tags/[\w./-]+#\w+(#\d+)?$")


@register
def model_validation_gates(snapshot: RepositorySnapshot) -> list[Finding]:
    """Models are checked against thresholds or the production model before promotion.

    Computing metrics is evaluation, not validation: without a threshold or a comparison that
    can stop the model, nothing is gated, not even in part.
    """
    findings = []
    evaluators = {hit.path for hit in code_hits(snapshot, *EVALUATOR)}
    gates = [hit for hit in code_hits(snapshot, *GATES) if "models:/" not in hit.text]
    for hit in first_hits(gates)[:2]:
        tool = "TFX Evaluator" if hit.path in evaluators else "The pipeline"
        findings.append(
            finding(
                "model_validation",
                1,
                Strength.CODE,
                f"{tool} compares the new model with thresholds or the production model.",
                hit,
            )
        )
    gate_paths = {hit.path for hit in gates}
    for path in sorted(evaluators - gate_paths)[:1]:
        findings.append(
            finding(
                "model_validation",
                0.5,
                Strength.CODE,
                "A TFX Evaluator computes metrics, without a blessing threshold.",
                path,
            )
        )
    for config in ci_configs(snapshot):
        for number, _ in config.search(METRICS_IN_CI)[:1]:
            findings.append(
                finding(
                    "model_validation",
                    0.5,
                    Strength.CI_CONFIG,
                    "CI reports model metrics for review, but does not gate on them.",
                    config.path,
                    number,
                )
            )
    return findings


@register
def model_registries(snapshot: RepositorySnapshot) -> list[Finding]:
    """Model versions go to a registry (MLflow, SageMaker, Vertex, Azure ML, W&B, GTO, DVC)."""
    findings = []
    for hit in first_hits(code_hits(snapshot, *REGISTRY_CALLS))[:2]:
        findings.append(
            finding(
                "model_registry",
                1,
                Strength.CODE,
                "Trained models are registered as versions in a model registry.",
                hit,
            )
        )
    tags = [ref for ref in snapshot.refs if GTO_TAG.match(ref.name)]
    if tags:
        findings.append(
            finding(
                "model_registry",
                1,
                Strength.CODE,
                f"{plural(len(tags), 'registry tag')} (name@version) version the models.",
                tags[0].name,
            )
        )
    for entry in snapshot.named("artifacts.yaml")[:1]:
        findings.append(
            finding(
                "model_registry",
                1,
                Strength.FILE_NAME,
                "GTO artifacts.yaml declares the registered models.",
                entry.path,
            )
        )
    for entry in snapshot.named("dvc.yaml"):
        data = safe_yaml(snapshot.read_text(entry))
        artifacts = data.get("artifacts") if isinstance(data, dict) else None
        if isinstance(artifacts, dict) and any(
            isinstance(a, dict) and a.get("type") == "model" for a in artifacts.values()
        ):
            findings.append(
                finding(
                    "model_registry",
                    1,
                    Strength.CODE,
                    "dvc.yaml declares model artifacts for the DVC model registry.",
                    entry.path,
                )
            )
            break
    for config in ci_configs(snapshot):
        for number, _ in config.search(REGISTRY_IN_CI)[:1]:
            findings.append(
                finding(
                    "model_registry",
                    1,
                    Strength.CI_CONFIG,
                    "CI registers model versions.",
                    config.path,
                    number,
                )
            )
    if not findings:
        for hit in first_hits(code_hits(snapshot, *REGISTRY_LIGHT))[:1]:
            findings.append(
                finding(
                    "model_registry",
                    0.5,
                    Strength.CODE,
                    "Models are pushed to a versioned location, without a registry's stages.",
                    hit,
                )
            )
    return findings


@register
def rollback_paths(snapshot: RepositorySnapshot) -> list[Finding]:
    """A previous model can be brought back: aliases, stages, rollout tooling, scripts."""
    findings = []
    for hit in first_hits(code_hits(snapshot, *ROLLBACK) + config_hits(snapshot, *ROLLBACK))[:2]:
        findings.append(
            finding(
                "model_rollback",
                1,
                Strength.CODE,
                "Registry aliases or rollout tooling let serving switch back to a previous model.",
                hit,
            )
        )
    for hit in code_hits(snapshot, "models:/"):
        if MODELS_URI.search(hit.text):
            findings.append(
                finding(
                    "model_rollback",
                    1,
                    Strength.CODE,
                    "Serving loads the model by registry alias or stage, so rolling back is"
                    " re-pointing it.",
                    hit,
                )
            )
            break
    stage_tags = [ref for ref in snapshot.refs if STAGE_TAG.match(ref.name)]
    if stage_tags:
        findings.append(
            finding(
                "model_rollback",
                1,
                Strength.CODE,
                "Stage tags (name#stage) record which model version each environment runs.",
                stage_tags[0].name,
            )
        )
    for config in ci_configs(snapshot):
        for number, _ in config.search(ROLLBACK_IN_CI)[:1]:
            findings.append(
                finding(
                    "model_rollback",
                    1,
                    Strength.CI_CONFIG,
                    "CI has a rollback job.",
                    config.path,
                    number,
                )
            )
    for entry in snapshot.matching("*rollback*")[:1]:
        findings.append(
            finding(
                "model_rollback",
                0.5,
                Strength.FILE_NAME,
                f"A rollback script exists ({entry.path}).",
                entry.path,
            )
        )
    return findings
