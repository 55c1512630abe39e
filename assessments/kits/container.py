"""A container image for training, built from the repository's own dependency manifest."""

from __future__ import annotations

import json

from .build import Kit, KitUnavailable, kit
from .patch import FileChange
from .stack import Manifest, Stack

DOCKERIGNORE = ".git\n.venv\n__pycache__/\n*.pyc\n.ipynb_checkpoints/\nmlruns/\n"


@kit("containerization")
def containerised_training(stack: Stack) -> Kit:
    if stack.has_dockerfile:
        raise KitUnavailable("The repository already has a Dockerfile; build training from it.")
    if stack.entry_point is None:
        raise KitUnavailable(
            "No training script (train*.py) was found to run in the image; move the training "
            "code out of notebooks first (the step 'Modular and packaged components')."
        )
    if stack.manifest == Manifest.REQUIREMENTS:
        install = (
            "COPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
            "COPY . .\n"
        )
    elif stack.manifest == Manifest.PYPROJECT:
        install = "COPY . .\nRUN pip install --no-cache-dir .\n"
    else:
        install = "COPY . .\n"
    # The exec form's JSON array holds the script's path as a JSON string: whatever the name,
    # it stays one argument and never reaches a shell.
    command = json.dumps(["python", stack.entry_point])
    dockerfile = (
        f"FROM python:{stack.python_version}-slim\n"
        "WORKDIR /app\n"
        f"{install}"
        "RUN chown -R nobody /app\n"
        "USER nobody\n"
        f"CMD {command}\n"
    )
    return Kit(
        step="containerization",
        title="Containerised training",
        changes=(FileChange("Dockerfile", dockerfile), FileChange(".dockerignore", DOCKERIGNORE)),
        does=(
            f"Builds an image on python:{stack.python_version}-slim with the dependencies "
            "installed from the repository's manifest.",
            "Runs the training script as an unprivileged user.",
        ),
        does_not=(
            "It does not mount data or credentials: pass them at run time "
            "(volumes, environment variables).",
            "It does not pin the base image by digest.",
        ),
    )
