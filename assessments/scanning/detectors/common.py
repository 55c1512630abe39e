"""Analyses several detector families share: imports, ML code, test files, dependencies.

Each is computed once per snapshot (``snapshot.memo``) from the line index or from a few small
files, so detectors stay cheap however many ask.
"""

from __future__ import annotations

import functools
import posixpath
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import yaml

from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength, keywords

IMPORT = keywords("import ")

# Top-level modules whose import marks a file as ML code.
# Jinja in a path: a project generator's template folder (``{{cookiecutter.repo_name}}/``).
TEMPLATE_PATH = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
ML_LIBRARIES = frozenset(
    {
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "jax",
        "flax",
        "optax",
        "statsmodels",
        "prophet",
        "pytorch_lightning",
        "lightning",
        "fastai",
        "mlflow",
        "tfx",
        "kfp",
        "spacy",
        "gensim",
        "optuna",
        "sentence_transformers",
        "torchvision",
        "timm",
        "onnx",
        "onnxruntime",
        "huggingface_hub",
        "tensorflow_transform",
        "tensorflow_data_validation",
        "tensorflow_model_analysis",
        "tensorflow_hub",
        "sagemaker",
        "wandb",
        "dvclive",
        "h2o",
        "pycaret",
        "autogluon",
        "mxnet",
        "paddle",
        "skorch",
        "imblearn",
        "sktime",
        "darts",
        "gluonts",
        "neuralprophet",
        "pmdarima",
        "peft",
        "datasets",
        "accelerate",
        "diffusers",
        "evidently",
        "tensorflow_decision_forests",
        "pyspark.ml",
        "azureml",
        "zenml",
        "metaflow",
    }
)

# Hosted models and LLM frameworks: code that calls a model is ML code without training one.
LLM_LIBRARIES = frozenset(
    {
        "openai",
        "anthropic",
        "cohere",
        "mistralai",
        "ollama",
        "litellm",
        "replicate",
        "groq",
        "vllm",
        "llama_cpp",
        "google.generativeai",
        "google.genai",
        "vertexai",
        "haystack",
        "dspy",
        "langgraph",
        "sagemaker_inference",
    }
)
# Families published as many top-level packages (langchain_core, langchain_openai, ...).
LLM_PACKAGE_PREFIXES = ("langchain", "llama_index")
# A model invoked through a cloud runtime client (boto3.client("sagemaker-runtime")).
MODEL_RUNTIME_CLIENTS = keywords("sagemaker-runtime", "runtime.sagemaker", "bedrock-runtime")
# Generic serialisers: their load call is ML code only when what it loads is a model.
SERIALISERS = ("joblib", "pickle", "cPickle", "_pickle", "dill", "cloudpickle", "skops")
SERIALISED_LOADS = keywords(
    "joblib.load(", "pickle.load(", "dill.load(", "cloudpickle.load(", "skops.io.load("
)
PREDICT_CALLS = keywords(".predict(", ".predict_proba(")
_BARE_LOAD = re.compile(r"(?<![\w.])load\(")
_MODEL_WORDS = re.compile(
    r"model|clf|classifier|regressor|estimator|predictor|vectori[sz]er|\bpipe(?:line)?\b", re.I
)

_IMPORT_LINE = re.compile(r"^\s*(?:from\s+(\.*[\w.]*)\s+import\s+(.*)|import\s+(.*))$")
_NAME = re.compile(r"^[A-Za-z_][\w.]*$")
_TEST_NAME = re.compile(r"(^test_.*\.py$|_tests?\.py$|^conftest\.py$|^tests?\.py$)")


class ImportSite(NamedTuple):
    """Where a module is imported (a tuple: there are tens of thousands in a big repo)."""

    path: str
    module: str
    line: int | None


def imports(snapshot: RepositorySnapshot) -> dict[str, dict[str, int | None]]:
    """Map each evidence file to the modules it imports (module -> first line)."""

    def compute() -> dict[str, dict[str, int | None]]:
        table: dict[str, dict[str, int | None]] = defaultdict(dict)
        for hit in snapshot.hits(*IMPORT):
            if not is_code_path(hit.path):
                continue
            for module in parse_import_line(hit.text):
                table[hit.path].setdefault(module, hit.line)
        return dict(table)

    return snapshot.memo("imports", compute)


@functools.lru_cache(maxsize=65_536)
def parse_import_line(text: str) -> tuple[str, ...]:
    """Modules named by one import line; ``from a import b`` yields ``a`` and ``a.b``
    (so ``from google.cloud import aiplatform`` counts as importing the submodule)."""
    match = _IMPORT_LINE.match(text)
    if not match:
        return ()
    source, names, plain = match.groups()
    if plain is not None:
        parts = [part.strip().split(" as ")[0].strip() for part in plain.split(",")]
        return tuple(part for part in parts if _NAME.match(part))
    names = names.split("#", 1)[0].strip().strip("()\\ ")
    source = source.lstrip(".")  # relative imports name local modules
    modules = [source] if source else []
    for name in names.split(","):
        name = name.strip().split(" as ")[0].strip().strip("()")
        if _NAME.match(name) and name != "*":
            modules.append(f"{source}.{name}" if source else name)
    return tuple(modules)


def module_matches(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def import_sites_by_top_module(snapshot: RepositorySnapshot) -> dict[str, list[ImportSite]]:
    """Every import site, filed under its top-level package, in path order."""

    def compute() -> dict[str, list[ImportSite]]:
        table: dict[str, list[ImportSite]] = defaultdict(list)
        for path, modules in sorted(imports(snapshot).items()):
            for module, line in modules.items():
                table[module.split(".")[0]].append(ImportSite(path, module, line))
        return dict(table)

    return snapshot.memo("import_sites", compute)


def files_importing(snapshot: RepositorySnapshot, *prefixes: str) -> list[ImportSite]:
    """Import sites of any module under ``prefixes`` (``"tfx"`` matches ``tfx.components``)."""
    by_top = import_sites_by_top_module(snapshot)
    # Each site is only compared with the prefixes of its own top-level package: a library's
    # repository imports itself tens of thousands of times.
    prefixes_by_top: dict[str, list[str]] = defaultdict(list)
    for prefix in prefixes:
        prefixes_by_top[prefix.split(".")[0]].append(prefix)
    sites = [
        site
        for top in sorted(prefixes_by_top)
        for site in by_top.get(top, ())
        if module_matches(site.module, prefixes_by_top[top])
    ]
    return sorted(sites, key=lambda site: (site.path, site.line or 0, site.module))


def first_per_path(sites: Iterable[ImportSite]) -> list[ImportSite]:
    seen: dict[str, ImportSite] = {}
    for site in sites:
        seen.setdefault(site.path, site)
    return list(seen.values())


def ml_files(snapshot: RepositorySnapshot) -> list[str]:
    """Evidence files (scripts, modules, notebooks) with ML code: they import an ML library,
    call a hosted model or an LLM framework, or load a serialised model (joblib, pickle)."""

    def compute() -> list[str]:
        found = {site.path for site in files_importing(snapshot, *ML_LIBRARIES)}
        found |= {site.path for site in files_importing(snapshot, *LLM_LIBRARIES)}
        by_top = import_sites_by_top_module(snapshot)
        found |= {
            site.path
            for top, sites in by_top.items()
            if top.startswith(LLM_PACKAGE_PREFIXES)
            for site in sites
        }
        found |= {hit.path for hit in code_hits(snapshot, *MODEL_RUNTIME_CLIENTS, tests=True)}
        found |= serialised_model_loaders(snapshot)
        return sorted(found)

    return snapshot.memo("ml_files", compute)


def serialised_model_loaders(snapshot: RepositorySnapshot) -> set[str]:
    """Code files that load a model with a generic serialiser (joblib, pickle, dill...).

    A serialiser loads anything (a session, a cache), so the load counts only when what it
    loads reads as a model (``model = joblib.load(path)``) or the file then predicts with it.
    """
    serialising = {site.path for site in files_importing(snapshot, *SERIALISERS)}
    if not serialising:
        return set()
    predicting = snapshot.paths_with(*PREDICT_CALLS)
    loads: dict[str, list[str]] = defaultdict(list)
    for hit in code_hits(snapshot, *SERIALISED_LOADS, tests=True):
        if hit.path in serialising:
            loads[hit.path].append(hit.text)
    table = imports(snapshot)
    for path in serialising - set(loads):
        # ``from joblib import load`` then ``load(path)``: read the few files doing that.
        if any(module.endswith(".load") for module in table.get(path, {})):
            text = snapshot.notebook_code(path) if is_notebook(path) else snapshot.read_text(path)
            loads[path] = [line for line in (text or "").splitlines() if _BARE_LOAD.search(line)]
    return {
        path
        for path, lines in loads.items()
        if lines and (path in predicting or any(_MODEL_WORDS.search(line) for line in lines))
    }


@functools.lru_cache(maxsize=131_072)
def is_test_path(path: str) -> bool:
    parts = path.split("/")
    if any(part in {"tests", "test", "testing", "__tests__"} for part in parts[:-1]):
        return True
    return bool(_TEST_NAME.search(parts[-1]))


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def basename(path: str) -> str:
    return posixpath.basename(path)


def local_modules(snapshot: RepositorySnapshot) -> set[str]:
    """Names importable from the repository itself (module stems and package folders)."""

    def compute() -> set[str]:
        names = set()
        for entry in snapshot.evidence:
            if entry.path.endswith(".py"):
                parts = entry.path[:-3].split("/")
                names.add(parts[-1])
                names.update(part for part in parts[:-1] if part.isidentifier())
        names.discard("__init__")
        names.discard("src")
        return names

    return snapshot.memo("local_modules", compute)


def finding(
    capability: str,
    grade: float,
    strength: Strength,
    reason: str,
    where: Hit | ImportSite | str | None = None,
    line: int | None = None,
) -> Finding:
    """Build a Finding from a hit, an import site or a path."""
    path = None
    if isinstance(where, (Hit, ImportSite)):
        path, line = where.path, where.line
    elif isinstance(where, str):
        path = where
    return Finding(capability, grade, strength, reason, path, line)


def first_hits(hits: Iterable[Hit]) -> list[Hit]:
    """The first hit of each file, in order: one piece of evidence per file is enough."""
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.path, hit)
    return list(seen.values())


def is_code_path(path: str) -> bool:
    return path.endswith(".py") or is_notebook(path)


def code_hits(snapshot: RepositorySnapshot, *words: str, tests: bool = False) -> list[Hit]:
    """Hits in code (``.py`` and notebooks) outside comments; test files only if ``tests``."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if is_code_path(hit.path)
        and not hit.text.startswith("#")
        and (tests or not is_test_path(hit.path))
    ]


def test_hits(snapshot: RepositorySnapshot, *words: str) -> list[Hit]:
    """Hits in test files only."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if is_code_path(hit.path) and is_test_path(hit.path) and not hit.text.startswith("#")
    ]


def config_hits(snapshot: RepositorySnapshot, *words: str) -> list[Hit]:
    """Hits outside Python code (YAML, TOML, Dockerfiles, Terraform...), without comments."""
    return [
        hit
        for hit in snapshot.hits(*words)
        if not hit.path.endswith(".py")
        and not is_notebook(hit.path)
        and not hit.text.startswith(("#", "//"))
    ]


# -- dependencies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    name: str
    path: str
    line: int | None
    pinned: bool


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
MANIFEST_NAMES = frozenset(
    {
        "requirements.txt",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "pipfile",
        "environment.yml",
        "environment.yaml",
        "conda.yaml",
        "conda.yml",
    }
)


def normalise_package(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependencies(snapshot: RepositorySnapshot) -> list[Dependency]:
    """Every declared dependency in requirements files, pyproject, setup, Pipfile, conda."""

    def compute() -> list[Dependency]:
        found: list[Dependency] = []
        for entry in snapshot.evidence:
            name = basename(entry.path).lower()
            if entry.path.lower().endswith(".txt") and (
                "requirements" in entry.path.lower() or "constraints" in entry.path.lower()
            ):
                found += _requirements_txt(entry.path, snapshot.read_text(entry))
            elif name == "pyproject.toml":
                found += _pyproject(entry.path, snapshot.read_text(entry))
            elif name == "pipfile":
                found += _pipfile(entry.path, snapshot.read_text(entry))
            elif name in {"setup.py", "setup.cfg"}:
                found += _setup(entry.path, snapshot.read_text(entry))
            elif name in {"environment.yml", "environment.yaml", "conda.yaml", "conda.yml"}:
                found += _conda(entry.path, snapshot.read_text(entry))
        return found

    return snapshot.memo("dependencies", compute)


def _requirement(text: str, path: str, line: int | None) -> Dependency | None:
    text = text.split("#", 1)[0].split(";", 1)[0].strip()
    if not text or text.startswith(("-", "--")) or "://" in text and "@" not in text:
        return None
    match = _REQUIREMENT.match(text)
    if not match:
        return None
    spec = match.group(3).strip()
    pinned = (
        spec.startswith(("==", "==="))
        and "*" not in spec
        or (spec.startswith("@") and re.search(r"@[0-9a-f]{7,40}\b|@v?\d", spec) is not None)
    )
    return Dependency(normalise_package(match.group(1)), path, line, pinned)


def _requirements_txt(path: str, text: str | None) -> list[Dependency]:
    result = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        dependency = _requirement(line, path, number)
        if dependency:
            result.append(dependency)
    return result


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _pyproject(path: str, text: str | None) -> list[Dependency]:
    if not text:
        return []
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    specs: list[str] = []
    raw_project = data.get("project")
    project = raw_project if isinstance(raw_project, dict) else {}
    specs += [s for s in project.get("dependencies", []) or [] if isinstance(s, str)]
    optional = project.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for group in optional.values():
            specs += [s for s in group or [] if isinstance(s, str)]
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group in groups.values():
            specs += [s for s in group or [] if isinstance(s, str)]
    result = [d for s in specs if (d := _requirement(s, path, _line_of(text, s)))]
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    for section in ("dependencies", "dev-dependencies"):
        table = poetry.get(section, {}) if isinstance(poetry, dict) else {}
        if isinstance(table, dict):
            for name, spec in table.items():
                version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
                pinned = bool(re.match(r"^=?=?\d", version))
                if name != "python":
                    result.append(
                        Dependency(normalise_package(name), path, _line_of(text, name), pinned)
                    )
    return result


def _pipfile(path: str, text: str | None) -> list[Dependency]:
    try:
        data = tomllib.loads(text or "")
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    result = []
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        if isinstance(table, dict):
            for name, spec in table.items():
                version = spec.get("version", "*") if isinstance(spec, dict) else str(spec)
                result.append(
                    Dependency(
                        normalise_package(name),
                        path,
                        _line_of(text or "", name),
                        version.startswith("=="),
                    )
                )
    return result


def _setup(path: str, text: str | None) -> list[Dependency]:
    if not text:
        return []
    result = []
    block = re.search(r"install_requires\s*=\s*\[([^\]]*)\]", text, re.S)
    if block:
        for spec in re.findall(r"['\"]([^'\"]+)['\"]", block.group(1)):
            dependency = _requirement(spec, path, _line_of(text, spec))
            if dependency:
                result.append(dependency)
    cfg = re.search(r"install_requires\s*=\s*\n((?:[ \t]+\S.*\n?)+)", text)
    if cfg:
        for spec in cfg.group(1).splitlines():
            dependency = _requirement(spec, path, _line_of(text, spec.strip()))
            if dependency:
                result.append(dependency)
    return result


def _conda(path: str, text: str | None) -> list[Dependency]:
    data = safe_yaml(text)
    if not isinstance(data, dict):
        return []
    result = []
    for item in data.get("dependencies", []) or []:
        if isinstance(item, str):
            name, _, version = item.partition("=")
            result.append(
                Dependency(
                    normalise_package(name.strip()),
                    path,
                    _line_of(text or "", item),
                    bool(version.strip("=")),
                )
            )
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for spec in item["pip"]:
                if isinstance(spec, str) and (
                    d := _requirement(spec, path, _line_of(text or "", spec))
                ):
                    result.append(d)
    return result


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str | None, *, max_chars: int = 512 * 1024) -> object:
    """Parse YAML leniently: None for anything malformed, huge or multi-document."""
    if not text or len(text) > max_chars:
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def plural(count: int, word: str) -> str:
    """``plural(1, "file")`` is "1 file", ``plural(3, "file")`` is "3 files"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def any_of(*words: str) -> re.Pattern[str]:
    """A regex matching any of the fixed strings ``words``."""
    return re.compile("|".join(map(re.escape, words)))


def declared(snapshot: RepositorySnapshot, *packages: str) -> list[Dependency]:
    wanted = {normalise_package(p) for p in packages}
    return [d for d in dependencies(snapshot) if d.name in wanted]
