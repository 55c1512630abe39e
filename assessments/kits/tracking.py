"""Experiment tracking and model registration with MLflow, around the team's own training
script: the kit adds files beside it and changes none of the team's code."""

from __future__ import annotations

from .build import Kit, KitUnavailable, kit, with_requirements
from .patch import FileChange
from .stack import Stack

MLFLOW = "mlflow==3.17.2"
# The evaluation's metrics, a JSON object {"metric": value}: registered with the version, they are
# what model validation compares a later candidate with.
METRICS_FILE = "metrics.json"
TRACKING_NOTE = "Runs go to ./mlruns unless MLFLOW_TRACKING_URI names the team's tracking server."


def _entry_point(stack: Stack) -> str:
    if stack.entry_point is None:
        raise KitUnavailable(
            "No training script (train*.py) was found to track; move the training code out of "
            "notebooks first (the step 'Modular and packaged components')."
        )
    return stack.entry_point


def registered_model_name(stack: Stack) -> str | None:
    """The name the model is registered under: its file's name without the suffix."""
    if stack.saved_model is None:
        return None
    return stack.saved_model.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "model"


@kit("experiment_tracking")
def experiment_tracking(stack: Stack) -> Kit:
    script = _entry_point(stack)
    wrapper = (
        '"""Train with every run tracked in MLflow: parameters, metrics and the model, logged\n'
        "automatically by MLflow's autologging around the unchanged training script.\n"
        "\n"
        f"{TRACKING_NOTE}\n"
        '"""\n'
        "\n"
        "import runpy\n"
        "\n"
        "import mlflow\n"
        "\n"
        f"TRAINING_SCRIPT = {script!r}\n"
        "\n"
        "\n"
        "def main() -> None:\n"
        "    mlflow.autolog()\n"
        "    with mlflow.start_run(run_name=TRAINING_SCRIPT):\n"
        "        mlflow.log_param('training_script', TRAINING_SCRIPT)\n"
        "        runpy.run_path(TRAINING_SCRIPT, run_name='__main__')\n"
        "\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    return Kit(
        step="experiment_tracking",
        title="Experiment tracking",
        changes=(FileChange("train_tracked.py", wrapper), *with_requirements(stack, MLFLOW)),
        does=(
            f"python train_tracked.py runs {script} inside an MLflow run, with autologging "
            "of parameters, metrics and the model for the libraries MLflow knows.",
            TRACKING_NOTE,
        ),
        does_not=(
            "It does not set up a tracking server: set MLFLOW_TRACKING_URI to share runs.",
            "Metrics autologging cannot see are not logged: add mlflow.log_metric calls.",
        ),
    )


@kit("model_registry")
def model_registration(stack: Stack) -> Kit:
    script = _entry_point(stack)
    if stack.saved_model is None:
        raise KitUnavailable(
            f"{script} does not save its model with joblib.dump or pickle.dump to a file name "
            "the kit can read; register the model where the script saves it."
        )
    name = registered_model_name(stack) or "model"
    register = (
        '"""Register the trained model in the MLflow model registry as a new version, with the\n'
        "evaluation's metrics (METRICS_FILE, when it exists) logged in the version's run.\n"
        "\n"
        f"Run after training. {TRACKING_NOTE}\n"
        '"""\n'
        "\n"
        "import json\n"
        "from pathlib import Path\n"
        "\n"
        "import joblib\n"
        "import mlflow\n"
        "\n"
        f"MODEL_FILE = {stack.saved_model!r}\n"
        f"REGISTERED_MODEL = {name!r}\n"
        f"METRICS_FILE = {METRICS_FILE!r}\n"
        "\n"
        "\n"
        "def main() -> None:\n"
        "    model = joblib.load(MODEL_FILE)\n"
        "    with mlflow.start_run(run_name='register ' + REGISTERED_MODEL):\n"
        "        # Validation compares a later candidate with the metrics of this run.\n"
        "        if Path(METRICS_FILE).exists():\n"
        "            mlflow.log_metrics(json.loads(Path(METRICS_FILE).read_text()))\n"
        "        info = mlflow.sklearn.log_model(\n"
        "            model, name='model', registered_model_name=REGISTERED_MODEL\n"
        "        )\n"
        "    print(f'Registered {REGISTERED_MODEL} version {info.registered_model_version}')\n"
        "\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    return Kit(
        step="model_registry",
        title="Model registry and versions",
        changes=(FileChange("register_model.py", register), *with_requirements(stack, MLFLOW)),
        does=(
            f"python register_model.py registers {stack.saved_model} as a new version of "
            f"the model {name} in the MLflow registry, with the metrics in {METRICS_FILE} "
            "when the evaluation writes it.",
        ),
        does_not=(
            "It logs the model with MLflow's scikit-learn flavour, which also suits XGBoost's "
            "scikit-learn estimators; another kind of model needs its own flavour.",
            "It does not promote versions: set an alias when a version is approved.",
        ),
    )
