"""Azure Pipelines: a kit's job as a pipeline file of its own.

Azure runs a YAML file only once someone registers it as a pipeline, and a repository may hold
many: the first kit writes azure-pipelines.yml (the file Azure offers when a pipeline is
created), every later one `.azure-pipelines/<kit>.yml`, never touching the team's pipelines.

Nothing from the repository reaches these files but the paths `workflows.command_line_path`
let through (one plain word: no `$`, brackets, quotes or spaces), written as YAML strings, so no
name becomes an Azure macro `$(...)`, a template or runtime expression, a key or a command.
Settings the team owns (secrets, the current data's location) are variables, read at run time.
"""

from __future__ import annotations

import json

from .build import KitUnavailable
from .patch import FileChange
from .stack import Stack

MAIN_PIPELINE = "azure-pipelines.yml"
PIPELINE_FOLDER = ".azure-pipelines"
_EVERY_BRANCH = '  branches:\n    include:\n      - "*"\n'
ON_CHANGE = f"trigger:\n{_EVERY_BRANCH}pr:\n{_EVERY_BRANCH}"
ON_PULL_REQUEST = f"trigger: none\npr:\n{_EVERY_BRANCH}"
ONLY_BY_SCHEDULE_OR_HAND = "trigger: none\npr: none\n"
# Azure Repos ignore `pr:`: a branch policy is what runs a pipeline on their pull requests.
PULL_REQUEST_POLICY = (
    "In Azure Repos, a pipeline runs on pull requests only through a build validation branch "
    "policy: add one with this pipeline to the main branch."
)


def scalar(value: str) -> str:
    """`value` as a YAML string: JSON's double-quoted form is YAML too, every character kept."""
    return json.dumps(value)


def schedule(cron: str, name: str) -> str:
    """A scheduled run on the main branch, whether or not the code changed since the last one
    (`always`): data changes without commits."""
    return (
        "schedules:\n"
        f"  - cron: {scalar(cron)}\n"
        f"    displayName: {scalar(name)}\n"
        "    branches:\n"
        "      include:\n"
        "        - main  # TODO: the branch to run from, if not main\n"
        "    always: true\n"
    )


def script(command: str, *, name: str = "", env: dict[str, str] | None = None) -> str:
    """One `script` step, unindented; `command` is the kit's fixed text or a plain word."""
    lines = [f"- script: {scalar(command)}"]
    if name:
        lines.append(f"  displayName: {scalar(name)}")
    if env:
        lines.append("  env:")
        lines += [f"    {key}: {scalar(value)}" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def azure_pipeline(
    stack: Stack,
    *,
    title: str,
    job: str,
    triggers: str,
    steps: list[str],
    install: bool = True,
    head: str = "",
    environment: str = "",
) -> str:
    """A one-job pipeline: Python set up, the dependencies installed, then `steps` (each from
    `script` or a step of the same shape). With `environment`, a deployment job, so that the
    environment's approvals and checks gate it."""
    setup = [
        f"- task: UsePythonVersion@0\n  inputs:\n    versionSpec: {scalar(stack.python_version)}\n",
        script("python -m pip install --upgrade pip"),
    ]
    if install and stack.install_command:
        setup.append(script(stack.install_command))
    if environment:
        # A deployment job checks out nothing by itself.
        body = _indent("".join(["- checkout: self\n", *setup, *steps]), 12)
        job_text = (
            f"  - deployment: {job}\n"
            f"    displayName: {scalar(title)}\n"
            f"    environment: {scalar(environment)}\n"
            "    pool:\n      vmImage: ubuntu-latest\n"
            "    strategy:\n      runOnce:\n        deploy:\n          steps:\n"
            f"{body}"
        )
    else:
        job_text = (
            f"  - job: {job}\n"
            f"    displayName: {scalar(title)}\n"
            "    pool:\n      vmImage: ubuntu-latest\n"
            "    steps:\n"
            f"{_indent(''.join([*setup, *steps]), 6)}"
        )
    return f"# {title}\n{triggers}{head}jobs:\n{job_text}"


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def azure_path(stack: Stack, name: str) -> str:
    """azure-pipelines.yml while the repository has none, else `.azure-pipelines/<name>.yml`."""
    if not any(path in stack.ci_files for path in (MAIN_PIPELINE, "azure-pipelines.yaml")):
        return MAIN_PIPELINE
    path = f"{PIPELINE_FOLDER}/{name}.yml"
    if path in stack.ci_files:
        raise KitUnavailable(
            f"The repository already has {path}; compare it with this kit by hand."
        )
    return path


def azure_change(stack: Stack, *, name: str, pipeline: str) -> FileChange:
    return FileChange(azure_path(stack, name), pipeline)


def registration(change: FileChange) -> str:
    """What the team must do before Azure runs the file: it is no pipeline until registered."""
    return (
        f"Azure Pipelines runs {change.path} only once it is registered as a pipeline: "
        "Pipelines > New pipeline > Existing Azure Pipelines YAML file."
    )
