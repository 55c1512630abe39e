"""Detector table: version control, code and the environment.

Given these files, the strongest evidence for the capability is this. The rows cover version
control, modular code and the environment (pinned dependencies, containers, configuration,
infrastructure as code). Each row is one small repository in memory; ``None`` means no finding at
all.
"""

from ..archetypes import notebook
from .tables import CI, CODE, GH_ON_PR, GH_TESTS, MENTION, NAME, SK, detector_table_test, row

TABLE = [
    row("ml-script", {"train.py": SK}, "version_control", 1, CODE),
    row("no-ml-code", {"app.py": "import flask\n"}, "version_control", None, None),
    row("model-binary-smell-only", {"model.pkl": b"\x80" * 4096}, "version_control", 0, NAME),
    row(
        "packaged",
        {"pyproject.toml": "[project]\nname='x'\n", "src/x/__init__.py": "", "src/x/train.py": SK},
        "modular_code",
        1,
        CODE,
    ),
    row(
        "modules-no-package",
        {"train.py": SK + "from features import build\n", "features.py": "def build(): pass\n"},
        "modular_code",
        0.5,
        CODE,
    ),
    row("notebooks-only", {f"n{i}.ipynb": notebook(SK) for i in range(5)}, "modular_code", 0, NAME),
    row(
        "kfp-components",
        {"p.py": "from kfp import dsl\n@dsl.component(base_image='python')\ndef f(): pass\n"},
        "modular_code",
        1,
        CODE,
    ),
    # environment
    row("uv-lock", {"uv.lock": "version = 1\n"}, "reproducible_environment", 1, NAME),
    row(
        "pinned",
        {"requirements.txt": "torch==2.2.0\nnumpy==1.26.0\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "half-pinned",
        {"requirements.txt": "torch==2.2.0\nnumpy\npandas\n"},
        "reproducible_environment",
        0.5,
        CODE,
    ),
    row(
        "unpinned", {"requirements.txt": "torch\nnumpy>=1.0\n"}, "reproducible_environment", 0, CODE
    ),
    row(
        "lock-checked-in-ci-not-committed-yet",
        {
            "pyproject.toml": "[project]\nname = 'm'\ndependencies = ['pandas>=2']\n",
            ".github/workflows/lock.yml": GH_ON_PR + "      - run: uv lock --check\n",
        },
        "reproducible_environment",
        0.5,
        CI,
    ),
    row(
        "lock-checked-in-ci-and-committed",
        {
            "pyproject.toml": "[project]\nname = 'm'\ndependencies = ['pandas>=2']\n",
            "uv.lock": "version = 1\n",
            ".github/workflows/lock.yml": GH_ON_PR + "      - run: uv lock --check\n",
        },
        "reproducible_environment",
        1,
        CI,
    ),
    row(
        "pip-hash-lines",
        {"requirements.txt": "torch==2.2.0 \\\n    --hash=sha256:abc\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "conda-pins",
        {"environment.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "lock-checked-in-ci",
        {
            "requirements.txt": "torch\n",
            ".github/workflows/lock.yml": GH_TESTS.replace(
                "run: pytest", "run: make lock && git diff --exit-code -- requirements.lock"
            ),
        },
        "reproducible_environment",
        0.5,
        CI,
    ),
    row("dockerfile", {"Dockerfile": "FROM python:3.11\n"}, "containerization", 1, CODE),
    row(
        "dockerfile-in-folder",
        {"docker/train.Dockerfile": "FROM nvidia/cuda:12.1\n"},
        "containerization",
        1,
        CODE,
    ),
    row(
        "dockerfile-in-docs",
        {"docs/Dockerfile": "FROM python:3.11\n"},
        "containerization",
        None,
        None,
    ),
    row("params-yaml", {"params.yaml": "lr: 0.1\n"}, "config_outside_code", 1, NAME),
    row(
        "hydra",
        {"train.py": SK + "import hydra\n@hydra.main(config_path='conf')\ndef m(c): ...\n"},
        "config_outside_code",
        1,
        CODE,
    ),
    row(
        "argparse",
        {"train.py": SK + "import argparse\np = argparse.ArgumentParser()\n"},
        "config_outside_code",
        0.5,
        CODE,
    ),
    row(
        "terraform",
        {"infra/main.tf": 'resource "google_storage_bucket" "b" {}\n'},
        "infrastructure_as_code",
        1,
        CODE,
    ),
    row(
        "helm-chart",
        {"deploy/chart/Chart.yaml": "name: serving\n"},
        "infrastructure_as_code",
        1,
        NAME,
    ),
    row(
        "declared-not-used",
        {"requirements.txt": "mlflow==2.0\n", "train.py": SK},
        "experiment_tracking",
        0,
        MENTION,
    ),
]

test_detector_table = detector_table_test(TABLE)
