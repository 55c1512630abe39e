"""ML code tracked in git, and model binaries committed to it instead of a registry."""

from __future__ import annotations

import re

from ...gitobjects import TreeEntry
from ...tree import RepositorySnapshot
from ..base import Finding, Strength, register
from ..common import finding, plural
from ..mlcode import ml_files
from ..paths import basename, is_notebook, is_test_path

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
