"""Continuous training on a schedule: CI runs the team's training script every week, and on
demand, in the CI system the team uses."""

from __future__ import annotations

from . import azure, jenkins
from .build import Kit, KitUnavailable, kit
from .stack import Stack
from .workflows import ci_change, ci_notes, command_line_path, github_workflow, gitlab_job

# Monday 03:17 UTC: a quiet hour, off the minute every other scheduled job starts on.
CRON = "17 3 * * 1"
WHERE = {
    "github_actions": "GitHub Actions",
    "gitlab_ci": "GitLab CI (create the schedule under Build > Pipeline schedules)",
    "azure_pipelines": "Azure Pipelines (from the main branch)",
    "jenkins": "Jenkins (on the main branch)",
}


@kit("pipeline_triggers")
def scheduled_training(stack: Stack) -> Kit:
    if stack.entry_point is None:
        raise KitUnavailable(
            "No training script (train*.py) was found to run on a schedule; move the training "
            "code out of notebooks first (the step 'Modular and packaged components')."
        )
    script = command_line_path(stack.entry_point, "training script")
    model = command_line_path(stack.saved_model, "saved model") if stack.saved_model else None
    steps = [f"      - run: python {script}\n"]
    if model:
        steps += [
            "      - uses: actions/upload-artifact@v4\n",
            "        with:\n",
            "          name: model\n",
            f"          path: {model}\n",
            "          if-no-files-found: error\n",
        ]
    github = github_workflow(
        stack,
        name="train",
        title="Scheduled training",
        triggers=(
            "  schedule:\n"
            f'    - cron: "{CRON}"  # TODO: the cadence your data changes at\n'
            "  workflow_dispatch:\n"
        ),
        steps=steps,
    )
    gitlab = gitlab_job(
        stack,
        name="scheduled-training",
        script=[f"python {script}"],
        rules=['if: $CI_PIPELINE_SOURCE == "schedule"', 'if: $CI_PIPELINE_SOURCE == "web"'],
    )
    if model:
        gitlab += f"  artifacts:\n    paths:\n      - {model}\n"
    azure_steps = [azure.script(f"python {script}", name="Train")]
    if model:
        azure_steps.append(f"- publish: {azure.scalar(model)}\n  artifact: model\n")
    pipeline = azure.azure_pipeline(
        stack,
        title="Scheduled training",
        job="train",
        triggers=azure.ONLY_BY_SCHEDULE_OR_HAND + azure.schedule(CRON, "Weekly training"),
        steps=azure_steps,
    )
    jenkinsfile = jenkins.jenkins_pipeline(
        stack,
        title="Scheduled training",
        stage="Train",
        commands=[f"python {script}"],
        triggers=jenkins.schedule(CRON),
        when=jenkins.BY_SCHEDULE_OR_HAND,
        post=jenkins.keep(model, always=False) if model else "",
    )
    change = ci_change(
        stack,
        workflow="train",
        github=github,
        gitlab=gitlab,
        azure_pipeline=pipeline,
        jenkinsfile=jenkinsfile,
    )
    return Kit(
        step="pipeline_triggers",
        title="Scheduled training run",
        changes=(change,),
        does=(
            f"{WHERE[stack.ci]} runs python {script} every Monday at 03:17 UTC, and whenever "
            "someone starts it by hand, with the repository's dependencies installed.",
            f"Keeps {model} from each run as the run's artifact."
            if model
            else "Keeps nothing from the run: the script does not save its model to a file "
            "name the kit can read.",
        ),
        does_not=(
            "It does not fetch fresh data or pass credentials: give the job the secrets your "
            "data source needs, as CI secrets.",
            "It does not validate the data or the model before they are used: add the steps "
            "'Data validation gate' and 'Model validation against production' to the job.",
            (
                "GitHub pauses scheduled workflows in a repository without activity for 60 "
                "days; a schedule"
                if stack.ci == "github_actions"
                else "A schedule"
            )
            + " does not retrain on new data or drift (the step 'Monitoring triggers "
            "retraining').",
            *ci_notes(stack, change),
        ),
    )
