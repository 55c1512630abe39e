"""Drift monitoring with an alert: an evidently data drift report comparing current data with
the reference the team trained on (its sample data), run by CI on a schedule, failing (and so
alerting) when the data has drifted."""

from __future__ import annotations

from . import azure, jenkins
from .build import Kit, KitUnavailable, kit, with_requirements
from .patch import FileChange
from .stack import Stack
from .workflows import ci_change, ci_notes, github_workflow, gitlab_job

EVIDENTLY = "evidently==0.7.23"
# evidently 0.7.23 leaves pandas unbounded but does not import with pandas 3.
PANDAS_FOR_EVIDENTLY = "pandas<3"
# The job's install, in every CI system: quoted, `<` would be a redirection.
INSTALL = f'pip install {EVIDENTLY} "{PANDAS_FOR_EVIDENTLY}"'
REPORT = "drift_report.html"
CRON = "23 6 * * *"
JENKINS_CREDENTIALS = {"CURRENT_DATA": "current-data"}

_SCRIPT = '''"""Compare current data with the reference; exit with status 1 when it has drifted.

evidently's data drift preset tests each column's distribution; the data has drifted when the
share of drifting columns reaches DRIFT_SHARE. The report is written to REPORT, for a person.

Usage: python monitor_drift.py [CURRENT.csv]   (default: the CURRENT_DATA environment variable,
a path or a URL pandas reads, e.g. the last week of production inputs)
"""

import os
import sys

import pandas as pd

REFERENCE_DATA = {reference!r}
COLUMNS = {columns!r}
REPORT = {report!r}
# The share of drifting columns that counts as drift. TODO: the team's call.
DRIFT_SHARE = 0.5


def load(path):
    """The monitored columns of a CSV file; a sentence naming the columns it lacks if any."""
    frame = pd.read_csv(path)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{{path}} lacks the columns {{missing}}")
    return frame[COLUMNS]


def drifted_share(reference, current):
    """The share of columns whose distribution drifted, with the report saved to REPORT."""
    # Imported where it is used: reading and checking the data needs only pandas.
    from evidently import Report
    from evidently.presets import DataDriftPreset

    result = Report([DataDriftPreset(drift_share=DRIFT_SHARE)]).run(
        current_data=current, reference_data=reference
    )
    result.save_html(REPORT)
    for metric in result.dict()["metrics"]:
        if metric["config"]["type"].endswith(":DriftedColumnsCount"):
            return metric["value"]["share"]
    raise RuntimeError("evidently's report has no count of drifted columns")


def main(arguments):
    current_path = arguments[0] if arguments else os.environ.get("CURRENT_DATA", "")
    if not current_path:
        print("Name the current data: an argument, or the CURRENT_DATA variable.", file=sys.stderr)
        return 2
    try:
        reference, current = load(REFERENCE_DATA), load(current_path)
    except (OSError, ValueError) as error:
        print(f"Cannot read the data: {{error}}", file=sys.stderr)
        return 2
    share = drifted_share(reference, current)
    print(f"{{share:.0%}} of the columns drifted; the report is in {{REPORT}}.")
    if share >= DRIFT_SHARE:
        print("The data has drifted from the reference.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


@kit("monitoring")
def drift_monitoring(stack: Stack) -> Kit:
    if stack.sample_data is None or not stack.columns:
        raise KitUnavailable(
            "No sample data (a CSV file with a header) is in the repository to serve as the "
            "reference; commit a sample of the training data first."
        )
    columns = [column.name for column in stack.columns]
    script = _SCRIPT.format(reference=stack.sample_data, columns=columns, report=REPORT)
    # The location of current data is the team's: a repository variable, read through the
    # environment, never written into a command.
    env = "    env:\n      CURRENT_DATA: ${{ vars.CURRENT_DATA }}\n"
    github = github_workflow(
        stack,
        name="drift",
        title="Drift monitoring",
        triggers=f'  schedule:\n    - cron: "{CRON}"\n  workflow_dispatch:\n',
        steps=[
            f"      - run: {INSTALL}\n",
            "      - run: python monitor_drift.py\n",
            "      - uses: actions/upload-artifact@v4\n",
            "        if: always()\n",
            "        with:\n",
            "          name: drift-report\n",
            f"          path: {REPORT}\n",
        ],
        env=env,
    )
    gitlab = gitlab_job(
        stack,
        name="drift-monitoring",
        script=[INSTALL, "python monitor_drift.py"],
        rules=['if: $CI_PIPELINE_SOURCE == "schedule"', 'if: $CI_PIPELINE_SOURCE == "web"'],
    )
    gitlab += f"  artifacts:\n    when: always\n    paths:\n      - {REPORT}\n"
    pipeline = azure.azure_pipeline(
        stack,
        title="Drift monitoring",
        job="drift",
        triggers=azure.ONLY_BY_SCHEDULE_OR_HAND + azure.schedule(CRON, "Daily drift check"),
        steps=[
            azure.script(INSTALL),
            # Mapped by name: a secret variable (a URL with a token) reaches no script unmapped.
            azure.script("python monitor_drift.py", env={"CURRENT_DATA": "$(CURRENT_DATA)"}),
            f"- publish: {azure.scalar(REPORT)}\n  artifact: drift-report\n"
            "  condition: succeededOrFailed()\n",
        ],
    )
    jenkinsfile = jenkins.jenkins_pipeline(
        stack,
        title="Drift monitoring",
        stage="Drift check",
        commands=[INSTALL, "python monitor_drift.py"],
        triggers=jenkins.schedule(CRON),
        when=jenkins.BY_SCHEDULE_OR_HAND,
        head=jenkins.credentials(JENKINS_CREDENTIALS),
        post=jenkins.keep(REPORT, always=True),
    )
    change = ci_change(
        stack,
        workflow="drift",
        github=github,
        gitlab=gitlab,
        azure_pipeline=pipeline,
        jenkinsfile=jenkinsfile,
    )
    return Kit(
        step="monitoring",
        title="Drift monitoring with evidently",
        changes=(
            FileChange("monitor_drift.py", script),
            change,
            *with_requirements(stack, EVIDENTLY, PANDAS_FOR_EVIDENTLY),
        ),
        does=(
            f"python monitor_drift.py compares current data with {stack.sample_data} on its "
            f"{len(columns)} columns with evidently's data drift preset, writes {REPORT}, "
            "and exits with status 1 when half the columns or more drifted.",
            "CI runs it every day at 06:23 UTC and on demand; a drifted run fails, which "
            "notifies the people watching the workflow, and keeps the report.",
        ),
        does_not=(
            "It does not know where production data is: set the CI variable CURRENT_DATA to "
            "a path or URL of recent inputs (CSV), with any credentials as secrets.",
            "It watches the input data only: prediction drift and model quality need the "
            "predictions and labels logged (the step 'Prediction logging').",
            "It does not retrain on drift (the step 'Monitoring triggers retraining').",
            f"{EVIDENTLY} does not import with pandas 3: the job installs pandas 2, and a "
            "requirements file that pins pandas 3 must go back to pandas 2 for it.",
            *((jenkins.credential_note(JENKINS_CREDENTIALS),) if stack.ci == "jenkins" else ()),
            *ci_notes(stack, change),
        ),
    )
