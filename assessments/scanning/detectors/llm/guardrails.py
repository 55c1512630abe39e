"""Guardrails: input and output checks around model calls."""

from __future__ import annotations

import re

from ...tree import Hit, RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, finding
from ..imports import files_importing, first_per_path
from ..javascript import js_llm_lines
from ..paths import basename

# module prefix -> (tool, calls that check input and output, calls that check the input,
# calls that check the output)
GUARDRAILS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "guardrails": ("Guardrails AI", keywords("Guard(", "Guard.from_", ".use("), (), ()),
    "nemoguardrails": ("NeMo Guardrails", keywords("LLMRails(", "RailsConfig."), (), ()),
    "llm_guard": ("LLM Guard", (), keywords("scan_prompt("), keywords("scan_output(")),
    # The OpenAI Agents SDK (module ``agents``): the decorators are its own, so a local
    # ``agents`` package does not match.
    "agents": (
        "The OpenAI Agents SDK",
        (),
        keywords("@input_guardrail", "InputGuardrail("),
        keywords("@output_guardrail", "OutputGuardrail("),
    ),
}
# Libraries made only for guarding: importing one is already a sign of guardrails.
GUARDING_LIBRARIES = frozenset({"guardrails", "nemoguardrails", "llm_guard"})
MODERATION = keywords("moderations.create(")
JS_MODERATION = ("moderations.create(", "createModeration(")
# LangChain agent middleware: the built-in PII guard, or the application's own middleware
# class named for what it does (``class GuardrailsMiddleware(AgentMiddleware)``).
AGENT_MIDDLEWARE = keywords("(AgentMiddleware", "PIIMiddleware(")
_GUARD_MIDDLEWARE = re.compile(
    r"class\s+(\w*(?:guard|moderat|safety|jailbreak|pii)\w*)\s*\((?:[\w.]+\.)?AgentMiddleware\b",
    re.IGNORECASE,
)


@register
def llm_guardrails(snapshot: RepositorySnapshot) -> list[Finding]:
    """Guardrails around model calls: Guardrails AI, NeMo Guardrails, LLM Guard, the Agents
    SDK's guardrails, LangChain guard middleware, moderation."""
    findings = []
    for prefix, (tool, both_sides, input_side, output_side) in GUARDRAILS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        if not sites:
            continue
        paths = {s.path for s in sites}
        guarding = [h for h in code_hits(snapshot, *both_sides) if h.path in paths]
        sides: dict[str, Hit] = {}
        for side, calls in (("input", input_side), ("output", output_side)):
            for hit in code_hits(snapshot, *calls) if calls else []:
                if hit.path in paths:
                    sides.setdefault(side, hit)
        if guarding or len(sides) >= 2:
            where = guarding[0] if guarding else next(iter(sides.values()))
            findings.append(
                finding(
                    "guardrails", 1, Strength.CODE, f"{tool} checks model input and output.", where
                )
            )
        elif sides:
            (side, hit), *_ = sides.items()
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"{tool} checks the model's {side} only.",
                    hit,
                )
            )
        elif prefix in GUARDING_LIBRARIES:
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no guard call was found.",
                    sites[0],
                )
            )
    for hit in code_hits(snapshot, *AGENT_MIDDLEWARE):
        match = _GUARD_MIDDLEWARE.search(hit.text)
        if match or "PIIMiddleware(" in hit.text:
            name = match.group(1) if match else "PIIMiddleware"
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"Agent middleware ({name}) screens what the model reads or writes.",
                    hit,
                )
            )
            break
    for hit in code_hits(snapshot, *MODERATION)[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.CODE,
                "A moderation call screens text; nothing shows a check on both sides.",
                hit,
            )
        )
    for path, line, _ in js_llm_lines(snapshot, *JS_MODERATION)[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.CODE,
                "A moderation call screens text; nothing shows a check on both sides.",
                path,
                line,
            )
        )
    for entry in snapshot.matching("*.rail", "*.co")[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.FILE_NAME,
                f"{basename(entry.path)} declares guardrails (RAIL or Colang).",
                entry.path,
            )
        )
    return findings
