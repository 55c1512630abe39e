"""Scoring as it was written before it read per-catalogue tables: the straightforward reference.

``assessments.maturity.scoring`` lays the catalogue out once per catalogue and shares the
results that recur between assessments, so that re-scoring every assessment is fast. This is
the same rules computed the plain way, every time, from the catalogue's own accessors; the
tests in test_scoring_tables.py check that both always give the same result. The rules and
why are in scoring's docstring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from assessments.maturity.catalogue import ML_TEST_SCORE_SECTIONS, Capability, Catalogue
from assessments.maturity.evidence import STRENGTH_RANK, Evidence, supports_claim
from assessments.maturity.ml_test_score import ml_test_score_band
from assessments.maturity.results import (
    MAX_LEVEL,
    CapabilityResult,
    Contradiction,
    MaturityResult,
    MLTestScore,
    in_sentence,
)
from assessments.maturity.scoring import AnswerError

LEVEL_0_THRESHOLD = 0.5
AUTOMATED_THRESHOLD = 1.0


def score(
    catalogue: Catalogue,
    answers: Mapping[str, str],
    evidence: Sequence[Evidence] | None = None,
    *,
    scanned: bool | None = None,
    evidence_only: bool = False,
    covered: Iterable[str] | None = None,
    can_contradict: bool | None = None,
) -> MaturityResult:
    """Score one assessment, or one repository's evidence alone.

    ``answers`` maps question keys to option keys (context answers included). ``evidence`` is
    the list of repository findings; ``scanned`` says whether a repository scan happened, and
    defaults to whether evidence was passed at all (an empty list means "scanned, found
    nothing"). Pass ``scanned=False`` for an inconclusive scan so no contradictions are drawn.

    ``covered`` names the dimensions the scanned repositories hold (None: the whole system);
    missing evidence only contradicts an answer in a dimension a scanned repository holds.
    ``can_contradict`` (default: ``scanned``) is False when the scan is too old to say that
    something is missing: its evidence still grades capabilities.

    ``evidence_only`` judges a repository without answers: a capability without evidence is
    missing when a repository would show it (``observable: yes``) and *not visible* otherwise;
    what is not visible neither gates a level nor counts in the index.
    """
    if scanned is None:
        scanned = evidence is not None
    covered_dimensions = None if covered is None else tuple(sorted(set(covered)))
    if can_contradict is None:
        can_contradict = scanned
    if evidence_only and answers:
        raise AnswerError("an evidence-only result takes no answers")
    findings = _findings_by_capability(catalogue, evidence or ())
    answered = _answer_grades(catalogue, answers)
    results: dict[str, CapabilityResult] = {}
    contradictions: list[Contradiction] = []
    for capability in catalogue.topological_order:
        result = _capability_result(
            capability, answered, findings.get(capability.key, ()), evidence_only=evidence_only
        )
        results[capability.key] = result
        in_view = covered_dimensions is None or capability.dimension in covered_dimensions
        contradiction = _contradiction(capability, result, scanned and can_contradict and in_view)
        if contradiction is not None:
            contradictions.append(contradiction)

    dimension_levels = {
        d.key: _level_of(
            [results[c.key] for c in catalogue.capabilities_in(d.key)], components_gate=True
        )
        for d in catalogue.dimensions
    }
    dimension_index = {
        d.key: _index_of([results[c.key] for c in catalogue.capabilities_in(d.key)])
        for d in catalogue.dimensions
    }
    level = _level_of(list(results.values()))
    position = {d.key: i for i, d in enumerate(catalogue.dimensions)}
    not_applicable = tuple(
        d.key
        for d in catalogue.dimensions
        if _gated(catalogue, d.key)
        and all(results[c.key].status == "not_applicable" for c in catalogue.capabilities_in(d.key))
    )
    applicable = [k for k in dimension_levels if k not in not_applicable] or list(dimension_levels)
    weakest = min(applicable, key=lambda k: (dimension_levels[k], dimension_index[k], position[k]))
    if dimension_levels[weakest] == MAX_LEVEL and dimension_index[weakest] >= 100.0:
        weakest = ""  # every dimension complete: no weakest link to name
    missing = _missing_for(catalogue, results, level + 1)
    return MaturityResult(
        catalogue_version=catalogue.version,
        level=level,
        dimension_levels=dimension_levels,
        dimension_index=dimension_index,
        weakest_dimension=weakest,
        index=_index_of([r for r in results.values() if r.dimension not in not_applicable]),
        why_not_next=_why_not_next(catalogue, results, level, missing, answered),
        missing_for_next=tuple(missing),
        capabilities=results,
        contradictions=tuple(contradictions),
        unknown=tuple(k for k, r in results.items() if r.status == "unknown"),
        ml_test_score=_ml_test_score(catalogue, results),
        scanned=scanned,
        evidence_only=evidence_only,
        covered_dimensions=covered_dimensions,
        can_contradict=bool(scanned and can_contradict),
        not_applicable_dimensions=not_applicable,
    )


def _gated(catalogue, dimension):
    """Every question of the dimension can be hidden by a context answer."""
    questions = [
        q for c in catalogue.capabilities_in(dimension) for q in catalogue.questions_for(c)
    ]
    return bool(questions) and all(q.skip_if is not None for q in questions)


@dataclass
class _Answered:
    grades: list[float] = field(default_factory=list)
    not_applicable: bool = False
    open: bool = False  # some question unanswered or answered "don't know"
    unanswered: bool = False  # some question not answered at all


def _answer_grades(catalogue: Catalogue, answers: Mapping[str, str]) -> dict[str, _Answered]:
    for key, option_key in answers.items():
        if catalogue.option(key, option_key) is None:
            if not catalogue.has_question(key):
                raise AnswerError(f"answer to unknown question {key!r}")
            raise AnswerError(f"question {key!r} has no option {option_key!r}")
    answered: dict[str, _Answered] = defaultdict(_Answered)
    for question in catalogue.graded_questions:
        option = None
        visible = catalogue.is_visible(question, answers)
        if visible and question.key in answers:
            option = catalogue.option(question.key, answers[question.key])
        for key in question.capabilities:
            state = answered[key]
            if not visible or (option is not None and option.not_applicable):
                state.not_applicable = True
            elif option is not None and option.grade is not None:
                state.grades.append(option.grade)
            else:
                state.open = True
                state.unanswered |= option is None
    return answered


def _findings_by_capability(
    catalogue: Catalogue, evidence: Sequence[Evidence]
) -> dict[str, tuple[Evidence, ...]]:
    grouped: dict[str, list[Evidence]] = defaultdict(list)
    for finding in evidence:
        if not catalogue.has_capability(finding.capability):
            raise AnswerError(f"evidence for unknown capability {finding.capability!r}")
        grouped[finding.capability].append(finding)
    return {key: tuple(items) for key, items in grouped.items()}


def threshold(capability: Capability) -> float:
    """The grade at which a capability counts as met (see the module docstring)."""
    return LEVEL_0_THRESHOLD if capability.level == 0 else AUTOMATED_THRESHOLD


def _capability_result(
    capability: Capability,
    answered: Mapping[str, _Answered],
    findings: tuple[Evidence, ...],
    *,
    evidence_only: bool = False,
) -> CapabilityResult:
    state = answered.get(capability.key) or _Answered(open=True)
    answer_grade = min(state.grades) if state.grades else None
    not_applicable = answer_grade is None and state.not_applicable and not state.open
    best = max(findings, key=_finding_order, default=None)
    evidence_grade = best.effective_grade if best is not None else None
    strong_grade = max(
        (f.effective_grade for f in findings if STRENGTH_RANK[f.strength] >= STRENGTH_RANK["code"]),
        default=0.0,
    )

    if not_applicable:
        source, grade = ("both" if findings else "answered"), 1.0
    elif answer_grade is not None:
        source = "both" if findings else "answered"
        grade = max(answer_grade, strong_grade)
    elif best is not None:
        source, grade = "detected", best.effective_grade
    else:
        source, grade = "none", 0.0

    met = not_applicable or grade >= threshold(capability)
    if not_applicable:
        status = "not_applicable"
    elif met:
        status = "met"
    elif source == "none" and evidence_only:
        status = "missing" if capability.evidence_decides else "not_visible"
    elif source == "none":
        status = "unknown"
    elif evidence_only and not capability.evidence_decides:
        # Partial evidence of what mostly lives outside the code (a deploy script, a cron
        # line) says something is there, never that the rest is not.
        status = "not_visible"
    else:
        status = "partial" if grade > 0 else "missing"
    return CapabilityResult(
        key=capability.key,
        dimension=capability.dimension,
        level=capability.level,
        optional=capability.optional,
        grade=grade,
        status=status,
        source=source,
        met=met,
        answer_grade=answer_grade,
        evidence_grade=evidence_grade,
        evidence_strength=best.strength if best is not None else None,
        evidence=findings,
        gates_level=capability.gates_level,
        observable=capability.observable,
    )


def _contradiction(
    capability: Capability, result: CapabilityResult, scanned: bool
) -> Contradiction | None:
    claimed = result.answer_grade
    if claimed is None:
        return None
    if claimed == 0:
        denied_by = [
            f
            for f in result.evidence
            if STRENGTH_RANK[f.strength] >= STRENGTH_RANK["code"] and f.effective_grade >= 0.5
        ]
        if not denied_by:
            return None
        finding = max(denied_by, key=_finding_order)
        where = f" ({_location(finding)})" if finding.path else ""
        return Contradiction(
            capability.key,
            "detected_but_denied",
            f"Answered no for {in_sentence(capability.title)}, but the repository shows it: "
            f"{finding.reason}{where}.",
        )
    supported = any(supports_claim(f) for f in result.evidence)
    if not scanned or not capability.evidence_decides or supported:
        return None
    how = "automated" if claimed == 1 else "done partly or by hand"
    return Contradiction(
        capability.key,
        "claimed_without_evidence",
        f"Answered that {in_sentence(capability.title)} is {how}, but the repository scan "
        "found no sign of it.",
    )


def _finding_order(finding: Evidence) -> tuple[float, int]:
    """Best finding first: the highest grade it can grant, then the strongest kind."""
    return (finding.effective_grade, STRENGTH_RANK[finding.strength])


def _location(finding: Evidence) -> str:
    return f"{finding.path}:{finding.line}" if finding.line is not None else str(finding.path)


def _level_of(results: Sequence[CapabilityResult], *, components_gate: bool = False) -> int:
    """The highest level whose characteristics, and those of every level below, are all met.

    With ``components_gate`` (a dimension's own level) every non-optional capability counts.
    """
    level = 0
    for candidate in range(1, MAX_LEVEL + 1):
        if any(
            r.blocks_level
            or (components_gate and not r.optional and not r.met and r.status != "not_visible")
            for r in results
            if r.level <= candidate
        ):
            break
        level = candidate
    return level


def _weight(result: CapabilityResult) -> float:
    return (3 - result.level) * (0.5 if result.optional else 1.0)


def _index_of(results: Sequence[CapabilityResult]) -> float:
    known = [r for r in results if r.status != "not_visible"]
    total = sum(_weight(r) for r in known)
    if not total:
        return 0.0
    value = 100.0 * sum(_weight(r) * r.grade for r in known) / total
    return round(min(100.0, max(0.0, value)), 1)


def _missing_for(
    catalogue: Catalogue, results: Mapping[str, CapabilityResult], level: int
) -> list[str]:
    """The characteristics that hold level ``level`` back."""
    return [
        c.key
        for c in catalogue.topological_order
        if c.level <= level and results[c.key].blocks_level
    ]


def _why_not_next(
    catalogue: Catalogue,
    results: Mapping[str, CapabilityResult],
    level: int,
    missing: list[str],
    answered: Mapping[str, _Answered],
) -> str:
    if level >= max(lv.number for lv in catalogue.levels):
        return f"Level {level}, the highest level, is reached."
    names = []
    for key in missing:
        name = in_sentence(catalogue.capability(key).title)
        if results[key].status == "unknown":
            state = answered.get(key)
            name += " (not answered)" if state is None or state.unanswered else " (don't know)"
        names.append(name)
    return f"Level {level + 1} is not reached: missing {', '.join(names)}."


def _ml_test_score(catalogue: Catalogue, results: Mapping[str, CapabilityResult]) -> MLTestScore:
    sections = dict.fromkeys(ML_TEST_SCORE_SECTIONS, 0.0)
    for capability in catalogue.capabilities:
        if capability.ml_test_score_section is not None:
            sections[capability.ml_test_score_section] += results[capability.key].grade
    sections = {k: round(v, 2) for k, v in sections.items()}
    weakest = min(ML_TEST_SCORE_SECTIONS, key=lambda s: sections[s])
    final = sections[weakest]
    return MLTestScore(sections, final, weakest, ml_test_score_band(final))
