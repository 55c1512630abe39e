"""Monitoring wired back to retraining: detected drift or an alarm starts the training pipeline."""

from __future__ import annotations

import re

from ...tree import Hit, RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs
from ..common import code_hits, config_hits, finding, first_hits
from ..imports import files_importing, import_chain
from ..mlcode import ml_files
from ..paths import basename, is_test_path
from ..servingcode import WEB_FRAMEWORKS
from .monitoring import CLOUD_MONITORS, DRIFT_TOOLS

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
CI_DRIFT = re.compile(r"drift", re.I)
CI_TRAINING = re.compile(
    r"retrain\w*\.py|train[\w/-]*\.py|dvc repro|run[_-]pipeline|dvc exp run", re.I
)
SAYING = re.compile(r"^\s*(-\s*)?(echo|print|name\s*:|displayName\s*:|description\s*:)", re.I)


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
