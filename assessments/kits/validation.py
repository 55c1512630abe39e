"""Model validation against production: a script that compares the candidate's metrics with
the production model's, from the MLflow registry when the team tracks with MLflow or from a
committed metrics file otherwise, and fails on a regression; CI runs it after training."""

from __future__ import annotations

from . import azure, jenkins
from .build import Kit, KitUnavailable, kit
from .patch import FileChange
from .stack import Stack
from .tracking import METRICS_FILE, registered_model_name
from .workflows import ci_change, ci_notes, command_line_path, github_workflow, gitlab_job

CANDIDATE_METRICS = METRICS_FILE
PRODUCTION_METRICS = "production_metrics.json"
PRODUCTION_ALIAS = "production"
JENKINS_CREDENTIALS = {"MLFLOW_TRACKING_URI": "mlflow-tracking-uri"}

_HEAD = '''"""Compare the candidate model's metrics with the production model's; exit with status 1
when a metric is worse than production's by more than TOLERANCE.

The candidate's metrics are read from CANDIDATE_METRICS, a JSON object {{"metric": value}}.
TODO: make the evaluation write it (e.g. json.dump({{"accuracy": accuracy}}, f)).
{production}

Usage: python validate_model.py
"""

import json
import sys
from pathlib import Path

CANDIDATE_METRICS = {candidate!r}
# How much worse than production a metric may be and still pass. TODO: the team's call.
TOLERANCE = 0.0
# Metrics whose names contain one of these are better when lower; every other one when higher.
LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "rmse", "mape")
'''

_FILE_SOURCE = '''
PRODUCTION_METRICS = {production!r}


def production_model_metrics():
    """The production model's metrics, or None before there is one."""
    path = Path(PRODUCTION_METRICS)
    if not path.exists():
        return None
    return read_metrics(path)
'''

_MLFLOW_SOURCE = '''
REGISTERED_MODEL = {model!r}
PRODUCTION_ALIAS = {alias!r}


def production_model_metrics():
    """The metrics of the run that trained the version the alias points to, or None before
    there is one."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        version = client.get_model_version_by_alias(REGISTERED_MODEL, PRODUCTION_ALIAS)
    except MlflowException:
        return None
    return client.get_run(version.run_id).data.metrics
'''

_BODY = '''

def read_metrics(path):
    metrics = json.loads(Path(path).read_text())
    if not isinstance(metrics, dict) or not all(
        isinstance(value, (int, float)) and not isinstance(value, bool)
        for value in metrics.values()
    ):
        raise ValueError(f"{path} must hold a JSON object of metric names and numbers")
    return metrics


def lower_is_better(name):
    return any(word in name.lower() for word in LOWER_IS_BETTER)


def regressions(candidate, production_model):
    """One sentence per metric of the production model the candidate does worse on."""
    failures = []
    for name, baseline in sorted(production_model.items()):
        if name not in candidate:
            failures.append(f"{name}: the candidate has no value; production has {baseline}")
            continue
        value = candidate[name]
        if lower_is_better(name):
            worse = value > baseline + TOLERANCE
        else:
            worse = value < baseline - TOLERANCE
        if worse:
            failures.append(f"{name}: {value} is worse than production's {baseline}")
    return failures


def main():
    try:
        candidate = read_metrics(CANDIDATE_METRICS)
    except (OSError, ValueError) as error:
        print(f"Cannot read the candidate's metrics: {error}", file=sys.stderr)
        return 2
    production_model = production_model_metrics()
    if production_model is None:
        print("No production model yet: the candidate passes.")
        return 0
    failures = regressions(candidate, production_model)
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        print("The candidate is worse than the production model.", file=sys.stderr)
        return 1
    print("The candidate is at least as good as the production model.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def validation_script(stack: Stack) -> tuple[str, str]:
    """The script, and where it reads the production model's metrics from (a sentence)."""
    model = registered_model_name(stack) if stack.uses_mlflow else None
    if model is not None:
        source = f"the MLflow run of the version of {model} with the alias {PRODUCTION_ALIAS!r}"
        production = (
            f"The production model's metrics are read from {source} (MLFLOW_TRACKING_URI "
            "names the tracking server)."
        )
        body = _MLFLOW_SOURCE.format(model=model, alias=PRODUCTION_ALIAS)
    else:
        source = f"{PRODUCTION_METRICS}, the production model's metrics committed on promotion"
        production = (
            "The production model's metrics are read from PRODUCTION_METRICS: copy the\n"
            "candidate's metrics file to it, and commit it, when a model goes to production."
        )
        body = _FILE_SOURCE.format(production=PRODUCTION_METRICS)
    head = _HEAD.format(production=production, candidate=CANDIDATE_METRICS)
    return head + body + _BODY, source


@kit("model_validation")
def model_validation(stack: Stack) -> Kit:
    if stack.entry_point is None:
        raise KitUnavailable(
            "No training script (train*.py) was found to produce a candidate model; move the "
            "training code out of notebooks first (the step 'Modular and packaged components')."
        )
    script = command_line_path(stack.entry_point, "training script")
    text, source = validation_script(stack)
    env = ""
    if stack.uses_mlflow and registered_model_name(stack):
        env = "    env:\n      MLFLOW_TRACKING_URI: ${{ secrets.MLFLOW_TRACKING_URI }}\n"
    github = github_workflow(
        stack,
        name="validate-model",
        title="Model validation",
        triggers="  pull_request:\n  workflow_dispatch:\n",
        steps=[f"      - run: python {script}\n", "      - run: python validate_model.py\n"],
        env=env,
    )
    gitlab = gitlab_job(
        stack,
        name="validate-model",
        script=[f"python {script}", "python validate_model.py"],
        rules=[
            'if: $CI_PIPELINE_SOURCE == "merge_request_event"',
            'if: $CI_PIPELINE_SOURCE == "web"',
        ],
    )
    # A secret variable reaches a script only mapped by name.
    tracking = {"MLFLOW_TRACKING_URI": "$(MLFLOW_TRACKING_URI)"} if env else None
    pipeline = azure.azure_pipeline(
        stack,
        title="Model validation",
        job="validate_model",
        triggers=azure.ON_PULL_REQUEST,
        steps=[
            azure.script(f"python {script}", name="Train the candidate", env=tracking),
            azure.script("python validate_model.py", name="Compare with production", env=tracking),
        ],
    )
    jenkinsfile = jenkins.jenkins_pipeline(
        stack,
        title="Model validation",
        stage="Validate the model",
        commands=[f"python {script}", "python validate_model.py"],
        # With credentials bound, a fork's pull request must not run: its code would read them.
        when=jenkins.BY_OWN_CHANGE_REQUEST_OR_HAND if env else jenkins.BY_CHANGE_REQUEST_OR_HAND,
        head=jenkins.credentials(JENKINS_CREDENTIALS) if env else "",
    )
    change = ci_change(
        stack,
        workflow="validate-model",
        github=github,
        gitlab=gitlab,
        azure_pipeline=pipeline,
        jenkinsfile=jenkinsfile,
    )
    pull_requests = {"azure_pipelines": azure.PULL_REQUEST_POLICY, "jenkins": jenkins.PULL_REQUESTS}
    ci_system_notes = [pull_requests[stack.ci]] if stack.ci in pull_requests else []
    if stack.ci == "jenkins" and env:
        ci_system_notes.append(jenkins.credential_note(JENKINS_CREDENTIALS))
        ci_system_notes.append(jenkins.FORKS_LEFT_OUT)
    return Kit(
        step="model_validation",
        title="Model validation against production",
        changes=(
            FileChange("validate_model.py", text),
            change,
        ),
        does=(
            f"python validate_model.py compares the candidate's {CANDIDATE_METRICS} with "
            f"{source}, and exits with status 1 when a metric is worse (lower, or higher for "
            "losses and errors).",
            f"CI trains with python {script} and runs the comparison on every pull or merge "
            "request, and on demand.",
        ),
        does_not=(
            f"It does not compute metrics: the evaluation must write {CANDIDATE_METRICS} "
            "(a TODO in the script says where).",
            "It does not check slices, fairness or the serving infrastructure, and its tolerance "
            "(0) is the team's to set.",
            "Training on every pull request costs CI time: move the job to the scheduled "
            "training run when it grows.",
            *ci_system_notes,
            *ci_notes(stack, change),
        ),
    )
