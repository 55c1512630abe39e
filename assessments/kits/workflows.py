"""The CI file a kit adds its job to, in the team's CI system, and the one rule for putting a
repository's path on a CI command line.

GitHub Actions: a new workflow file per kit. GitLab CI: the kit's job in .gitlab-ci.yml, a new
file or appended to the team's, checked to parse with every job the team had still there.
Azure Pipelines and Jenkins: a new pipeline file per kit (`azure`, `jenkins`).
"""

from __future__ import annotations

import re

from ..scanning.detectors.common import safe_yaml
from . import azure, jenkins
from .build import KitUnavailable
from .patch import FileChange
from .stack import Stack

# One shell word that no CI system reads as an expression or a variable: letters, digits and
# `_.-` in each `/`-separated part, no part starting with a dot or a dash.
_COMMAND_LINE_PATH = re.compile(
    r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}){0,9}"
)


def command_line_path(path: str, what: str) -> str:
    """`path` as it may appear in a workflow's command; refused when it could be more than one
    plain word (quotes, spaces, `$`, `${{ }}`, newlines, options)."""
    if not _COMMAND_LINE_PATH.fullmatch(path):
        raise KitUnavailable(
            f"The {what} {path!r} has characters a CI command line must not carry; rename it "
            "to letters, digits, '_', '.', '-' and '/' to get this kit."
        )
    return path


def github_workflow(
    stack: Stack,
    *,
    name: str,
    title: str,
    triggers: str,
    steps: list[str],
    env: str = "",
    install: bool = True,
    permissions: str = "  contents: read\n",
) -> str:
    """A one-job workflow: check out, set up Python, install the dependencies, then `steps`
    (each one YAML step, already indented by six spaces)."""
    dependencies = (
        f"      - run: {stack.install_command}\n" if install and stack.install_command else ""
    )
    return (
        f"name: {title}\n"
        f"on:\n{triggers}"
        f"permissions:\n{permissions}"
        "jobs:\n"
        f"  {name}:\n"
        "    runs-on: ubuntu-latest\n"
        f"{env}"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        f'          python-version: "{stack.python_version}"\n'
        "      - run: python -m pip install --upgrade pip\n"
        f"{dependencies}" + "".join(steps)
    )


def gitlab_job(
    stack: Stack, *, name: str, script: list[str], rules: list[str], install: bool = True
) -> str:
    lines = [f"{name}:", f'  image: "python:{stack.python_version}"', "  script:"]
    lines += ["    - python -m pip install --upgrade pip"]
    if install and stack.install_command:
        lines.append(f"    - {stack.install_command}")
    lines += [f"    - {command}" for command in script]
    lines.append("  rules:")
    lines += [f"    - {rule}" for rule in rules]
    return "\n".join(lines) + "\n"


def ci_change(
    stack: Stack, *, workflow: str, github: str, gitlab: str, azure_pipeline: str, jenkinsfile: str
) -> FileChange:
    """The file change that adds the kit's job: `.github/workflows/<workflow>.yml`, the
    GitLab job `gitlab` in .gitlab-ci.yml, or the Azure or Jenkins pipeline in a file of its
    own."""
    if stack.ci == "azure_pipelines":
        return azure.azure_change(stack, name=workflow, pipeline=azure_pipeline)
    if stack.ci == "jenkins":
        return jenkins.jenkins_change(stack, name=workflow, pipeline=jenkinsfile)
    if stack.ci != "gitlab_ci":
        path = f".github/workflows/{workflow}.yml"
        if path in stack.ci_files:
            raise KitUnavailable(
                f"The repository already has {path}; compare it with this kit by hand."
            )
        return FileChange(path, github)
    job = gitlab.split(":", 1)[0]
    if stack.gitlab_ci is None:
        return FileChange(".gitlab-ci.yml", gitlab)
    before = stack.gitlab_ci
    existing = safe_yaml(before)
    if not isinstance(existing, dict) or job in existing:
        raise KitUnavailable(
            f"The kit cannot add its job {job!r} to .gitlab-ci.yml (it is not a plain mapping of "
            "jobs, or has that job already); add the job by hand."
        )
    stages = existing.get("stages")
    if isinstance(stages, list) and "test" not in stages:
        # The job's default stage is `test`; `.post` exists in every pipeline.
        gitlab = gitlab.replace("\n", "\n  stage: .post\n", 1)
    separator = "" if before.endswith("\n") else "\n"
    after = f"{before}{separator}\n{gitlab}"
    combined = safe_yaml(after)
    if not isinstance(combined, dict) or set(combined) != set(existing) | {job}:
        raise KitUnavailable(
            f"Appended to .gitlab-ci.yml, the job {job!r} would change the team's jobs; add it "
            "by hand."
        )
    return FileChange(".gitlab-ci.yml", after, before)


def ci_notes(stack: Stack, change: FileChange) -> tuple[str, ...]:
    """What the team must still do for the CI system to run `change`, one sentence each."""
    if stack.ci == "azure_pipelines":
        return (azure.registration(change),)
    if stack.ci == "jenkins":
        return (jenkins.registration(change),)
    return ()
