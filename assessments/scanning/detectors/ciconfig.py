"""Finding CI configurations by path *and by content*, and reading what they run and when.

How a file is recognised as CI, and of which system, is in ``cisystems``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ..tree import RepositorySnapshot
from .base import keywords
from .cisystems import known_ci_system, looks_like_ci

CI_SHAPE = keywords(
    "jobs:",
    "steps:",
    "stages:",
    "script:",
    "phases:",
    "pipelines:",
    "trigger:",
    "stages {",
    "stage(",
)

MAX_CI_BYTES = 1_000_000


@dataclass
class CIConfig:
    """One CI definition: what system, what triggers it, and its non-comment lines."""

    path: str
    system: str
    by_content: bool
    lines: list[tuple[int, str]]
    triggers: dict[str, int] = field(default_factory=dict)

    def search(self, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        return [(number, text) for number, text in self.lines if pattern.search(text)]

    def search_work(self, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        """Like ``search``, skipping lines that only name, print or check out something
        (``echo "Consider retraining"`` runs no training)."""
        return [(number, text) for number, text in self.search(pattern) if does_work(text)]

    def first(self, pattern: re.Pattern[str]) -> tuple[int, str] | None:
        found = self.search(pattern)
        return found[0] if found else None

    @property
    def runs_on_change(self) -> bool:
        return "push" in self.triggers or "pull_request" in self.triggers

    @property
    def only_prints(self) -> bool:
        """True when every command only prints or checks out: such a job delivers nothing,
        whatever its jobs and environments are named."""
        return not any(does_work(text) for _, text in self.lines)


# YAML keys (``name:``, ``- run: |``) and commands that do nothing but say or fetch something.
_KEY_LINE = re.compile(r"^(-\s*)?[\w.${}\[\]'\" -]+:\s*(\|[-+]?|>[-+]?)?\s*$")
_IDLE_COMMAND = re.compile(
    r"^(-\s*)?((run|script|cmd|command)\s*:\s*)?(\|\s*)?"
    r"(echo|printf|print|write-host|cat|ls|pwd|true|exit 0)\b",
    re.I,
)
_IDLE_KEY = re.compile(
    r"^(-\s*)?(name|description|displayName|runs-on|needs|environment|required|type|default|"
    r"if|timeout-minutes|shell|working-directory|stage|image|tags|when|id)\s*:",
    re.I,
)
_IDLE_ACTION = re.compile(r"^(-\s*)?uses\s*:\s*actions/(checkout|setup-\w+|cache)@", re.I)


def does_work(text: str) -> bool:
    return not (
        _KEY_LINE.match(text)
        or _IDLE_COMMAND.match(text)
        or _IDLE_KEY.match(text)
        or _IDLE_ACTION.match(text)
    )


def ci_configs(snapshot: RepositorySnapshot) -> list[CIConfig]:
    """Every CI definition of the repository, found by path or by content."""

    def compute() -> list[CIConfig]:
        candidates: dict[str, tuple[str | None, bool]] = {}
        for entry in snapshot.evidence:
            system = known_ci_system(entry.path)
            if system:
                candidates[entry.path] = (system, False)
        for hit in snapshot.hits(*CI_SHAPE):
            if hit.path not in candidates and not hit.path.endswith(".py"):
                candidates[hit.path] = (None, True)
        configs = []
        for path, (system, by_content) in sorted(candidates.items()):
            text = snapshot.read_text(path, limit=MAX_CI_BYTES)
            if not text:
                continue
            if system is None:
                system = looks_like_ci(path, text)
                if system is None:
                    continue
            configs.append(_parse(path, system, by_content, text))
        _inherit_triggers(configs)
        return configs

    return snapshot.memo("ci_configs", compute)


def _parse(path: str, system: str, by_content: bool, text: str) -> CIConfig:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith(("#", "//")):
            lines.append((number, stripped))
    config = CIConfig(path=path, system=system, by_content=by_content, lines=lines)
    config.triggers = _triggers(config, text)
    return config


_TRIGGER_RULES: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "github": (
        ("push", re.compile(r"^push\s*:|^-\s*push$|^on\s*:\s*\[?[^#]*\bpush\b")),
        ("pull_request", re.compile(r"\bpull_request(_target)?\b")),
        ("schedule", re.compile(r"^schedule\s*:|^-\s*cron\s*:|^cron\s*:")),
        ("manual", re.compile(r"\bworkflow_dispatch\b")),
        ("external_event", re.compile(r"\b(repository_dispatch|registry_package|workflow_run)\b")),
        ("tag", re.compile(r"^tags\s*:\s*(\[|$)")),
        ("release", re.compile(r"^release\s*:|^-\s*release$|on:\s*release")),
    ),
    "gitlab": (
        (
            "schedule",
            re.compile(r"^-\s*schedules$|only:.*schedules|PIPELINE_SOURCE\s*==\s*['\"]schedule"),
        ),
        ("tag", re.compile(r"CI_COMMIT_TAG|^-\s*tags$|^only:\s*\[?\s*tags")),
        ("pull_request", re.compile(r"merge_request")),
        ("manual", re.compile(r"when:\s*manual|CI_PIPELINE_SOURCE\s*==\s*['\"]web")),
        ("external_event", re.compile(r"CI_PIPELINE_SOURCE\s*==\s*['\"](api|trigger|pipeline)")),
    ),
    "azure": (
        ("schedule", re.compile(r"^schedules\s*:|^-\s*cron\s*:|^cron\s*:")),
        ("pull_request", re.compile(r"^pr\s*:(?!\s*none)")),
        ("tag", re.compile(r"refs/tags")),
        ("external_event", re.compile(r"^webhooks\s*:|^pipelines\s*:")),
    ),
    "jenkins": (
        ("schedule", re.compile(r"\bcron\s*\(")),
        ("tag", re.compile(r"buildingTag\(\)|\btag\s+pattern")),
        ("external_event", re.compile(r"GenericTrigger|upstream\s*\(")),
    ),
    "circleci": (
        ("schedule", re.compile(r"^-?\s*schedule\s*:|cron\s*:")),
        ("tag", re.compile(r"^tags\s*:")),
    ),
    "bitbucket": (
        ("pull_request", re.compile(r"^pull-requests\s*:")),
        ("tag", re.compile(r"^tags\s*:")),
        ("manual", re.compile(r"^custom\s*:")),
    ),
}
_PUSH_BY_DEFAULT = frozenset(
    {
        "gitlab",
        "jenkins",
        "circleci",
        "bitbucket",
        "cloudbuild",
        "buildspec",
        "drone",
        "travis",
        "buildkite",
        "woodpecker",
        "appveyor",
        "tekton",
        "codefresh",
        "semaphore",
        "generic",
    }
)


def _triggers(config: CIConfig, text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for trigger, pattern in _TRIGGER_RULES.get(config.system, ()):
        hit = config.first(pattern)
        if hit:
            found[trigger] = hit[0]
    if config.system in _PUSH_BY_DEFAULT:
        found.setdefault("push", config.lines[0][0] if config.lines else 1)
    if config.system == "azure" and not re.search(r"^trigger\s*:\s*none", text, re.M):
        found.setdefault("push", config.lines[0][0] if config.lines else 1)
    if config.system == "github" and re.search(r"^on\s*:\s*\[?\s*push", text, re.M):
        found.setdefault("push", 1)
    return found


_TEMPLATE_REFERENCE = re.compile(r"^(?:-\s*)?template\s*:\s*['\"]?([\w./-]+\.ya?ml)['\"]?\s*$")


def _inherit_triggers(configs: list[CIConfig]) -> None:
    """An Azure Pipelines template (``- template: steps.yml``) runs when, and only when, the
    pipelines that include it run: it takes their triggers, not a push trigger of its own."""
    by_path = {config.path: config for config in configs}
    included: dict[str, dict[str, int]] = {}
    for config in configs:
        if config.system != "azure":
            continue
        folder = posixpath.dirname(config.path)
        for _, text in config.lines:
            match = _TEMPLATE_REFERENCE.match(text)
            if match:
                target = posixpath.normpath(posixpath.join(folder, match.group(1)))
                if target in by_path and target != config.path:
                    merged = included.setdefault(target, {})
                    for trigger, line in config.triggers.items():
                        merged.setdefault(trigger, line)
    for path, triggers in included.items():
        by_path[path].triggers = dict(triggers)


_SCRIPT_CALL = re.compile(
    r"\b(?:python[0-9.]*|poetry run python|uv run(?: python)?|pipenv run python)\s+"
    r"(?:-u\s+)?(-m\s+)?([\w./-]+)"
    r"|(?:^|\s|\")(?:bash|sh)\s+([\w./-]+\.sh)\b|(?:^|\s)\./([\w./-]+\.(?:sh|py))\b"
)


def invoked_scripts(snapshot: RepositorySnapshot) -> dict[str, tuple[CIConfig, int]]:
    """Repository files run by CI (``python x.py``, ``python -m pkg.mod``, ``bash x.sh``)."""

    def compute() -> dict[str, tuple[CIConfig, int]]:
        paths = {entry.path for entry in snapshot.evidence}
        invoked: dict[str, tuple[CIConfig, int]] = {}
        commands = console_scripts(snapshot)
        for config in ci_configs(snapshot):
            for number, text in config.lines:
                for match in _SCRIPT_CALL.finditer(text):
                    target = _resolve(paths, match)
                    if target:
                        invoked.setdefault(target, (config, number))
                if not commands or not does_work(text):
                    continue
                for word in _COMMAND_WORD.findall(text):
                    if word in commands:
                        invoked.setdefault(commands[word], (config, number))
        return invoked

    return snapshot.memo("invoked_scripts", compute)


_COMMAND_WORD = re.compile(r"(?:^|[\s;&|(`])([A-Za-z][\w.-]*[\w])(?=\s|$|;)")
_ENTRY_POINT = re.compile(
    r"""["']?([A-Za-z][\w.-]*)["']?\s*=\s*["']?([A-Za-z_][\w.]*)\s*:\s*[A-Za-z_][\w.]*["']?"""
)
MAX_MANIFEST_BYTES = 256 * 1024


def console_scripts(snapshot: RepositorySnapshot) -> dict[str, str]:
    """Commands a package installs (setup.py ``console_scripts``, pyproject ``[project.scripts]``)
    -> the repository file they run: CI often calls ``run-pipeline``, not the Python file."""

    def compute() -> dict[str, str]:
        paths = {entry.path for entry in snapshot.evidence}
        commands: dict[str, str] = {}
        for entry in snapshot.named("setup.py", "pyproject.toml", "setup.cfg"):
            text = snapshot.read_text(entry, limit=MAX_MANIFEST_BYTES) or ""
            if "console_scripts" not in text and "scripts]" not in text:
                continue
            root = posixpath.dirname(entry.path)
            for name, module in _ENTRY_POINT.findall(text):
                base = module.replace(".", "/")
                for option in (f"{base}.py", f"src/{base}.py", f"{base}/__main__.py"):
                    path = posixpath.join(root, option) if root else option
                    if path in paths:
                        commands.setdefault(name, path)
                        break
        return commands

    return snapshot.memo("console_scripts", compute)


def _resolve(paths: set[str], match: re.Match[str]) -> str | None:
    module_flag, target, shell, dotted = match.groups()
    name = target or shell or dotted
    if not name:
        return None
    name = name.lstrip("./")
    options = [name]
    if module_flag:
        base = name.replace(".", "/")
        options = [f"{base}.py", f"src/{base}.py", f"{base}/__main__.py", f"src/{base}/__main__.py"]
    for option in options:
        if option in paths:
            return option
    for option in options:
        matches = sorted(p for p in paths if p.endswith("/" + option))
        if matches:
            return matches[0]
    return None
