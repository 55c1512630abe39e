"""Jenkins: a kit's job as a declarative pipeline of its own.

The first kit writes the Jenkinsfile a (multibranch) Pipeline job reads; once the repository
has one, each kit writes `jenkins/<kit>.Jenkinsfile`, a pipeline someone points a job at.

Every Groovy string here is single-quoted, so Groovy interpolates nothing: `$` reaches the shell
as the kit wrote it. The only names from the repository are the paths
`workflows.command_line_path` lets through (one plain word), and `literal` escapes them anyway.
Secrets are Jenkins credentials, bound to environment variables by id, never written here.
"""

from __future__ import annotations

from .build import KitUnavailable
from .patch import FileChange
from .stack import Stack

MAIN_PIPELINE = "Jenkinsfile"
PIPELINE_FOLDER = "jenkins"
# Runs started by the schedule or by a person, not by the push every branch build starts on.
BY_SCHEDULE_OR_HAND = "anyOf { triggeredBy 'TimerTrigger'; triggeredBy cause: 'UserIdCause' }"
BY_CHANGE_REQUEST_OR_HAND = "anyOf { changeRequest(); triggeredBy cause: 'UserIdCause' }"
# The same, leaving out pull requests from forks: a stage that runs the pull request's code
# with the job's credentials in its environment must not run code from outside the team.
BY_OWN_CHANGE_REQUEST_OR_HAND = (
    f"allOf {{ {BY_CHANGE_REQUEST_OR_HAND}; expression {{ return !env.CHANGE_FORK }} }}"
)
FORKS_LEFT_OUT = (
    "Pull requests from forks are left out: their code would run with the job's credentials. "
    "A maintainer validates such a change from a branch of the repository."
)


def literal(value: str) -> str:
    """`value` as a single-quoted Groovy string: no interpolation, every character kept."""
    for character, escape in (("\\", "\\\\"), ("'", "\\'"), ("\n", "\\n"), ("\r", "\\r")):
        value = value.replace(character, escape)
    return f"'{value}'"


def schedule(cron: str) -> str:
    """A cron trigger on the main branch only (every branch of a multibranch job reads it; a
    single-branch job has no branch name)."""
    branch = "env.BRANCH_NAME in [null, 'main']"
    return f"    triggers {{\n        cron({branch} ? {literal(cron)} : '')\n    }}\n"


def shell(commands: list[str]) -> str:
    """One `sh` step running `commands` in one shell, in a virtual environment: the agent's
    Python is not the job's to install into."""
    script = ["python3 -m venv .venv", ". .venv/bin/activate", *commands]
    for command in script:
        if "'''" in command or "\\" in command or "\n" in command:
            raise ValueError(f"not a command a kit writes: {command!r}")
    body = "".join(f"                    {command}\n" for command in script)
    return f"                sh '''\n{body}                '''\n"


def jenkins_pipeline(
    stack: Stack,
    *,
    title: str,
    stage: str,
    commands: list[str],
    install: bool = True,
    triggers: str = "",
    when: str = "",
    gate: str = "",
    head: str = "",
    steps: str = "",
    post: str = "",
    agent: str = "",
) -> str:
    """A declarative pipeline of one stage: the dependencies installed, then `commands`, in a
    python image of the team's version unless `agent` says otherwise. `gate` (an `input`) and
    `when` decide whether the stage runs; `head` holds top-level directives (`environment`,
    `parameters`), `post` the stage's post conditions."""
    setup = ["python -m pip install --upgrade pip"]
    if install and stack.install_command:
        setup.append(stack.install_command)
    image = literal(f"python:{stack.python_version}")
    agent = agent or f"    agent {{\n        docker {{ image {image} }}\n    }}\n"
    condition = gate + (f"            when {{ {when} }}\n" if when else "")
    return (
        f"// {title}\n"
        "pipeline {\n"
        f"{agent}{triggers}{head}"
        "    options {\n        timeout(time: 2, unit: 'HOURS')\n    }\n"
        "    stages {\n"
        f"        stage({literal(stage)}) {{\n"
        f"{condition}"
        "            steps {\n"
        f"{shell([*setup, *commands])}{steps}"
        "            }\n"
        f"{post}"
        "        }\n"
        "    }\n"
        "}\n"
    )


def jenkins_change(stack: Stack, *, name: str, pipeline: str) -> FileChange:
    """The Jenkinsfile while the repository has none, else `jenkins/<name>.Jenkinsfile`."""
    if MAIN_PIPELINE not in stack.ci_files:
        return FileChange(MAIN_PIPELINE, pipeline)
    path = f"{PIPELINE_FOLDER}/{name}.Jenkinsfile"
    if path in stack.ci_files:
        raise KitUnavailable(
            f"The repository already has {path}; compare it with this kit by hand."
        )
    return FileChange(path, pipeline)


def registration(change: FileChange) -> str:
    return (
        f"Jenkins runs {change.path} only from a Pipeline (or Multibranch Pipeline) job whose "
        f"script path is {change.path}: create one, or point the repository's job at it."
    )


def credentials(variables: dict[str, str]) -> str:
    """Environment variables bound to Jenkins credentials (secret text) by id."""
    lines = "".join(
        f"        {name} = credentials({literal(credential)})\n"
        for name, credential in variables.items()
    )
    return f"    environment {{\n{lines}    }}\n"


def keep(path: str, *, always: bool) -> str:
    """The stage's post condition that archives `path`: after every run, or successful ones."""
    when = "always" if always else "success"
    empty = "true" if always else "false"
    return (
        "            post {\n"
        f"                {when} {{\n"
        f"                    archiveArtifacts artifacts: {literal(path)}, "
        f"allowEmptyArchive: {empty}\n"
        "                }\n"
        "            }\n"
    )


def credential_note(variables: dict[str, str]) -> str:
    """What the team adds in Jenkins for `credentials`."""
    listed = ", ".join(f"{credential!r} ({name})" for name, credential in variables.items())
    return f"In Jenkins, add the secret text credentials the job reads: {listed}."


PULL_REQUESTS = (
    "Jenkins sees pull requests only in a Multibranch Pipeline job that discovers them (a "
    "GitHub, GitLab or Bitbucket branch source)."
)
