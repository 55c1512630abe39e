"""Experimentation: experiment tracking, metadata store, reproducible training."""

from __future__ import annotations

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs
from .common import any_of, code_hits, config_hits, finding, first_hits, plural
from .environment import environment_pins
from .imports import files_importing, first_per_path
from .mlcode import ml_files
from .orchestration import orchestrated_files
from .paths import basename

# module prefix -> (tool name, calls that log runs)
TRACKERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mlflow": (
        "MLflow",
        keywords(
            "mlflow.log_",
            "mlflow.autolog(",
            "mlflow.start_run(",
            ".autolog(",
            "log_metric(",
            "log_param(",
            "log_metrics(",
            "log_params(",
        ),
    ),
    "wandb": ("Weights & Biases", keywords("wandb.init(", "wandb.log(", "run.log(")),
    "neptune": ("Neptune", keywords("neptune.init", "init_run(")),
    "comet_ml": ("Comet", keywords("Experiment(", "log_metric(")),
    "clearml": ("ClearML", keywords("Task.init(")),
    "dvclive": ("DVCLive", keywords("Live(", "live.log_metric(", "live.log_param")),
    "aim": ("Aim", keywords("Run(", "track(")),
    "sacred": ("Sacred", keywords("Experiment(", "@ex.")),
    "google.cloud.aiplatform": (
        "Vertex AI Experiments",
        keywords("start_run(", "log_metrics(", "log_params(", "experiment="),
    ),
    "sagemaker.experiments": ("SageMaker Experiments", keywords("Run(", "log_metric(")),
    "azureml.core": ("Azure ML runs", keywords("run.log(", "Run.get_context(")),
}
TENSORBOARD = keywords("SummaryWriter(", "tf.summary.", "TensorBoard(")
SAGEMAKER_TRIALS = keywords("experiment_config=", "TrialName", "TrialComponentDisplayName")
DVC_EXP = keywords("dvc exp run", "dvc exp push")
TRACKING_SERVER = keywords(
    "set_tracking_uri(",
    "MLFLOW_TRACKING_URI",
    "metadata_connection_config",
    "ml_metadata",
    "metadata_store_pb2",
    "sqlite_metadata_connection_config",
    "LineageConfig",
    "sagemaker.lineage",
)
SEEDS = keywords(
    "random.seed(",
    "np.random.seed(",
    "numpy.random.seed(",
    "torch.manual_seed(",
    "tf.random.set_seed(",
    "set_seed(",
    "seed_everything(",
    "random_state=",
    "set_random_seed(",
    "PYTHONHASHSEED",
    "torch.use_deterministic_algorithms",
)


@register
def experiment_trackers(snapshot: RepositorySnapshot) -> list[Finding]:
    """Runs logged to a tracker (imports plus logging calls), DVC experiments, TensorBoard."""
    findings = []
    for prefix, (tool, calls) in TRACKERS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        if not sites:
            continue
        paths = {s.path for s in sites}
        logging_calls = [h for h in code_hits(snapshot, *calls) if h.path in paths]
        if logging_calls:
            findings.append(
                finding(
                    "experiment_tracking",
                    1,
                    Strength.CODE,
                    f"{tool} records runs, parameters and metrics.",
                    logging_calls[0],
                )
            )
        elif prefix not in {"google.cloud.aiplatform", "azureml.core"}:
            findings.append(
                finding(
                    "experiment_tracking",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported but no logging call was found.",
                    sites[0],
                )
            )
    # SageMaker jobs started with ``experiment_config={"TrialName": ...}`` are recorded as
    # trial components of an experiment, without the SDK's tracking module.
    trial_files = {h.path for h in code_hits(snapshot, *SAGEMAKER_TRIALS[1:])}
    for hit in first_hits(
        h for h in code_hits(snapshot, SAGEMAKER_TRIALS[0]) if h.path in trial_files
    )[:1]:
        findings.append(
            finding(
                "experiment_tracking",
                1,
                Strength.CODE,
                "SageMaker Experiments records each training job as a trial.",
                hit,
            )
        )
    experiments = [ref for ref in snapshot.refs if ref.name.startswith("refs/exps/")]
    if experiments:
        findings.append(
            finding(
                "experiment_tracking",
                1,
                Strength.CODE,
                f"{plural(len(experiments), 'DVC experiment')} stored in git refs.",
                experiments[0].name,
            )
        )
    for config in ci_configs(snapshot):
        for number, _ in config.search(any_of(*DVC_EXP))[:1]:
            findings.append(
                finding(
                    "experiment_tracking",
                    1,
                    Strength.CI_CONFIG,
                    "CI runs DVC experiments.",
                    config.path,
                    number,
                )
            )
    for entry in snapshot.named("MLproject")[:1]:
        findings.append(
            finding(
                "experiment_tracking",
                0.5,
                Strength.FILE_NAME,
                "An MLproject file defines MLflow runs.",
                entry.path,
            )
        )
    # TensorBoard called from a tutorial notebook shows curves to a reader; in training code
    # it logs every run.
    for hit in [h for h in code_hits(snapshot, *TENSORBOARD) if h.path.endswith(".py")][:1]:
        findings.append(
            finding(
                "experiment_tracking",
                0.5,
                Strength.CODE,
                "TensorBoard logs metrics, but runs are not tracked across experiments.",
                hit,
            )
        )
    for path, tool in sorted(orchestrated_files(snapshot).items())[:1]:
        if tool in {"TFX", "Kubeflow Pipelines", "Vertex AI Pipelines", "ZenML", "Metaflow"}:
            findings.append(
                finding(
                    "experiment_tracking",
                    0.5,
                    Strength.CODE,
                    f"{tool} records every pipeline run with its parameters and artifacts.",
                    path,
                )
            )
    return findings


@register
def metadata_stores(snapshot: RepositorySnapshot) -> list[Finding]:
    """A metadata store: a shared tracking server, ML Metadata, lineage tracking."""
    findings = []
    for hit in (code_hits(snapshot, *TRACKING_SERVER) + config_hits(snapshot, *TRACKING_SERVER))[
        :2
    ]:
        findings.append(
            finding(
                "metadata_store",
                1,
                Strength.CODE,
                "Runs and artifacts are recorded in a shared metadata or tracking store.",
                hit,
            )
        )
    for path, tool in sorted(orchestrated_files(snapshot).items()):
        if tool in {
            "TFX",
            "Kubeflow Pipelines",
            "Vertex AI Pipelines",
            "SageMaker Pipelines",
            "Azure ML pipelines",
            "ZenML",
            "Metaflow",
            "Flyte",
        }:
            findings.append(
                finding(
                    "metadata_store",
                    0.5,
                    Strength.CODE,
                    f"{tool} keeps run metadata and lineage for each pipeline run.",
                    path,
                )
            )
            break
    return findings


@register
def training_reproducibility(snapshot: RepositorySnapshot) -> list[Finding]:
    """Reproducible training: dvc.lock, fixed seeds with a pinned environment, tracked runs."""
    findings = []
    for entry in snapshot.named("dvc.lock")[:1]:
        findings.append(
            finding(
                "reproducible_training",
                1,
                Strength.CODE,
                "dvc.lock records the hashes of code, data and parameters of every stage.",
                entry.path,
            )
        )
    ml = set(ml_files(snapshot))
    seeds = [hit for hit in code_hits(snapshot, *SEEDS) if hit.path in ml]
    pinned = any(f.grade == 1 for f in environment_pins(snapshot))
    if seeds:
        grade = 1 if pinned else 0.5
        reason = (
            "Random seeds are fixed and dependencies pinned."
            if pinned
            else "Random seeds are fixed, but the environment is not pinned."
        )
        findings.append(finding("reproducible_training", grade, Strength.CODE, reason, seeds[0]))
    elif pinned and ml:
        findings.append(
            finding(
                "reproducible_training",
                0.5,
                Strength.CODE,
                "Dependencies are pinned, but no random seed is fixed.",
                sorted(ml)[0],
            )
        )
    for path, tool in sorted(orchestrated_files(snapshot).items())[:1]:
        if tool in {
            "TFX",
            "Kubeflow Pipelines",
            "Vertex AI Pipelines",
            "SageMaker Pipelines",
            "ZenML",
            "Metaflow",
            "Flyte",
            "Kedro",
        }:
            findings.append(
                finding(
                    "reproducible_training",
                    0.5,
                    Strength.CODE,
                    f"{tool} runs record their inputs and code version.",
                    path,
                )
            )
    for entry in snapshot.named("MLproject")[:1]:
        findings.append(
            finding(
                "reproducible_training",
                0.5,
                Strength.FILE_NAME,
                f"{basename(entry.path)} declares entry points and their environment.",
                entry.path,
            )
        )
    return findings
