"""Features: feature stores, and one transformation shared by training and serving."""

from __future__ import annotations

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, finding, first_hits
from ..imports import imports, local_modules
from ..mlcode import ml_files
from ..orchestration import orchestrated_files
from ..paths import is_test_path
from ..servingcode import serving_files

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
TRANSFORM_CONSISTENCY = keywords(
    "tensorflow_transform",
    "transform_graph",
    "TransformFeaturesLayer",
    "tft_layer",
    "tft.TFTransformOutput",
)
SKLEARN_PIPELINE = keywords("Pipeline([", "make_pipeline(", "ColumnTransformer(")


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
