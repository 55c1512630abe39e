"""Data: validation gates, versioning, feature stores, automated preparation,
training-serving consistency."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs, invoked_scripts
from .common import code_hits, finding, first_hits, plural
from .imports import files_importing, first_per_path, imports, local_modules
from .mlcode import ml_files
from .orchestration import dvc_stages, orchestrated_files
from .paths import is_notebook, is_test_path

VALIDATORS: dict[str, str] = {
    "great_expectations": "Great Expectations",
    "pandera": "Pandera",
    "tensorflow_data_validation": "TensorFlow Data Validation",
    "deepchecks": "Deepchecks",
    "soda": "Soda",
    "pointblank": "Pointblank",
}
VALIDATION_CALLS = keywords(
    "validate(",
    "ExampleValidator(",
    "validate_statistics(",
    "run_checkpoint(",
    "checkpoint.run(",
    ".expect_",
    "DataFrameSchema(",
    "DataFrameModel",
    "SchemaModel",
    "infer_schema(",
    "data_integrity(",
    "scan.execute(",
    "add_sodacl",
)
SCHEMA_GEN = keywords("SchemaGen(", "StatisticsGen(")
VALIDATION_IN_CI = re.compile(
    r"\b(great_expectations|gx) (checkpoint|suite)|\bsoda scan\b|validate[_-]?data|"
    r"data[_-]?validation"
)
VERSIONING = keywords(
    "import lakefs",
    "lakefs_client",
    "lakefs://",
    "DeltaTable",
    'format("delta")',
    "format('delta')",
    "versionAsOf",
    "python_pachyderm",
    "dvc.api",
    "deeplake",
    # Azure ML registers each new state of a dataset as a version
    "create_new_version=True",
)
FEATURE_STORES = keywords(
    "import feast",
    "from feast",
    "FeatureStore(",
    "import tecton",
    "from tecton",
    "hopsworks",
    "hsfs",
    "featureform",
    "FeatureStoreClient",
    "databricks.feature_store",
    "databricks.feature_engineering",
    "sagemaker.feature_store",
    "FeatureGroup(",
    "Featurestore",
    "FeatureOnlineStore",
    "get_online_features(",
    "get_historical_features(",
)
PREPARATION_COMPONENTS = keywords(
    "ExampleGen(",
    "Transform(",
    "ProcessingStep(",
    "preprocess",
    "prepare",
    "ingest",
    "feature_engineering",
    "featurize",
    "make_dataset",
    "load_data",
    "clean_data",
    "extract",
)
# ``baseline_step = ProcessingStep(...)`` computes a model monitor's baseline statistics: a
# processing step, but no data preparation. (A notebook that prepares data and also builds a
# pipeline prepares it by hand, cell by cell: only pipeline code counts.)
MONITORING_BASELINE = re.compile(r"baseline|monitor", re.I)
TRANSFORM_CONSISTENCY = keywords(
    "tensorflow_transform",
    "transform_graph",
    "TransformFeaturesLayer",
    "tft_layer",
    "tft.TFTransformOutput",
)
MODEL_LOAD = keywords(
    "joblib.load(",
    "pickle.load(",
    "torch.load(",
    "load_model(",
    "from_pretrained(",
    "InferenceSession(",
    "saved_model.load(",
    "cloudpickle.load(",
    "Booster(model_file",
)
SKLEARN_PIPELINE = keywords("Pipeline([", "make_pipeline(", "ColumnTransformer(")
PREPARE_STAGE = re.compile(
    r"prep|ingest|extract|featur|clean|split|load|process|etl|transform", re.I
)
PREPARE_SCRIPT = re.compile(
    r"(^|/)(prepare|preprocess|preprocessing|ingest|make_dataset|etl|data_prep|"
    r"build_features|featurize|feature_engineering)[\w-]*\.py$"
)
WEB_FRAMEWORKS = (
    "fastapi",
    "flask",
    "flask_restx",
    "flask_restful",
    "flask_restplus",
    "starlette",
    "litestar",
    "bentoml",
    "ray.serve",
    "grpc",
    "sanic",
    "aiohttp.web",
    "kserve",
    "tornado",
)


@register
def data_validation_tools(snapshot: RepositorySnapshot) -> list[Finding]:
    """A data validation gate: validation libraries used, TFX ExampleValidator, CI checks."""
    findings = []
    calls = {hit.path: hit for hit in reversed(code_hits(snapshot, *VALIDATION_CALLS, tests=True))}
    for prefix, tool in VALIDATORS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        used = [calls[s.path] for s in sites if s.path in calls]
        if used:
            where = "in tests" if is_test_path(used[0].path) else "before training"
            grade = 0.5 if is_test_path(used[0].path) else 1
            findings.append(
                finding(
                    "data_validation",
                    grade,
                    Strength.CODE,
                    f"{tool} validates data {where}.",
                    used[0],
                )
            )
        elif sites:
            findings.append(
                finding(
                    "data_validation",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no validation call was found.",
                    sites[0],
                )
            )
    for hit in code_hits(snapshot, "ExampleValidator(")[:1]:
        findings.append(
            finding(
                "data_validation",
                1,
                Strength.CODE,
                "TFX ExampleValidator stops the pipeline on schema anomalies.",
                hit,
            )
        )
    for hit in code_hits(snapshot, *SCHEMA_GEN)[:1]:
        findings.append(
            finding(
                "data_validation",
                0.5,
                Strength.CODE,
                "The pipeline computes statistics and a schema of the data.",
                hit,
            )
        )
    for config in ci_configs(snapshot):
        for number, _ in config.search(VALIDATION_IN_CI)[:1]:
            findings.append(
                finding(
                    "data_validation",
                    1,
                    Strength.CI_CONFIG,
                    "CI validates the data.",
                    config.path,
                    number,
                )
            )
    schema_files = snapshot.matching(
        "*schema.pbtxt",
        "*great_expectations.yml",
        "*gx/great_expectations.yml",
        "*expectations/*.json",
        "*data_schema*.json",
        "*data_schema*.yaml",
        "*schema*.yaml",
    )
    for entry in schema_files[:1]:
        findings.append(
            finding(
                "data_validation",
                0.5,
                Strength.FILE_NAME,
                f"A data schema or expectation suite is versioned ({entry.path}).",
                entry.path,
            )
        )
    return findings


@register
def data_versioning_tools(snapshot: RepositorySnapshot) -> list[Finding]:
    """Data versioning and lineage: DVC, lakeFS, Delta time travel, Pachyderm, LFS."""
    findings = []
    dvc_files = snapshot.with_suffix(".dvc")
    dvc_pipeline = snapshot.named("dvc.yaml", "dvc.lock")
    dvc_config = [e for e in snapshot.files if e.path == ".dvc/config"]
    if dvc_files or dvc_pipeline or dvc_config:
        first = (dvc_pipeline + dvc_files + dvc_config)[0].path
        detail = f" ({plural(len(dvc_files), 'tracked data file')})" if dvc_files else ""
        findings.append(
            finding(
                "data_versioning",
                1,
                Strength.FILE_NAME,
                f"Data is versioned with DVC{detail}.",
                first,
            )
        )
    for hit in first_hits(code_hits(snapshot, *VERSIONING))[:2]:
        findings.append(
            finding(
                "data_versioning",
                1,
                Strength.CODE,
                "Data is read from or registered in a versioned store (lakeFS, Delta, DVC API,"
                " Pachyderm, Azure ML datasets).",
                hit,
            )
        )
    for entry in snapshot.named(".gitattributes", evidence_only=False)[:1]:
        text = snapshot.read_text(entry) or ""
        if re.search(r"\.(csv|parquet|tsv|jsonl|arrow|feather|h5|npy|npz)\S*\s.*filter=lfs", text):
            findings.append(
                finding(
                    "data_versioning",
                    0.5,
                    Strength.FILE_NAME,
                    "Data files are stored with Git LFS (versioned, without lineage).",
                    entry.path,
                )
            )
    return findings


@register
def feature_stores(snapshot: RepositorySnapshot) -> list[Finding]:
    """Feature store definitions or clients."""
    findings = []
    for entry in snapshot.named("feature_store.yaml", "feature_store.yml")[:1]:
        findings.append(
            finding(
                "feature_store",
                1,
                Strength.FILE_NAME,
                "A Feast feature repository is configured.",
                entry.path,
            )
        )
    for hit in first_hits(code_hits(snapshot, *FEATURE_STORES))[:2]:
        findings.append(
            finding(
                "feature_store",
                1,
                Strength.CODE,
                "Features are defined in or read from a feature store.",
                hit,
            )
        )
    return findings


@register
def data_preparation_steps(snapshot: RepositorySnapshot) -> list[Finding]:
    """Data extraction and preparation run as pipeline steps, not by hand."""
    findings = []
    stages = list(dvc_stages(snapshot).items())
    by_name = [item for item in stages if PREPARE_STAGE.search(item[0].split(":", 1)[1])]
    by_command = [item for item in stages if PREPARE_STAGE.search(_command(item[1]))]
    for key, _stage in (by_name or by_command)[:1]:
        path, name = key.split(":", 1)
        findings.append(
            finding(
                "data_extraction_automation",
                1,
                Strength.CODE,
                f"dvc.yaml runs data preparation as a stage ({name}).",
                path,
            )
        )
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(
        h
        for h in code_hits(snapshot, *PREPARATION_COMPONENTS)
        if h.path in orchestrated
        and not is_notebook(h.path)
        and not MONITORING_BASELINE.search(h.text)
    )[:1]:
        findings.append(
            finding(
                "data_extraction_automation",
                1,
                Strength.CODE,
                f"The {orchestrated[hit.path]} pipeline has a data preparation step.",
                hit,
            )
        )
    invoked = invoked_scripts(snapshot)
    for entry in snapshot.evidence:
        if PREPARE_SCRIPT.search(entry.path) and not is_test_path(entry.path):
            if entry.path in invoked:
                config, line = invoked[entry.path]
                findings.append(
                    finding(
                        "data_extraction_automation",
                        1,
                        Strength.CI_CONFIG,
                        f"CI runs the data preparation script {entry.path}.",
                        config.path,
                        line,
                    )
                )
            else:
                findings.append(
                    finding(
                        "data_extraction_automation",
                        0.5,
                        Strength.FILE_NAME,
                        f"A data preparation script exists ({entry.path}); it is run by hand.",
                        entry.path,
                    )
                )
            break
    return findings


@register
def transform_consistency(snapshot: RepositorySnapshot) -> list[Finding]:
    """Training and serving share one transformation, so features cannot drift apart."""
    findings = []
    tfx_files = {path for path, tool in orchestrated_files(snapshot).items() if tool == "TFX"}
    transforms = code_hits(snapshot, *TRANSFORM_CONSISTENCY) + [
        hit for hit in code_hits(snapshot, "Transform(") if hit.path in tfx_files
    ]
    for hit in first_hits(transforms)[:1]:
        findings.append(
            finding(
                "training_serving_consistency",
                1,
                Strength.CODE,
                "tf.Transform exports the preprocessing graph used by training and serving.",
                hit,
            )
        )
    online = snapshot.paths_with("get_online_features(")
    offline = snapshot.paths_with("get_historical_features(")
    if online and offline:
        findings.append(
            finding(
                "training_serving_consistency",
                1,
                Strength.CODE,
                "The feature store serves the same features to training and serving.",
                sorted(online)[0],
            )
        )
    shared = _shared_module(snapshot)
    if shared:
        module, training, serving = shared
        findings.append(
            finding(
                "training_serving_consistency",
                1,
                Strength.CODE,
                f"{module} is imported by both training ({training}) and serving ({serving}).",
                serving,
            )
        )
    pipelines = snapshot.paths_with(*SKLEARN_PIPELINE) & set(ml_files(snapshot))
    for path in sorted(pipelines)[:1]:
        findings.append(
            finding(
                "training_serving_consistency",
                0.5,
                Strength.CODE,
                "Preprocessing is saved inside the model pipeline (scikit-learn Pipeline).",
                path,
            )
        )
    return findings


def _command(stage: Mapping[object, object]) -> str:
    command = stage.get("cmd", "")
    return " ".join(map(str, command)) if isinstance(command, list) else str(command)


def serving_files(snapshot: RepositorySnapshot) -> list[str]:
    """Files that expose a web or RPC service and load a model."""

    def compute() -> list[str]:
        loaders = snapshot.paths_with(*MODEL_LOAD)
        web = {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS)}
        return sorted(p for p in web & loaders if not is_test_path(p))

    return snapshot.memo("serving_files", compute)


def _shared_module(snapshot: RepositorySnapshot) -> tuple[str, str, str] | None:
    table = imports(snapshot)
    local = local_modules(snapshot)
    training = [
        p
        for p in ml_files(snapshot)
        if "train" in p.lower() and not is_test_path(p) and p.endswith(".py")
    ]
    for serving in serving_files(snapshot):
        serving_local = {
            m.split(".")[0] for m in table.get(serving, {}) if m.split(".")[0] in local
        }
        for train in training:
            if train == serving:
                continue
            common = serving_local & {m.split(".")[0] for m in table.get(train, {})}
            common -= {"config", "settings", "utils", "logger", "logging_utils"}
            if common:
                return sorted(common)[0], train, serving
    return None
