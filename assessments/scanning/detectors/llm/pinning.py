"""Model pinning: dated model snapshots rather than floating aliases."""

from __future__ import annotations

import json
import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding
from ..javascript import js_llm_lines

MODEL_FAMILIES = keywords("gpt-", "claude-", "gemini-", "mistral-", "o1-", "o3-", "o4-mini")
# A quoted model name of a hosted family; Bedrock ids carry a provider prefix and a suffix.
_MODEL_NAME = re.compile(
    r"""["'](?P<provider>[a-z]+\.)?((?:gpt|claude|gemini|mistral|o1|o3|o4)-[A-Za-z0-9.\-]{1,60}?)"""
    r"""(?:-v\d+(?::\d+)?)?["']"""
)
# Dated snapshots: OpenAI 2024-08-06, 0613 or 1106 (also before -preview: gpt-4-1106-preview),
# Anthropic 20241022, Gemini 002 or preview-05-06, Mistral 2407.
_DATED = re.compile(
    r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|\d{2}-\d{2})(?:-(?:preview|exp|beta|alpha))?$"
)
# A parameter count (7b, 8x7b, 1.3B) names open weights run by the team itself (mistral-7b-
# instruct, gpt-oss-20b), not a hosted API's alias; Bedrock ids (provider prefix) stay hosted.
_OPEN_WEIGHTS = re.compile(r"-(?:\d+x)?\d+(?:\.\d+)?[bBmM](?:-|$)")
MAX_MODEL_LINE = 2_000  # longer lines are minified or generated data, not a model call


# Azure deployment templates (azd, ARM) set each model deployment's version as a parameter:
# "chatDeploymentVersion": {"value": "${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION=2024-08-06}"}.
ARM_PARAMETER_SUFFIX = ".parameters.json"
MAX_PARAMETER_FILES = 20
MAX_PARAMETER_BYTES = 256 * 1024
_VERSION_PARAMETER = re.compile(r"^(\w*?)(?:deployment|model)version$", re.IGNORECASE)
_ENVIRONMENT_DEFAULT = re.compile(r"^\$\{\w+(?:=([^}]*))?\}$")


def _parameter_value(value: object) -> str:
    """A parameter's value, or the default of ``${NAME=default}``; empty when unset."""
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, str):
        return ""
    match = _ENVIRONMENT_DEFAULT.match(value.strip())
    if match:
        return (match.group(1) or "").strip()
    return "" if "$" in value else value.strip()


def deployed_model_versions(snapshot: RepositorySnapshot) -> list[tuple[str, str]]:
    """(model, path) for each model deployment whose parameters fix a version."""
    found = []
    for entry in snapshot.with_suffix(ARM_PARAMETER_SUFFIX)[:MAX_PARAMETER_FILES]:
        text = snapshot.read_text(entry, limit=MAX_PARAMETER_BYTES)
        try:
            data = json.loads(text) if text else None
        except (ValueError, RecursionError):
            continue
        parameters = data.get("parameters") if isinstance(data, dict) else None
        if not isinstance(parameters, dict):
            continue
        lowered = {key.lower(): value for key, value in parameters.items()}
        for key, value in parameters.items():
            match = _VERSION_PARAMETER.match(key)
            version = _parameter_value(value) if match else ""
            if not match or not version:
                continue
            prefix = match.group(1).lower()
            model = _parameter_value(lowered.get(f"{prefix}modelname")) or prefix or "model"
            found.append((f"{model} version {version}"[:120], entry.path))
    return found


def model_names(snapshot: RepositorySnapshot) -> list[tuple[str, bool, str, int | None]]:
    """(name, dated, path, line) for each hosted model named in code or configuration,
    JavaScript calling an LLM included."""
    found = []
    lines = [
        (hit.path, hit.line, hit.text)
        for hit in code_hits(snapshot, *MODEL_FAMILIES) + config_hits(snapshot, *MODEL_FAMILIES)
    ]
    lines += [
        (path, number, text)
        for path, number, text in js_llm_lines(snapshot, *MODEL_FAMILIES)
        if not text.startswith(("//", "/*", "*"))
    ]
    for path, line, text in lines:
        if len(text) > MAX_MODEL_LINE:
            continue
        for match in _MODEL_NAME.finditer(text):
            name = match.group(2)
            if not match.group("provider") and _OPEN_WEIGHTS.search(name):
                continue
            found.append((name, bool(_DATED.search(name)), path, line))
    # A deployment with a fixed version is pinned whatever its name says.
    found += [(name, True, path, None) for name, path in deployed_model_versions(snapshot)]
    return found


@register
def llm_model_pinning(snapshot: RepositorySnapshot) -> list[Finding]:
    """Hosted models named by dated snapshots or deployed at a fixed version (pinned), or by
    floating aliases.

    A floating name only (``gpt-4o``, ``claude-3-5-sonnet-latest``) is graded 0 at code
    strength: it is not absence of evidence but something seen, the code asking for a model
    that changes under it. Scoring never lets evidence lower an answer (it takes the maximum),
    so the 0 only fills an unanswered question or an evidence-only reading; and the capability
    stays observable "partly", since the model actually called may be set outside the
    repository (an environment variable, a gateway), so finding no name at all proves nothing.
    """
    names = model_names(snapshot)
    if not names:
        return []
    dated = [n for n in names if n[1]]
    floating = [n for n in names if not n[1]]
    if not floating:
        name, _, path, line = dated[0]
        return [
            finding(
                "llm_model_pinning",
                1,
                Strength.CODE,
                f"Every model named is pinned (a dated snapshot or version), such as {name}.",
                path,
                line,
            )
        ]
    name, _, path, line = floating[0]
    if dated:
        return [
            finding(
                "llm_model_pinning",
                0.5,
                Strength.CODE,
                f"Some models are pinned, others named by floating aliases such as {name}.",
                path,
                line,
            )
        ]
    return [
        finding(
            "llm_model_pinning",
            0,
            Strength.CODE,
            f"Models are named by floating aliases such as {name}, which change without notice.",
            path,
            line,
        )
    ]
