"""Evaluation gates: LLM evaluations that run in CI or tests."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs, invoked_scripts
from ..common import code_hits, finding
from ..imports import files_importing, first_per_path
from ..paths import basename, is_test_path

EVALUATORS: dict[str, str] = {
    "ragas": "ragas",
    "deepeval": "DeepEval",
    "promptfoo": "promptfoo",
    "evals": "OpenAI Evals",
    "langsmith.evaluation": "LangSmith evaluations",
    "trulens": "TruLens",
    "trulens_eval": "TruLens",
    "inspect_ai": "Inspect",
}
EVALUATION_CALLS = keywords(
    "evaluate(",
    "aevaluate(",
    "assert_test(",
    "evaluate_dataset(",
    "eval_set(",
    "run_evals(",
)
PROMPTFOO_CONFIGS = ("promptfooconfig.yaml", "promptfooconfig.yml", "promptfooconfig.json")
# Commands that run an evaluation suite (installing a tool runs nothing, so it is not here).
EVALUATION_IN_CI = re.compile(
    r"\bpromptfoo(?:@[\w.]+)?\s+eval\b|\bdeepeval\s+test\s+run\b|\boaieval(?:set)?\s|"
    r"\binspect\s+eval\b|promptfoo/promptfoo-action"
)
RUNS_PYTEST = re.compile(r"\bpytest\b")


@register
def llm_evaluation(snapshot: RepositorySnapshot) -> list[Finding]:
    """An LLM evaluation suite (promptfoo, ragas, DeepEval, OpenAI Evals, LangSmith), and CI
    running it: only a suite that runs on every change gates anything."""
    findings = []
    for config in ci_configs(snapshot):
        for number, _ in config.search_work(EVALUATION_IN_CI)[:1]:
            findings.append(
                finding(
                    "llm_evaluation",
                    1 if config.runs_on_change else 0.5,
                    Strength.CI_CONFIG,
                    "CI runs the LLM evaluation suite on every change."
                    if config.runs_on_change
                    else "CI runs the LLM evaluation suite, but not on every change.",
                    config.path,
                    number,
                )
            )
    suites = []
    calls = {hit.path for hit in code_hits(snapshot, *EVALUATION_CALLS, tests=True)}
    for prefix, tool in EVALUATORS.items():
        for site in first_per_path(files_importing(snapshot, prefix)):
            if site.path in calls or is_test_path(site.path):
                suites.append((site, tool))
    # Evaluation cases written as tests (DeepEval's, say) run wherever CI runs pytest on every
    # change; an evaluation script runs where CI invokes it.
    tests_in_ci = [
        (config, number)
        for config in ci_configs(snapshot)
        if config.runs_on_change
        for number, _ in config.search_work(RUNS_PYTEST)[:1]
    ]
    invoked = invoked_scripts(snapshot)
    for site, tool in suites:
        gate = None
        if is_test_path(site.path) and tests_in_ci:
            gate = tests_in_ci[0]
        elif site.path in invoked and invoked[site.path][0].runs_on_change:
            gate = invoked[site.path]
        if gate is not None:
            config, number = gate
            findings.append(
                finding(
                    "llm_evaluation",
                    1,
                    Strength.CI_CONFIG,
                    f"CI runs the {tool} evaluation on every change.",
                    config.path,
                    number,
                )
            )
            break
    for site, tool in suites[:1]:
        findings.append(
            finding(
                "llm_evaluation",
                0.5,
                Strength.CODE,
                f"{tool} evaluates the application's answers; nothing shows it gating changes.",
                site,
            )
        )
    for entry in snapshot.named(*PROMPTFOO_CONFIGS)[:1]:
        findings.append(
            finding(
                "llm_evaluation",
                0.5,
                Strength.FILE_NAME,
                f"{basename(entry.path)} defines evaluation cases for promptfoo.",
                entry.path,
            )
        )
    return findings
