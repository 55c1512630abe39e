"""Pipeline: orchestrated training pipelines and what triggers them."""

from __future__ import annotations

import re

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs
from .common import code_hits, config_hits, finding, first_hits
from .orchestration import PIPELINE_SPECS, dvc_stages, orchestrated_files

DEFINITIONS = keywords(
    "@dsl.pipeline",
    "@pipeline",
    "DAG(",
    "@dag",
    "@flow",
    "@task",
    "@job",
    "@op",
    "@asset",
    "FlowSpec",
    "Pipeline(",
    "create_pipeline",
    "@step",
    "@workflow",
    "node(",
    "Operator(",
    "@dsl.component",
    "component(",
    "DagRunner",
    "Step(",
    "luigi.Task",
    "@component",
    "PipelineJob(",
    "Workflow(",
    "steps.states.Chain(",
)
SCHEDULES = keywords(
    "schedule_interval=",
    "schedule=",
    "ScheduleDefinition(",
    "@schedule",
    "CronSchedule(",
    "IntervalSchedule(",
    "cron=",
    "create_recurring_run(",
    "RecurringRun",
    "PipelineJobSchedule(",
    ".create_schedule(",
    "PipelineSchedule(",
    "Schedule(cron_expression",
    "CronTrigger(",
    "RecurrenceTrigger(",
    "JobSchedule(",
    "quartz_cron_expression",
    "schedule_expression",
    "ScheduleExpression:",
    "aws_cloudwatch_event_rule",
    "aws_scheduler_schedule",
    "google_cloud_scheduler_job",
    "gcloud scheduler jobs",
    "scheduler_v1",
    "kind: CronWorkflow",
    "kind: CronJob",
)
NEW_DATA = keywords(
    "FileSensor(",
    "S3KeySensor(",
    "GCSObjectExistenceSensor(",
    "GCSObjectUpdateSensor(",
    "ExternalTaskSensor(",
    "@sensor",
    "@asset_sensor",
    "pubsub_v1",
    "google.cloud.pubsub",
    "event_pattern",
    "eventarc",
    "cloud_event",
    "BlobTrigger",
    "EventGridTrigger",
    "file_arrival",
    "s3:ObjectCreated",
    "outlets=",
    "EventPattern:",
    # A cloud function or Lambda handler (Pub/Sub, S3, EventBridge) in a file that runs the pipeline
    "(event, context)",
)
PIPELINE_RUN = re.compile(
    r"\b(dvc (repro|exp run)|retrain|train(ing)?[\w/-]*\.py|train\b|run[_-]pipeline|"
    r"pipeline[\w/-]*\.py|PipelineJob|kfp|submit|tfx run|python -m [\w.]*(pipeline|train))",
    re.I,
)
DVC_REPRO = re.compile(r"\bdvc (repro|exp run)\b")
PIPELINE_CONTEXT = re.compile(r"train|pipeline|retrain|dag", re.I)


@register
def orchestrators(snapshot: RepositorySnapshot) -> list[Finding]:
    """Orchestrated training pipelines in code, compiled specs, DVC stages, or CI jobs."""
    findings = []
    files = orchestrated_files(snapshot)
    defining = {hit.path for hit in code_hits(snapshot, *DEFINITIONS)}
    per_tool: dict[str, list[str]] = {}
    for path, tool in sorted(files.items()):
        per_tool.setdefault(tool, []).append(path)
    for tool, paths in sorted(per_tool.items()):
        defined = [p for p in paths if p in defining]
        if defined:
            findings.append(
                finding(
                    "pipeline_orchestration",
                    1,
                    Strength.CODE,
                    f"Training steps are orchestrated with {tool}.",
                    defined[0],
                )
            )
        else:
            findings.append(
                finding(
                    "pipeline_orchestration",
                    0.5,
                    Strength.CODE,
                    f"{tool} is used, but no pipeline definition was found.",
                    paths[0],
                )
            )
    for hit in first_hits(config_hits(snapshot, *PIPELINE_SPECS))[:2]:
        findings.append(
            finding(
                "pipeline_orchestration",
                1,
                Strength.CODE,
                "A pipeline specification (Kubeflow, Argo, Azure ML or Databricks) is versioned.",
                hit,
            )
        )
    findings += _dvc_pipeline(snapshot)
    findings += _valohai_pipelines(snapshot)
    for config in ci_configs(snapshot):
        runs = config.search_work(PIPELINE_RUN)
        if runs and not config.search(DVC_REPRO):
            findings.append(
                finding(
                    "pipeline_orchestration",
                    0.5,
                    Strength.CI_CONFIG,
                    "A CI job runs the training steps in sequence.",
                    config.path,
                    runs[0][0],
                )
            )
    if not findings:
        for entry in snapshot.named("pipeline.py", "pipelines.py", "run_pipeline.py")[:1]:
            findings.append(
                finding(
                    "pipeline_orchestration",
                    0,
                    Strength.FILE_NAME,
                    f"{entry.path} chains steps in plain Python, without an orchestrator.",
                    entry.path,
                )
            )
    return findings


VALOHAI_PIPELINE = re.compile(r"^-\s*pipeline\s*:", re.M)


def _valohai_pipelines(snapshot: RepositorySnapshot) -> list[Finding]:
    """Valohai declares steps and the pipelines chaining them in valohai.yaml."""
    for entry in snapshot.named("valohai.yaml", "valohai.yml"):
        text = snapshot.read_text(entry, limit=512 * 1024) or ""
        match = VALOHAI_PIPELINE.search(text)
        if match:
            return [
                finding(
                    "pipeline_orchestration",
                    1,
                    Strength.CODE,
                    "Training steps are orchestrated as a Valohai pipeline.",
                    entry.path,
                    text.count("\n", 0, match.start()) + 1,
                )
            ]
    return []


def _dvc_pipeline(snapshot: RepositorySnapshot) -> list[Finding]:
    stages = dvc_stages(snapshot)
    if not stages:
        return []
    path = sorted(stages)[0].split(":", 1)[0]
    for config in ci_configs(snapshot):
        runs = config.search(DVC_REPRO)
        if runs:
            return [
                finding(
                    "pipeline_orchestration",
                    1,
                    Strength.CI_CONFIG,
                    f"CI reruns the DVC pipeline ({len(stages)} stages).",
                    config.path,
                    runs[0][0],
                )
            ]
    if len(stages) >= 2:
        return [
            finding(
                "pipeline_orchestration",
                0.5,
                Strength.CODE,
                f"dvc.yaml chains {len(stages)} stages, started by hand with dvc repro.",
                path,
            )
        ]
    return []


@register
def triggers(snapshot: RepositorySnapshot) -> list[Finding]:
    """What starts the pipeline: a schedule, new data or an event.

    Training rerun on every code change, or started by hand from CI, has no trigger of its
    own: that is CI or a manual run, not continuous training.
    """
    findings = []
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(h for h in code_hits(snapshot, *SCHEDULES) if h.path in orchestrated)[:2]:
        findings.append(
            finding(
                "pipeline_triggers",
                1,
                Strength.CODE,
                f"The {orchestrated[hit.path]} pipeline runs on a schedule.",
                hit,
            )
        )
    for hit in first_hits(config_hits(snapshot, *SCHEDULES))[:2]:
        if _about_pipelines(snapshot, hit.path):
            findings.append(
                finding(
                    "pipeline_triggers",
                    1,
                    Strength.CODE,
                    "A scheduler starts the training pipeline.",
                    hit,
                )
            )
    new_data = [h for h in code_hits(snapshot, *NEW_DATA) if h.path in orchestrated] + [
        h for h in config_hits(snapshot, *NEW_DATA) if _about_pipelines(snapshot, h.path)
    ]
    for hit in first_hits(new_data)[:1]:
        findings.append(
            finding(
                "pipeline_triggers",
                1,
                Strength.CODE,
                "New data or an event starts the pipeline.",
                hit,
            )
        )
    for config in ci_configs(snapshot):
        runs = config.search_work(PIPELINE_RUN)
        if not runs:
            continue
        if "schedule" in config.triggers:
            findings.append(
                finding(
                    "pipeline_triggers",
                    1,
                    Strength.CI_CONFIG,
                    "CI retrains on a schedule.",
                    config.path,
                    config.triggers["schedule"],
                )
            )
        elif "external_event" in config.triggers:
            findings.append(
                finding(
                    "pipeline_triggers",
                    1,
                    Strength.CI_CONFIG,
                    "An external event starts the training workflow.",
                    config.path,
                    config.triggers["external_event"],
                )
            )
    return findings


def _about_pipelines(snapshot: RepositorySnapshot, path: str) -> bool:
    """True when a config or code file talks about training or pipelines."""
    if path in orchestrated_files(snapshot):
        return True
    text = snapshot.read_text(path, limit=512 * 1024) or ""
    return bool(PIPELINE_CONTEXT.search(text))


ENVIRONMENT_CONFIG = re.compile(
    r"([\w./-]+?)[-_.](dev|development|test|staging|stage|qa|prod|production)"
    r"\.(ya?ml|json|tfvars|env|cfg)\b",
    re.I,
)


@register
def environment_configs(snapshot: RepositorySnapshot) -> list[Finding]:
    """One pipeline for every environment: CI runs the same pipeline definition and picks a
    configuration per environment (``config-infra-dev.yml``, ``config-infra-prod.yml``)."""
    for config in ci_configs(snapshot):
        variants: dict[str, set[str]] = {}
        first_line: dict[str, int] = {}
        for number, text in config.lines:
            for stem, environment, _ in ENVIRONMENT_CONFIG.findall(text):
                variants.setdefault(stem, set()).add(environment.lower()[:4])
                first_line.setdefault(stem, number)
        stems = sorted(stem for stem, found in variants.items() if len(found) >= 2)
        if stems and config.search_work(PIPELINE_RUN):
            return [
                finding(
                    "same_pipeline_across_environments",
                    1,
                    Strength.CI_CONFIG,
                    "CI runs one pipeline definition with a configuration per environment"
                    f" ({stems[0]}-*).",
                    config.path,
                    first_line[stems[0]],
                )
            ]
    return []
