"""Continuous integration: CI that runs on every change, housekeeping workflows aside."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, register
from ..ciconfig import CIConfig, ci_configs, does_work
from ..common import finding
from .configs import ci_name, tests_run_by_ci

# Workflows that scan or tidy the repository (code scanning, stale issues, labels, release
# notes) run on every change without building or testing anything: they are not CI.
HOUSEKEEPING_ACTION = re.compile(
    r"^(-\s*)?uses\s*:\s*['\"]?(github/codeql-action|actions/(stale|labeler|first-interaction|"
    r"upload-artifact|download-artifact)|release-drafter/|dessant/|peter-evans/"
    r"(create-or-update-comment|close-issue)|amannn/action-semantic-pull-request)",
    re.I,
)
USES_ACTION = re.compile(r"^(-\s*)?uses\s*:", re.I)


def _housekeeping_only(config: CIConfig) -> bool:
    """True when the config's only work is housekeeping actions (CodeQL, stale, labeler...)."""
    work = [text for _, text in config.lines if does_work(text)]
    return any(HOUSEKEEPING_ACTION.match(text) for text in work) and all(
        HOUSEKEEPING_ACTION.match(text) or (not USES_ACTION.match(text) and _is_setting(text))
        for text in work
    )


_SETTING = re.compile(r"^(-\s*)?[\w-]+\s*:\s*\S")
_COMMAND = re.compile(
    r"^(-\s*)?(run|script|commands?|sh|bash|pwsh|powershell|entrypoint|args|cmd)\s*:", re.I
)


def _is_setting(text: str) -> bool:
    """A ``key: value`` line that runs nothing: an action's inputs, a cron, a permission."""
    return bool(_SETTING.match(text)) and not _COMMAND.match(text)


@register
def continuous_integration(snapshot: RepositorySnapshot) -> list[Finding]:
    """CI that runs on every change (push or pull request).

    A workflow started only by hand or on a schedule is CI in part when it runs the tests;
    one that only deploys or publishes something by hand is no CI at all.
    """
    findings = []
    tested = {config.path for config, _ in tests_run_by_ci(snapshot)}
    for config in ci_configs(snapshot):
        if _housekeeping_only(config):
            continue
        if config.runs_on_change:
            line = config.triggers.get("push") or config.triggers.get("pull_request")
            findings.append(
                finding(
                    "ci",
                    1,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} runs on every change.",
                    config.path,
                    line,
                )
            )
        elif config.path in tested:
            findings.append(
                finding(
                    "ci",
                    0.5,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} runs the tests only on a schedule or by hand.",
                    config.path,
                )
            )
    return findings
