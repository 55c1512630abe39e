"""Which files hold ML code: ML libraries, hosted models and LLMs, loaded model files."""

from __future__ import annotations

import re
from collections import defaultdict

from ..tree import RepositorySnapshot
from .base import keywords
from .common import code_hits
from .dependencies import dependencies, normalise_package
from .imports import ImportSite, files_importing, import_sites_by_top_module, imports
from .javascript import js_llm_imports
from .paths import is_notebook

# Top-level modules whose import marks a file as ML code.
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
        "nemoguardrails",
    }
)
# LLM libraries whose module name a project's own code often uses too (a local ``agents``
# package): an import counts only when the distribution is declared as a dependency.
DECLARED_LLM_MODULES: dict[str, str] = {"agents": "openai-agents", "nat": "nvidia-nat"}
# Families published as many top-level packages (langchain_core, langchain_openai, ...).
LLM_PACKAGE_PREFIXES = ("langchain", "llama_index")
# A model invoked through a cloud runtime client (boto3.client("sagemaker-runtime")).
MODEL_RUNTIME_CLIENTS = keywords("sagemaker-runtime", "runtime.sagemaker", "bedrock-runtime")
# A hosted LLM called over plain HTTP (requests, httpx) rather than through its SDK.
LLM_API_ENDPOINTS = keywords(
    "api.openai.com/",
    "openai.azure.com/",
    "api.anthropic.com/",
    "generativelanguage.googleapis.com/",
    "api.mistral.ai/",
    "api.cohere.com/",
    "api.cohere.ai/",
    "api.groq.com/",
    "api.together.xyz/",
    "openrouter.ai/api/",
    "/v1/chat/completions",
)
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


def ml_files(snapshot: RepositorySnapshot) -> list[str]:
    """Evidence files (scripts, modules, notebooks) with ML code: they import an ML library,
    call a hosted model or an LLM framework, or load a serialised model (joblib, pickle).
    JavaScript and TypeScript files count when they import an LLM package."""

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
        found |= {hit.path for hit in code_hits(snapshot, *LLM_API_ENDPOINTS)}
        found |= {site.path for site in declared_llm_imports(snapshot)}
        found |= serialised_model_loaders(snapshot)
        found |= {site.path for site in js_llm_imports(snapshot)}
        return sorted(found)

    return snapshot.memo("ml_files", compute)


def declared_llm_imports(snapshot: RepositorySnapshot) -> list[ImportSite]:
    """Imports of the LLM libraries in ``DECLARED_LLM_MODULES`` whose distribution a manifest
    declares (``from agents import Agent`` with openai-agents in requirements.txt)."""
    declared = {normalise_package(dependency.name) for dependency in dependencies(snapshot)}
    modules = [
        module
        for module, distribution in DECLARED_LLM_MODULES.items()
        if normalise_package(distribution) in declared
    ]
    return files_importing(snapshot, *modules) if modules else []


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
