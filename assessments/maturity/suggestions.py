"""Answers the evidence already gives: scan first, ask only what a repository cannot show.

A question is suggested when it is the first question of every capability it grades (the one
that asks whether the practice exists; later ones ask how, such as whether CI also gates
merges, which a repository does not show) and each of those capabilities has strong evidence
(code or CI, not a mention or a file name). The suggested option is the one whose grade is
the weakest of those findings, so a suggestion never claims more than the repository shows.
Missing evidence never suggests "no", since much of MLOps lives outside a repository. Evidence
of an LLM practice also answers the context question that switches LLM applications on. A
suggestion is only that: the team confirms or changes it, like an answer carried over from the
last assessment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .catalogue import Catalogue, Question
from .evidence import STRENGTH_RANK, Evidence

STRONG = STRENGTH_RANK["code"]

# Code or CI evidence of any LLM practice (even a floating model name, graded 0) shows an LLM
# application, which answers the context question that switches the dimension on. The option
# suggested is the one that hides nothing: "with retrieval" keeps every LLM question visible,
# so the suggestion grants no capability the team has not confirmed (a hidden question is not
# applicable, which counts as met); the team picks "without retrieval" when that is so.
LLM_CONTEXT_QUESTION = "llm_applications_in_use"
LLM_DIMENSION = "llm_applications"
LLM_IN_USE = "with_retrieval"


@dataclass(frozen=True)
class Suggestion:
    question: str
    option: str
    evidence: Evidence  # the finding behind it (the weakest of the question's capabilities)


def suggest_answers(catalogue: Catalogue, evidence: Iterable[Evidence]) -> dict[str, Suggestion]:
    """{question key: Suggestion} for the graded questions strong evidence answers."""
    evidence = list(evidence)
    best: dict[str, Evidence] = {}
    for finding in evidence:
        if STRENGTH_RANK.get(finding.strength, 0) < STRONG or finding.effective_grade <= 0:
            continue
        current = best.get(finding.capability)
        if current is None or _order(finding) > _order(current):
            best[finding.capability] = finding
    suggestions = _context_suggestions(catalogue, evidence)
    for question in catalogue.graded_questions:
        if any(
            catalogue.questions_for(key)[0].key != question.key for key in question.capabilities
        ):
            continue
        findings = [best[key] for key in question.capabilities if key in best]
        if not findings or len(findings) != len(question.capabilities):
            continue
        weakest = min(findings, key=_order)
        option = _option_for(question, weakest.effective_grade)
        if option is not None:
            suggestions[question.key] = Suggestion(question.key, option, weakest)
    return suggestions


def _context_suggestions(
    catalogue: Catalogue, evidence: Iterable[Evidence]
) -> dict[str, Suggestion]:
    if not catalogue.has_question(LLM_CONTEXT_QUESTION):
        return {}  # catalogues before 2026.12
    shown = [
        finding
        for finding in evidence
        if STRENGTH_RANK.get(finding.strength, 0) >= STRONG
        and catalogue.has_capability(finding.capability)
        and catalogue.capability(finding.capability).dimension == LLM_DIMENSION
    ]
    if not shown:
        return {}
    strongest = max(shown, key=_order)
    return {
        LLM_CONTEXT_QUESTION: Suggestion(LLM_CONTEXT_QUESTION, LLM_IN_USE, strongest),
    }


def _order(finding: Evidence) -> tuple[float, int, str, int]:
    return (
        finding.effective_grade,
        STRENGTH_RANK[finding.strength],
        finding.path or "",
        -(finding.line or 0),
    )


def _option_for(question: Question, grade: float) -> str | None:
    for option in question.options:
        if option.grade == grade and not option.not_applicable:
            return option.key
    return None
