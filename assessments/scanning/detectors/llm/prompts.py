"""Prompts kept out of code: prompt files, templates and prompt registries."""

from __future__ import annotations

import re

from ...evidencepaths import VENDOR_SEGMENTS
from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, plural
from ..imports import files_importing
from ..javascript import js_llm_lines
from ..paths import is_test_path

PROMPT_DIRECTORIES = frozenset({"prompts", "prompt_templates", "prompt-templates", "prompt"})
PROMPT_SUFFIXES = (".prompt", ".prompty", ".prompt.yaml", ".prompt.yml", ".prompt.json")
# Template formats: in a prompts/ directory they are prompts whoever loads them.
PROMPT_TEMPLATE_FORMATS = (".jinja", ".jinja2", ".j2", ".mustache", ".hbs", ".tmpl")
# A data file named for the prompts it holds (NeMo Guardrails' prompts.yml, answer_prompts.json).
_PROMPTS_DATA_FILE = re.compile(r"^(?:[\w.-]*[_.-])?prompts?\.(?:ya?ml|json|toml)$")
# Plain text and data formats: prompts only when the code loads them from that directory.
PROMPT_TEXT_SUFFIXES = (".txt", ".md", ".yaml", ".yml", ".json", ".toml")
# Calls that fetch a prompt by name (and version) from a prompt registry.
PROMPT_REGISTRY_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "langfuse": ("Langfuse prompt management", keywords("get_prompt(", "create_prompt(")),
    "langsmith": ("the LangSmith prompt hub", keywords("pull_prompt(", "push_prompt(")),
    "langchain": (
        "the LangChain hub",
        keywords(
            "hub.pull(",
        ),
    ),
    "mlflow": ("the MLflow prompt registry", keywords("load_prompt(", "register_prompt(")),
    "promptlayer": (
        "PromptLayer",
        keywords(
            "templates.get(",
        ),
    ),
    "prompty": ("Prompty", keywords("prompty.load(", "prompty.execute(")),
}


def _not_vendored(path: str) -> bool:
    return not any(part in VENDOR_SEGMENTS for part in path.split("/")[:-1])


# A prompts directory named in code or configuration ("prompts/answer.txt", prompt_dir:
# prompts/, Path(__file__).parent / "prompts"): the application loads its templates from there.
PROMPT_DIRECTORY_MENTIONS = keywords(
    *(f"{quote}{name}" for name in sorted(PROMPT_DIRECTORIES) for quote in ('"', "'", "/")),
    *(f"{name}/" for name in sorted(PROMPT_DIRECTORIES)),
)
_DIRECTORY_NAMES = "|".join(re.escape(name) for name in sorted(PROMPT_DIRECTORIES))
_QUOTED_DIRECTORY = re.compile(rf"""(?:^|["'/\\\s:=])({_DIRECTORY_NAMES})(?=["'/\\])""")


def loaded_prompt_directories(snapshot: RepositorySnapshot) -> set[str]:
    """Names of prompt directories (``prompts``...) that code or configuration refers to."""

    def compute() -> set[str]:
        lines = [
            h.text
            for h in code_hits(snapshot, *PROMPT_DIRECTORY_MENTIONS)
            + config_hits(snapshot, *PROMPT_DIRECTORY_MENTIONS)
        ]
        lines += [text for _, _, text in js_llm_lines(snapshot, *PROMPT_DIRECTORY_MENTIONS)]
        return {
            match.group(1).lower() for line in lines for match in _QUOTED_DIRECTORY.finditer(line)
        }

    return snapshot.memo("llm_loaded_prompt_directories", compute)


def prompt_files(snapshot: RepositorySnapshot) -> list[str]:
    """Prompt files: *.prompt / *.prompty anywhere, data files named for prompts
    (prompts.yml), template files (Jinja, Mustache...) in a prompts/ directory, and text,
    Markdown or data files in a prompts/ directory the code refers to (elsewhere a prompts/
    folder of Markdown is as likely notes about prompting).

    Read from every path, not only evidence paths: a prompt is often a .md or .txt file,
    which elsewhere is documentation. Only names are read, never contents, so a hostile
    template is never rendered or parsed.
    """

    def compute() -> list[str]:
        found = []
        loaded: set[str] | None = None
        for entry in snapshot.files:
            path = entry.path
            lower = path.lower()
            if not _not_vendored(path):
                continue
            parts = lower.split("/")
            directories = [part for part in parts[:-1] if part in PROMPT_DIRECTORIES]
            named_template = "prompt" in parts[-1] and lower.endswith((".jinja", ".jinja2", ".j2"))
            template = bool(directories) and lower.endswith(PROMPT_TEMPLATE_FORMATS)
            named_data = _PROMPTS_DATA_FILE.match(parts[-1]) is not None and not is_test_path(path)
            if lower.endswith(PROMPT_SUFFIXES) or named_template or template or named_data:
                found.append(path)
            elif directories and lower.endswith(PROMPT_TEXT_SUFFIXES):
                if loaded is None:
                    loaded = loaded_prompt_directories(snapshot)
                if loaded.intersection(directories):
                    found.append(path)
        return sorted(found)

    return snapshot.memo("llm_prompt_files", compute)


@register
def llm_prompts(snapshot: RepositorySnapshot) -> list[Finding]:
    """Prompts kept out of code: prompt files versioned with it, or a prompt registry."""
    findings = []
    for prefix, (tool, calls) in PROMPT_REGISTRY_CALLS.items():
        paths = {s.path for s in files_importing(snapshot, prefix)}
        for hit in [h for h in code_hits(snapshot, *calls) if h.path in paths][:1]:
            findings.append(
                finding(
                    "prompt_versioning",
                    1,
                    Strength.CODE,
                    f"Prompts are fetched by name and version from {tool}.",
                    hit,
                )
            )
    files = prompt_files(snapshot)
    if files:
        findings.append(
            finding(
                "prompt_versioning",
                1,
                Strength.FILE_NAME,
                f"{plural(len(files), 'prompt file')} kept out of the code and versioned with it.",
                files[0],
            )
        )
    return findings
