"""What serving code looks like: files that expose a web or RPC service and load a model."""

from __future__ import annotations

from ..tree import RepositorySnapshot
from .base import keywords
from .imports import files_importing
from .paths import is_test_path

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


def serving_files(snapshot: RepositorySnapshot) -> list[str]:
    """Files that expose a web or RPC service and load a model."""

    def compute() -> list[str]:
        loaders = snapshot.paths_with(*MODEL_LOAD)
        web = {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS)}
        return sorted(p for p in web & loaders if not is_test_path(p))

    return snapshot.memo("serving_files", compute)
