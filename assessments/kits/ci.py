"""CI that runs the tests on every change, in the CI system the team uses."""

from __future__ import annotations

from . import jenkins
from .azure import ON_CHANGE, azure_change, azure_pipeline, script
from .build import Kit, KitUnavailable, kit
from .patch import FileChange
from .stack import Stack
from .workflows import ci_notes

NO_TESTS = (
    "No tests yet: until the step 'Unit tests of feature and model code' adds them, CI checks "
    "that every module compiles."
)

PROTECT = (
    "It does not make the check required: protect the main branch so that a red run blocks "
    "the merge."
)
# Azure Repos ignore `pr:`: a branch policy is what runs a pipeline on their pull requests.
AZURE_PROTECT = (
    "It does not make the check required: add a build validation branch policy with this "
    "pipeline to the main branch (in Azure Repos it is also what runs it on pull requests)."
)


def _commands(stack: Stack) -> list[str]:
    commands = ["python -m pip install --upgrade pip"]
    if stack.install_command:
        commands.append(stack.install_command)
    if stack.has_tests:
        commands += ["pip install pytest", "python -m pytest"]
    else:
        commands.append("python -m compileall -q .")
    return commands


@kit("ci")
def continuous_integration(stack: Stack) -> Kit:
    if stack.ci == "azure_pipelines":
        change = azure_change(stack, name="ci", pipeline=_azure(stack))
    elif stack.ci == "jenkins":
        change = jenkins.jenkins_change(stack, name="ci", pipeline=_jenkins(stack))
    elif stack.ci == "gitlab_ci":
        if stack.ci_files:
            raise KitUnavailable(
                "The repository already has a .gitlab-ci.yml; add a job that runs on every "
                "push and merge request to it by hand."
            )
        change = FileChange(".gitlab-ci.yml", _gitlab(stack))
    else:
        path = ".github/workflows/ci.yml"
        if path in stack.ci_files:
            raise KitUnavailable(
                f"The repository already has {path}; make it run on push and pull_request."
            )
        change = FileChange(path, _github(stack))
    does = [
        f"Runs on every push and pull request with Python {stack.python_version}.",
        f"Installs the dependencies with {stack.install_command}."
        if stack.install_command
        else "Installs nothing: the repository declares no dependencies.",
        "Runs the tests with pytest." if stack.has_tests else NO_TESTS,
    ]
    return Kit(
        step="ci",
        title="CI on every change",
        changes=(change,),
        does=tuple(does),
        does_not=(
            AZURE_PROTECT if stack.ci == "azure_pipelines" else PROTECT,
            *ci_notes(stack, change),
        ),
    )


def _github(stack: Stack) -> str:
    steps = "\n".join(f"      - run: {command}" for command in _commands(stack))
    comment = "" if stack.has_tests else f"# {NO_TESTS}\n"
    return (
        f"{comment}name: CI\n"
        "on:\n"
        "  push:\n"
        "  pull_request:\n"
        "permissions:\n"
        "  contents: read\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        f'          python-version: "{stack.python_version}"\n'
        f"{steps}\n"
    )


def _gitlab(stack: Stack) -> str:
    script = "\n".join(f"    - {command}" for command in _commands(stack))
    comment = "" if stack.has_tests else f"# {NO_TESTS}\n"
    return (
        f"{comment}test:\n"
        f'  image: "python:{stack.python_version}"\n'
        "  script:\n"
        f"{script}\n"
        "  rules:\n"
        '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n'
        "    - if: $CI_COMMIT_BRANCH\n"
    )


def _azure(stack: Stack) -> str:
    comment = "" if stack.has_tests else f"# {NO_TESTS}\n"
    commands = _commands(stack)[1 + bool(stack.install_command) :]  # set up by the pipeline
    return comment + azure_pipeline(
        stack,
        title="CI",
        job="test",
        triggers=ON_CHANGE,
        steps=[script(command) for command in commands],
    )


def _jenkins(stack: Stack) -> str:
    comment = "" if stack.has_tests else f"// {NO_TESTS}\n"
    commands = _commands(stack)[1 + bool(stack.install_command) :]  # set up by the pipeline
    return comment + jenkins.jenkins_pipeline(stack, title="CI", stage="Test", commands=commands)
