"""A reproducible environment: a lock file resolved from the team's own dependency manifest,
and CI that fails while it is missing or out of date.

Resolving versions needs the package index, so the kit cannot write the lock itself offline
and deterministically: it adds the `make lock` target that writes it with a pinned uv, and the
CI job that runs it and fails until the committed lock is what it writes.
"""

from __future__ import annotations

import re

from . import azure, jenkins
from .build import Kit, KitUnavailable, kit
from .patch import FileChange
from .stack import Manifest, Stack
from .workflows import ci_change, ci_notes, github_workflow, gitlab_job

UV = "uv==0.13.9"


def _lock(stack: Stack) -> tuple[str, str, str]:
    """The lock file, the command that writes it and the command that checks it."""
    if stack.manifest == Manifest.REQUIREMENTS:
        lock = "requirements.lock"
        write = (
            f"uv pip compile requirements.txt --universal --python-version {stack.python_version}"
            f" --generate-hashes --output-file {lock}"
        )
        return lock, write, f"git diff --exit-code -- {lock} && git ls-files --error-unmatch {lock}"
    if stack.manifest == Manifest.PYPROJECT:
        return "uv.lock", "uv lock", "uv lock --check"
    raise KitUnavailable(
        "The repository declares no dependencies (no requirements.txt or pyproject.toml) to "
        "lock; list them first."
    )


@kit("reproducible_environment")
def lock_file(stack: Stack) -> Kit:
    lock, write, check = _lock(stack)
    target = f"lock:  ## Write {lock} from {stack.manifest} (needs the package index)\n\t{write}\n"
    if stack.makefile is None:
        makefile = FileChange("Makefile", f".PHONY: lock\n{target}")
    elif re.search(r"^lock\s*:", stack.makefile, re.M):
        raise KitUnavailable("The Makefile already has a lock target; make CI run it instead.")
    else:
        before = stack.makefile
        separator = "" if before.endswith("\n") else "\n"
        makefile = FileChange("Makefile", f"{before}{separator}\n.PHONY: lock\n{target}", before)
    failing = f"{lock} is missing or out of date; run make lock and commit it."
    github = github_workflow(
        stack,
        name="lock",
        title="Lock file",
        triggers="  push:\n  pull_request:\n",
        steps=[
            f"      - run: python -m pip install {UV}\n",
            "      - run: make lock\n",
            f"      - name: {lock} is committed and current\n",
            f'        run: {check} || {{ echo "{failing}"; exit 1; }}\n',
        ],
        install=False,
    )
    gitlab = gitlab_job(
        stack,
        name="lock",
        script=[
            f"python -m pip install {UV}",
            "make lock",
            f'{check} || {{ echo "{failing}"; exit 1; }}',
        ],
        rules=['if: $CI_PIPELINE_SOURCE == "merge_request_event"', "if: $CI_COMMIT_BRANCH"],
        install=False,
    )
    pipeline = azure.azure_pipeline(
        stack,
        title="Lock file",
        job="lock",
        triggers=azure.ON_CHANGE,
        steps=[
            azure.script(f"python -m pip install {UV}"),
            azure.script("make lock"),
            azure.script(
                f'{check} || {{ echo "{failing}"; exit 1; }}',
                name=f"{lock} is committed and current",
            ),
        ],
        install=False,
    )
    jenkinsfile = jenkins.jenkins_pipeline(
        stack,
        title="Lock file",
        stage="Lock file",
        commands=[
            f"python -m pip install {UV}",
            "make lock",
            f'{check} || {{ echo "{failing}"; exit 1; }}',
        ],
        install=False,
    )
    change = ci_change(
        stack,
        workflow="lock",
        github=github,
        gitlab=gitlab,
        azure_pipeline=pipeline,
        jenkinsfile=jenkinsfile,
    )
    return Kit(
        step="reproducible_environment",
        title="Reproducible environment with a lock file",
        changes=(makefile, change),
        does=(
            f"make lock resolves {stack.manifest} into {lock} with {UV}: every package, "
            "dependencies of dependencies included, at one exact version"
            + (" with its hashes." if lock == "requirements.lock" else "."),
            f"CI runs make lock on every push and merge request and fails when the committed "
            f"{lock} is missing or differs from what it writes.",
        ),
        does_not=(
            f"It does not write {lock}: resolving versions needs the package index, so run "
            f"make lock once (pip install {UV} first) and commit the file; CI stays red until "
            "you do.",
            f"It does not make the other jobs install from {lock}: switch them when the lock "
            "is committed"
            + (
                " (pip install --require-hashes -r requirements.lock)."
                if lock == "requirements.lock"
                else " (uv sync --locked)."
            ),
            "It does not upgrade anything: run make lock with uv's --upgrade when you choose to.",
            *ci_notes(stack, change),
        ),
    )
