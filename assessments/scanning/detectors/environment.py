"""Code and environment: ML code in git, packaging, pinned environments, containers,
configuration outside code, infrastructure as code, and tools only declared as dependencies."""

from __future__ import annotations

import posixpath
import re
from collections import Counter

from ..gitobjects import TreeEntry
from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .common import code_hits, config_hits, finding, first_hits, plural
from .dependencies import declared, dependencies
from .imports import import_sites_by_top_module, imports, local_modules
from .mlcode import ml_files
from .orchestration import PIPELINE_SPECS, orchestrated_files
from .paths import basename, is_notebook, is_test_path

MODEL_BINARY_SUFFIXES = (
    ".pkl",
    ".pickle",
    ".joblib",
    ".h5",
    ".hdf5",
    ".keras",
    ".onnx",
    ".pt",
    ".pth",
    ".ckpt",
    ".safetensors",
    ".tflite",
    ".mar",
    ".sav",
    ".pmml",
    ".ubj",
    ".cbm",
    ".xgb",
    ".gguf",
    ".ggml",
    ".mlmodel",
    ".caffemodel",
    ".pdparams",
)
# Formats that hold models as often as anything else: a model only when the name says so.
AMBIGUOUS_MODEL_SUFFIXES = (".bin", ".pb", ".npz", ".msgpack")
# One layer of compression or archiving does not hide a model (model.ubj.zip, model.tar.gz).
ARCHIVE_SUFFIXES = (".zip", ".gz", ".bz2", ".xz", ".lzma", ".zst", ".z", ".tar", ".tgz")
MODEL_NAME = re.compile(
    r"model|weights|checkpoint|classifier|regressor|estimator|vectori[sz]er", re.I
)
LFS_POINTER = b"version https://git-lfs"
LFS_POINTER_MAX_BYTES = 1024

DOCKER_FROM = keywords("FROM ")
CONFIG_CODE = keywords(
    "@hydra.main",
    "hydra.compose",
    "OmegaConf",
    "gin.configurable",
    "ml_collections",
    "BaseSettings",
    "yaml.safe_load(",
    "tomllib.load",
    "configparser",
)
CLI_ARGS = keywords("argparse", "ArgumentParser(", "@click.", "typer.")
# Scripts named for a pipeline step (prep.py, train_model.py, evaluate/evaluate.py...).
STEP_SCRIPT = re.compile(
    r"(^|[_-])(prep|prepare|preprocess|ingest|extract|featur\w*|clean|split|transform|"
    r"process|train|tune|evaluate|eval|validate|register|deploy|score|scoring|predict|"
    r"inference|infer|monitor)",
    re.I,
)
# Shared helpers every pipeline imports; they say nothing about how its steps are split.
HELPER_MODULES = frozenset(
    {"config", "settings", "utils", "util", "helpers", "constants", "logger", "logging_utils"}
)
COMPONENTS = keywords(
    "@dsl.component",
    "@component",
    "@dsl.container_component",
    "components.",
    "@task",
    "@op",
    "@asset",
    "@step",
    "create_component_from_func",
    "load_component_from_file",
)
PIPELINE_PARAMETERS = keywords(
    "RuntimeParameter(",
    "parameter_values=",
    "ParameterString(",
    "ParameterInteger(",
    "ParameterFloat(",
    "custom_config=",
    "pipeline_parameters",
    "Parameter(",
)
ENV_CONFIG = keywords("os.environ", "os.getenv(")
TERRAFORM = keywords('resource "', "AWSTemplateFormatVersion", "Pulumi", "aws_cdk")
# CloudFormation and SAM templates need no AWSTemplateFormatVersion; their resources say AWS::.
CLOUDFORMATION = keywords("AWS::")
CLOUDFORMATION_RESOURCE = re.compile(r"""^["']?Type["']?\s*:\s*["']?AWS::\w+::""")
CONTAINER_STEPS = keywords(
    "base_image=",
    "@dsl.container_component",
    "ContainerOp(",
    "image_uri=",
    "KubeflowV2DagRunner",
    "KubeflowDagRunner",
    "container_image",
    "ContainerSpec",
)

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pipfile.lock",
    "pdm.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "requirements-lock.txt",
    "pixi.lock",
)
ENVIRONMENT_SEGMENTS = frozenset(
    {
        "dev",
        "development",
        "staging",
        "stage",
        "prod",
        "production",
        "preprod",
        "qa",
        "uat",
        "test",
        "sandbox",
    }
)

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
def ml_code_tracked(snapshot: RepositorySnapshot) -> list[Finding]:
    """ML code in git is the level-0 baseline; committed model binaries are a smell."""
    findings = []
    files = ml_files(snapshot)
    if files:
        notebooks = sum(1 for path in files if is_notebook(path))
        detail = f" ({plural(notebooks, 'notebook')})" if notebooks else ""
        findings.append(
            finding(
                "version_control",
                1,
                Strength.CODE,
                f"{plural(len(files), 'file')} with ML code tracked in git{detail}.",
                files[0],
            )
        )
    for entry in model_binaries(snapshot)[:5]:
        findings.append(
            finding(
                "version_control",
                0,
                Strength.FILE_NAME,
                "A model binary is committed to git instead of a registry or artifact store.",
                entry,
            )
        )
    return findings


def model_binaries(snapshot: RepositorySnapshot) -> list[str]:
    """Committed model files, however small (size unknown counts: it was too big).

    Test fixtures, notebook checkpoints, empty files and Git LFS pointers are not models
    committed to git."""

    def compute() -> list[str]:
        return [
            e.path
            for e in snapshot.files
            if is_model_file_name(e.path)
            and e.size != 0
            and not is_test_path(e.path)
            and "/.ipynb_checkpoints/" not in e.path
            and not _is_lfs_pointer(snapshot, e)
        ]

    return snapshot.memo("model_binaries", compute)


def is_model_file_name(path: str) -> bool:
    name = basename(path).lower()
    stripped = name
    while stripped.endswith(ARCHIVE_SUFFIXES) and "." in stripped:
        stripped = stripped.rsplit(".", 1)[0]
    if stripped.endswith(MODEL_BINARY_SUFFIXES):
        return True
    stem = stripped.rsplit(".", 1)[0]
    if stripped.endswith(AMBIGUOUS_MODEL_SUFFIXES) or stripped != name:
        return bool(MODEL_NAME.search(stem))
    return False


def _is_lfs_pointer(snapshot: RepositorySnapshot, entry: TreeEntry) -> bool:
    if entry.size is None or entry.size > LFS_POINTER_MAX_BYTES:
        return False
    return (snapshot.read_bytes(entry) or b"").startswith(LFS_POINTER)


@register
def packaging(snapshot: RepositorySnapshot) -> list[Finding]:
    """Modular code: a package with a build definition beats loose scripts and notebooks."""
    findings = []
    manifests = [
        e
        for e in snapshot.named("pyproject.toml", "setup.py", "setup.cfg")
        if e.path.count("/") <= 2
    ]
    packages = sorted(
        {
            posixpath.dirname(e.path)
            for e in snapshot.named("__init__.py")
            if not is_test_path(e.path)
        }
    )
    modules = [
        e.path for e in snapshot.evidence if e.path.endswith(".py") and not is_test_path(e.path)
    ]
    notebooks = [e.path for e in snapshot.evidence if is_notebook(e.path)]
    if manifests and packages:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"Code is packaged ({basename(manifests[0].path)}) as importable modules"
                f" ({plural(len(packages), 'package')}).",
                manifests[0].path,
            )
        )
    elif len(modules) >= 2 and _has_local_imports(snapshot, modules):
        findings.append(
            finding(
                "modular_code",
                0.5,
                Strength.CODE,
                "Code is split into modules that import each other, but is not packaged.",
                modules[0],
            )
        )
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(h for h in code_hits(snapshot, *COMPONENTS) if h.path in orchestrated)[
        :1
    ]:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"Pipeline steps are reusable {orchestrated[hit.path]} components.",
                hit,
            )
        )
    findings += _pipeline_step_modules(snapshot, orchestrated)
    if notebooks and len(notebooks) > 3 * max(1, len(modules)):
        findings.append(
            finding(
                "modular_code",
                0,
                Strength.FILE_NAME,
                f"Most code lives in notebooks ({len(notebooks)} notebooks,"
                f" {len(modules)} modules).",
                notebooks[0],
            )
        )
    return findings


def _pipeline_step_modules(
    snapshot: RepositorySnapshot, orchestrated: dict[str, str]
) -> list[Finding]:
    """Steps of an orchestrated pipeline kept in modules of their own, without packaging.

    Azure ML, SageMaker or Airflow pipelines often run one script per step, each with its
    own command-line arguments (prep.py, train.py, evaluate.py), or call functions their DAG
    files import from step modules. Either is the modularity a pipeline needs."""
    specs = [h.path for h in config_hits(snapshot, *PIPELINE_SPECS)]
    if not orchestrated and not specs:
        return []
    findings = []
    scripts = sorted(
        {
            hit.path
            for hit in code_hits(snapshot, *CLI_ARGS)
            if hit.path.endswith(".py")
            and hit.path not in orchestrated
            and STEP_SCRIPT.search(posixpath.splitext(basename(hit.path))[0])
        }
    )
    if len(scripts) >= 2:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                "Each pipeline step is a script with its own arguments"
                f" ({', '.join(basename(path) for path in scripts[:3])}).",
                scripts[0],
            )
        )
    steps = _imported_step_modules(snapshot, orchestrated)
    if len(steps) >= 2:
        findings.append(
            finding(
                "modular_code",
                1,
                Strength.CODE,
                f"The pipeline calls steps it imports from {plural(len(steps), 'module')}"
                f" ({', '.join(steps[:3])}).",
                steps[0],
            )
        )
    return findings


def _imported_step_modules(snapshot: RepositorySnapshot, orchestrated: dict[str, str]) -> list[str]:
    """Repository modules (not helpers, not pipeline files) that pipeline files import."""
    python_files = {e.path for e in snapshot.evidence if e.path.endswith(".py")}
    table = imports(snapshot)
    found = set()
    for path in orchestrated:
        for module in table.get(path, {}):
            parts = module.lstrip(".").split(".")
            if not parts[0] or HELPER_MODULES & set(parts):
                continue
            target = _module_file(python_files, path, parts)
            if target and target not in orchestrated and not is_test_path(target):
                found.add(target)
    return sorted(found)


def _module_file(python_files: set[str], importer: str, parts: list[str]) -> str | None:
    """The repository file a dotted module names, looked up beside the importer first."""
    relative = "/".join(parts)
    folder = posixpath.dirname(importer)
    while True:
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            path = posixpath.join(folder, candidate) if folder else candidate
            if path in python_files:
                return path
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _has_local_imports(snapshot: RepositorySnapshot, modules: list[str]) -> bool:
    local = local_modules(snapshot)
    table = imports(snapshot)
    return any(
        module.startswith(".") or module.split(".")[0] in local
        for path in modules
        for module in table.get(path, {})
    )


@register
def environment_pins(snapshot: RepositorySnapshot) -> list[Finding]:
    """A reproducible environment: lock files, fully pinned requirements, container images."""
    findings = []
    for entry in snapshot.named(*LOCK_FILES)[:3]:
        findings.append(
            finding(
                "reproducible_environment",
                1,
                Strength.FILE_NAME,
                f"The environment is locked ({basename(entry.path)}).",
                entry.path,
            )
        )
    per_file: dict[str, list[bool]] = {}
    for dependency in dependencies(snapshot):
        per_file.setdefault(dependency.path, []).append(dependency.pinned)
    for path, pins in sorted(per_file.items()):
        pinned, total = sum(pins), len(pins)
        name = basename(path)
        if name.lower() in {"setup.py", "setup.cfg", "pyproject.toml"} and pinned < total:
            continue  # libraries declare ranges on purpose; locks live elsewhere
        grade: float
        if pinned == total or pinned / total >= 0.8:
            grade, reason = 1, f"{name} pins {pinned} of {total} packages to exact versions."
        elif pinned:
            grade, reason = 0.5, f"{name} pins only {pinned} of {total} packages."
        else:
            grade, reason = 0, f"{name} pins none of its {total} packages."
        findings.append(finding("reproducible_environment", grade, Strength.CODE, reason, path))
    for path in sorted({hit.path for hit in _dockerfile_hits(snapshot)})[:3]:
        findings.append(
            finding(
                "reproducible_environment",
                0.5,
                Strength.CODE,
                "A container image defines the runtime environment.",
                path,
            )
        )
    return findings


def _dockerfile_hits(snapshot: RepositorySnapshot) -> list[Hit]:
    return [
        hit
        for hit in snapshot.hits(*DOCKER_FROM)
        if is_dockerfile(hit.path) and hit.text.startswith("FROM ")
    ]


def is_dockerfile(path: str) -> bool:
    name = basename(path).lower()
    return name.startswith(("dockerfile", "containerfile")) or name.endswith(
        (".dockerfile", ".containerfile")
    )


@register
def containers(snapshot: RepositorySnapshot) -> list[Finding]:
    """Containerised components: Dockerfiles, compose services, pipeline steps as images."""
    findings = []
    seen = set()
    for hit in _dockerfile_hits(snapshot):
        if hit.path not in seen:
            seen.add(hit.path)
            findings.append(
                finding(
                    "containerization",
                    1,
                    Strength.CODE,
                    f"A Dockerfile builds an image ({hit.text[5:60].strip()}).",
                    hit,
                )
            )
    # A deploy script naming a prebuilt serving image builds no container of its own: only
    # pipeline definitions that run their steps in images count here.
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(
        h for h in code_hits(snapshot, *CONTAINER_STEPS) if h.path in orchestrated
    ):
        findings.append(
            finding(
                "containerization",
                0.5,
                Strength.CODE,
                "Pipeline steps run in container images.",
                hit,
            )
        )
    for entry in snapshot.named(
        "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"
    )[:1]:
        findings.append(
            finding(
                "containerization",
                0.5,
                Strength.FILE_NAME,
                "Services are described in a compose file.",
                entry.path,
            )
        )
    return findings


@register
def configuration(snapshot: RepositorySnapshot) -> list[Finding]:
    """Configuration outside code: parameter files, Hydra/OmegaConf, CLI arguments, env."""
    findings = []
    params = snapshot.named(
        "params.yaml", "params.yml", "params.json", "config.yaml", "config.yml", "hparams.yaml"
    )
    config_dirs = snapshot.matching(
        "configs/*.yaml",
        "configs/*.yml",
        "config/*.yaml",
        "config/*.yml",
        "conf/*.yaml",
        "conf/*.yml",
        "*/configs/*.yaml",
        "*/conf/base/*.yml",
        "*/config/*.yaml",
        "configs/*.json",
        "configs/*.toml",
    )
    for entry in (params + config_dirs)[:2]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.FILE_NAME,
                f"Parameters live in configuration files ({entry.path}).",
                entry.path,
            )
        )
    orchestrated = orchestrated_files(snapshot)
    config_code = set(ml_files(snapshot)) | set(orchestrated)
    for hit in first_hits(code_hits(snapshot, *CONFIG_CODE))[:2]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.CODE,
                "Code loads its configuration from files.",
                hit,
            )
        )
    for hit in first_hits(h for h in code_hits(snapshot, *CLI_ARGS) if h.path in config_code)[:1]:
        findings.append(
            finding(
                "config_outside_code",
                0.5,
                Strength.CODE,
                "Parameters come from command-line arguments.",
                hit,
            )
        )
    for hit in first_hits(
        h for h in code_hits(snapshot, *PIPELINE_PARAMETERS) if h.path in orchestrated
    )[:1]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.CODE,
                "Pipeline runs take their parameters at submission time.",
                hit,
            )
        )
    for hit in first_hits(h for h in code_hits(snapshot, *ENV_CONFIG) if h.path in config_code)[:1]:
        findings.append(
            finding(
                "config_outside_code",
                0.5,
                Strength.CODE,
                "Parameters come from environment variables.",
                hit,
            )
        )
    return findings


@register
def infrastructure(snapshot: RepositorySnapshot) -> list[Finding]:
    """Infrastructure as code, and how many environments it describes."""
    findings = []
    environments = _environments(snapshot)
    suffix = (
        f" for {len(environments)} environments ({', '.join(environments)})"
        if len(environments) >= 2
        else ""
    )
    for hit in first_hits(config_hits(snapshot, *TERRAFORM))[:2]:
        tool = (
            "CloudFormation"
            if "AWSTemplate" in hit.text
            else ("Terraform" if hit.path.endswith((".tf", ".hcl")) else "Infrastructure code")
        )
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.CODE,
                f"{tool} declares the infrastructure{suffix}.",
                hit,
            )
        )
    templates = [
        hit
        for hit in config_hits(snapshot, *CLOUDFORMATION)
        if hit.path.endswith((".yaml", ".yml", ".json", ".template"))
        and CLOUDFORMATION_RESOURCE.match(hit.text)
    ]
    if not findings:
        for hit in first_hits(templates)[:2]:
            findings.append(
                finding(
                    "infrastructure_as_code",
                    1,
                    Strength.CODE,
                    f"CloudFormation declares the infrastructure{suffix}.",
                    hit,
                )
            )
    for hit in first_hits(code_hits(snapshot, *TERRAFORM))[:1]:
        if "Pulumi" in hit.text or "aws_cdk" in hit.text:
            findings.append(
                finding(
                    "infrastructure_as_code",
                    1,
                    Strength.CODE,
                    f"Infrastructure is declared in code (Pulumi/CDK){suffix}.",
                    hit,
                )
            )
    for entry in snapshot.named(
        "Chart.yaml", "kustomization.yaml", "kustomization.yml", "Pulumi.yaml", "cdk.json"
    )[:2]:
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.FILE_NAME,
                f"{basename(entry.path)} declares deployable infrastructure{suffix}.",
                entry.path,
            )
        )
    for entry in snapshot.with_suffix(".bicep")[:1]:
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.FILE_NAME,
                f"Bicep templates declare the infrastructure{suffix}.",
                entry.path,
            )
        )
    return findings


def _environments(snapshot: RepositorySnapshot) -> list[str]:
    found: Counter[str] = Counter()
    for entry in snapshot.evidence:
        if entry.path.endswith((".tf", ".tfvars", ".yaml", ".yml", ".json", ".bicep", ".env")):
            for part in re.split(r"[/._-]", entry.path.lower()):
                if part in ENVIRONMENT_SEGMENTS:
                    found[part] += 1
    return sorted(found)


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
