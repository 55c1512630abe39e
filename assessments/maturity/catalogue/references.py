"""Checks between catalogue entries: references that resolve, prerequisite order, no cycles."""

from __future__ import annotations

from collections.abc import Callable

from .model import (
    ML_TEST_SCORE_SECTIONS,
    REQUIRED_CAPABILITY_KEYS,
    REQUIRED_CONTEXT_OPTIONS,
    Catalogue,
    Question,
)

# Records one problem: the entry it concerns (None for the whole file) and a sentence.
Report = Callable[[str | None, str], None]


def check_references(catalogue: Catalogue, problem: Report) -> None:
    """Every key an entry names exists, prerequisites are never needed later than what needs
    them, and the entries the scanner and the target-level rules rely on are present."""
    capabilities = {c.key: c for c in catalogue.capabilities}
    dimensions = {d.key for d in catalogue.dimensions}
    debt_kinds = {d.key for d in catalogue.debt_kinds}
    for c in catalogue.capabilities:
        entry = f"capability {c.key!r}"
        if c.dimension not in dimensions:
            problem(entry, f"dimension {c.dimension!r} does not exist")
        if c.debt not in debt_kinds:
            problem(entry, f"debt kind {c.debt!r} does not exist")
        for p in c.prerequisites:
            prerequisite = capabilities.get(p)
            if prerequisite is None:
                problem(entry, f"prerequisite {p!r} does not exist")
            elif prerequisite.level > c.level:
                problem(
                    entry,
                    f"prerequisite {p!r} is required at level {prerequisite.level}, "
                    f"later than {c.key!r} itself (level {c.level})",
                )
            elif prerequisite.optional and not c.optional:
                problem(entry, f"prerequisite {p!r} is optional but {c.key!r} is not")
    for key in REQUIRED_CAPABILITY_KEYS:
        if key not in capabilities:
            problem(
                f"capability {key!r}",
                "is missing; it is a stable identifier the scanner, CLI and API rely on",
            )
    graded_by: set[str] = set()
    questions = {q.key: q for q in catalogue.questions}
    for q in catalogue.questions:
        entry = f"question {q.key!r}"
        for key in q.capabilities:
            if key not in capabilities:
                problem(entry, f"capability {key!r} does not exist")
            graded_by.add(key)
        if q.skip_if is not None:
            _check_skip_reference(entry, q, questions, problem)
    for c in catalogue.capabilities:
        if c.key not in graded_by:
            problem(f"capability {c.key!r}", "no question grades it")
    for d in catalogue.dimensions:
        if not catalogue.capabilities_in(d.key):
            problem(f"dimension {d.key!r}", "has no capabilities")
    for section in ML_TEST_SCORE_SECTIONS:
        if not any(c.ml_test_score_section == section for c in catalogue.capabilities):
            problem(None, f"ML Test Score section {section!r} has no capabilities")
    for key, option_keys in REQUIRED_CONTEXT_OPTIONS.items():
        question = questions.get(key)
        if question is None or not question.is_context:
            problem(f"question {key!r}", "is missing; the target level rules read it")
        elif {o.key for o in question.options} != set(option_keys):
            problem(f"question {key!r}", f"options must be exactly {', '.join(option_keys)}")


def _check_skip_reference(
    entry: str, q: Question, questions: dict[str, Question], problem: Report
) -> None:
    rule = q.skip_if
    if rule is None:
        return
    gate = questions.get(rule.question)
    if q.is_context:
        problem(entry, "a context question cannot be skipped")
    if gate is None:
        problem(entry, f"skip_if question {rule.question!r} does not exist")
        return
    if not gate.is_context:
        problem(entry, f"skip_if question {rule.question!r} must be a context question")
    gate_options = {o.key for o in gate.options}
    for value in rule.values:
        if value not in gate_options:
            problem(entry, f"skip_if option {value!r} does not exist in question {gate.key!r}")


def check_cycles(catalogue: Catalogue, problem: Report) -> None:
    """Prerequisite cycles; only meaningful once every reference resolves."""
    graph = {c.key: c.prerequisites for c in catalogue.capabilities}
    state: dict[str, str] = {}
    reported: set[frozenset[str]] = set()

    def visit(key: str, path: list[str]) -> None:
        state[key] = "open"
        path.append(key)
        for p in graph[key]:
            if state.get(p) == "open":
                cycle = path[path.index(p) :] + [p]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problem(None, "prerequisite cycle: " + " -> ".join(cycle))
            elif p not in state:
                visit(p, path)
        path.pop()
        state[key] = "done"

    for key in graph:
        if key not in state:
            visit(key, [])
