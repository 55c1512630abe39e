"""Scoring: capability grades, contradictions, cumulative levels, the index, the ML Test Score lens.

The rules, and why:

Grades
    Answers and evidence use the ML Test Score scale: 0 absent, 0.5 partly or by hand, 1
    automated. A capability's *answer grade* is the **minimum** of its graded answers: a
    capability is only as strong as its weakest practice (data validated automatically in one
    place and by eye in another is not automated data validation), and the minimum keeps the
    grade on the same 0 / 0.5 / 1 scale as evidence and the ML Test Score. "Don't know" and
    "not applicable" answers are ignored; a question hidden by skip logic counts as not
    applicable, since the context answer already says the practice does not apply. When no
    graded answer is left: every question not applicable -> status "not_applicable", which
    counts as met (grade 1); anything unanswered or "don't know" -> status "unknown", which
    counts as 0 for levels and the index and is listed in ``MaturityResult.unknown``.

Evidence
    A capability's *evidence grade* is the maximum grade of its findings, each capped by its
    strength: ``mention`` (a comment, a docs page) never grants more than 0.5, because talking
    about a practice is not doing it. Strength ranks ci_config > code > file_name > mention.

Combining answers and evidence
    Unanswered: the evidence grade stands alone (source "detected"). Answered: the answer
    grade, raised to the evidence grade when that evidence is at least ``code`` strength
    (source "both"). Findings in code or CI are facts the person answering may not know of;
    weaker findings fill gaps but never overrule someone's answer. Missing evidence never
    lowers a claim, because much of MLOps lives outside a repository (consoles, other repos);
    it becomes a contradiction for the team to resolve instead. Taking a maximum keeps scores
    monotone: a better answer or more evidence never lowers anything.

Contradictions
    ``claimed_without_evidence``: answered partly or yes, a recent scan happened of a
    repository holding the capability's dimension (``covered``), the catalogue says a
    repository that has the capability shows it (``observable: yes``), and no finding of at
    least file_name strength supports it. Otherwise the claim is only "not visible in the
    connected repositories" (``claimed_not_visible``), never a contradiction: evidence that
    cannot contradict must not teach teams to ignore contradictions. ``detected_but_denied``:
    answered no, yet a finding of at least code strength grades it 0.5 or more.

Met
    Level 0 capabilities are met at grade >= 0.5; level 1 and 2 capabilities only at grade 1.
    Google's level 0 *is* the manual process, so doing a level 0 practice by hand fulfils it
    (a model deployed by hand is still served); levels 1 and 2 are defined by automation, so
    "partly or by hand" is precisely what does not reach them.

Levels
    Level 0 is the floor: it describes where every team starts, so nobody is below it. Level
    k (1 or 2) holds when every *characteristic* (``role: characteristic`` in the catalogue)
    required at k or below is met (cumulative). The characteristics are what Google's text
    says defines the level: for level 1 an orchestrated pipeline of modular components,
    continuous training with triggers, the same pipeline in every environment, automated
    model validation, run metadata, automated model delivery; for level 2 CI
    and tests of the pipeline code, continuous delivery of the pipeline, and monitoring that
    triggers retraining. The level's *additional components* (data validation, experiment
    tracking, monitoring...) count in the progress to the level, the index, the roadmap and
    the debt, but do not gate it: one missing component must not send a whole automated
    pipeline back to level 0. Optional capabilities never gate.

    A dimension's level is stricter: every non-optional capability of the dimension counts,
    components included, so a dimension reads 2 only when nothing is left to do in it. The
    overall level is therefore never below the weakest dimension's level.

    A dimension whose every capability is not applicable (the LLM applications of a team
    that has none, say) is listed in ``not_applicable_dimensions``: its level and index keep
    their meaning (all met: level 2, index 100) so stored shapes stay as they were, but pages
    show it as not applicable, and it is never the weakest dimension.

    Evidence alone (``evidence_only``) follows the same rules, except that a capability a
    repository may not show (``observable`` partly or no) and the scan did not fully credit is
    *not visible*: it neither gates a level nor counts in the index.

Index (0-100)
    ``100 * sum(w * grade) / sum(w)`` over all capabilities with ``w = 3 - level``, halved for
    optional ones: foundations weigh most, so the index does not reward level 2 tooling over
    version control. Every term grows with the grade, so the index is monotone; it is rounded
    to one decimal. A *gated* dimension (every question of it hidden by a context answer: LLM
    applications) that reads wholly not applicable leaves the index instead of counting as
    met: a team without LLM applications keeps the index the previous catalogue gave it.

What a finding can grant is in ``evidence``; the contradictions in ``contradictions``; the
result types, stored and read back, in ``results``; the ML Test Score lens (Breck et al. 2017)
in ``ml_test_score``; what scoring reads of a catalogue, laid out once per catalogue, in
``scoring_tables``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .catalogue import Capability, Catalogue
from .contradictions import contradiction_of
from .evidence import STRENGTH_RANK, STRENGTHS, Evidence, finding_order
from .ml_test_score import ml_test_score
from .results import MAX_LEVEL, CapabilityResult, Contradiction, MaturityResult
from .scoring_tables import (
    HOLDS_NOTHING,
    CapabilityRow,
    Outcome,
    ScoringTables,
    Tally,
    scoring_tables,
)

# STRENGTHS is imported from here by the property tests and the rescoring benchmark.
__all__ = [
    "AUTOMATED_THRESHOLD",
    "LEVEL_0_THRESHOLD",
    "STRENGTHS",
    "AnswerError",
    "score",
    "threshold",
]

LEVEL_0_THRESHOLD = 0.5
AUTOMATED_THRESHOLD = 1.0


class AnswerError(ValueError):
    """Answers or evidence refer to questions, options or capabilities the catalogue lacks."""


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
    tables = scoring_tables(catalogue)
    findings = _findings_by_capability(catalogue, evidence or ())
    _check_answers(tables, answers)
    results: dict[str, CapabilityResult] = {}
    tallies: dict[str, Tally] = {}
    contradictions: list[Contradiction] = []
    not_answered: set[str] = set()  # capabilities with some question not answered at all
    scan_can_contradict = bool(scanned and can_contradict)
    for row in tables.rows:
        answer_grade, not_applicable, unanswered = row.read_answers(answers)
        if unanswered:
            not_answered.add(row.key)
        in_view = covered_dimensions is None or row.dimension in covered_dimensions
        result, contradiction, tallies[row.key] = _outcome(
            row,
            answer_grade,
            not_applicable,
            findings.get(row.key, ()),
            evidence_only,
            scan_can_contradict and in_view,
        )
        results[row.key] = result
        if contradiction is not None:
            contradictions.append(contradiction)

    dimension_levels: dict[str, int] = {}
    dimension_index: dict[str, float] = {}
    for dimension, keys in tables.dimensions:
        dimension_levels[dimension], dimension_index[dimension] = _level_and_index(
            [tallies[key] for key in keys], dimension=True
        )
    every = results.values()
    # Only a dimension one context answer switches off (a *gated* one) reads not applicable as
    # a whole; answering "not applicable" question by question keeps the older rule (met), so
    # results on older catalogues, which have no gated dimension, recompute as they were.
    not_applicable_dimensions = tuple(
        dimension
        for dimension, keys in tables.dimensions
        if dimension in tables.gated_dimensions
        and all(results[key].status == "not_applicable" for key in keys)
    )
    for dimension, keys in tables.dimensions:
        if dimension in not_applicable_dimensions:
            # Practices a team does not need are not achievements: counting them as met would
            # raise the index of every team that answers "no LLM applications".
            for key in keys:
                tallies[key] = tallies[key]._replace(weight=0, weighted=0)
    level, index = _level_and_index(list(tallies.values()))
    # A dimension that does not apply is nobody's weakest link. Ties go to the dimension that
    # comes first in the catalogue: min() keeps the first.
    candidates = [k for k in dimension_levels if k not in not_applicable_dimensions]
    weakest = min(
        candidates or dimension_levels,
        key=lambda k: (dimension_levels[k], dimension_index[k]),
    )
    if dimension_levels[weakest] == MAX_LEVEL and dimension_index[weakest] >= 100.0:
        weakest = ""  # every dimension complete: no weakest link to name
    missing = [r.key for r in every if r.level <= level + 1 and r.blocks_level]
    return MaturityResult(
        catalogue_version=catalogue.version,
        level=level,
        dimension_levels=dimension_levels,
        dimension_index=dimension_index,
        weakest_dimension=weakest,
        index=index,
        why_not_next=_why_not_next(tables, results, level, missing, not_answered),
        missing_for_next=tuple(missing),
        capabilities=results,
        contradictions=tuple(contradictions),
        unknown=tuple(r.key for r in every if r.status == "unknown"),
        ml_test_score=ml_test_score(catalogue, results),
        scanned=scanned,
        evidence_only=evidence_only,
        covered_dimensions=covered_dimensions,
        can_contradict=bool(scanned and can_contradict),
        not_applicable_dimensions=not_applicable_dimensions,
    )


def _check_answers(tables: ScoringTables, answers: Mapping[str, str]) -> None:
    if answers.items() <= tables.answers:
        return  # every answer is a known option of a known question (one set comparison)
    for key, option_key in answers.items():
        if option_key not in tables.options.get(key, _NO_OPTIONS):
            if key not in tables.options:
                raise AnswerError(f"answer to unknown question {key!r}")
            raise AnswerError(f"question {key!r} has no option {option_key!r}")


_NO_OPTIONS: frozenset[str] = frozenset()


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


def _outcome(
    row: CapabilityRow,
    answer_grade: float | None,
    not_applicable: bool,
    findings: tuple[Evidence, ...],
    evidence_only: bool,
    can_contradict: bool,
) -> Outcome:
    """The capability's result, the contradiction it shows if any, and its tally.
    ``can_contradict``: a recent scan covered a repository holding the capability's dimension."""
    shared = row.outcomes_without_findings
    if findings or shared is None:
        result = _graded(row.capability, answer_grade, not_applicable, findings, evidence_only)
        return Outcome(
            result, contradiction_of(row.capability, result, can_contradict), _tally(result)
        )
    key = (answer_grade, not_applicable, evidence_only, can_contradict)
    if key not in shared:
        result = _graded(row.capability, answer_grade, not_applicable, (), evidence_only)
        shared[key] = Outcome(
            result, contradiction_of(row.capability, result, can_contradict), _tally(result)
        )
    return shared[key]


def _graded(
    capability: Capability,
    answer_grade: float | None,
    not_applicable: bool,
    findings: tuple[Evidence, ...],
    evidence_only: bool,
) -> CapabilityResult:
    best = max(findings, key=finding_order, default=None)
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


def _tally(result: CapabilityResult) -> Tally:
    """What the result adds to the level and the index (see Levels and Index above)."""
    if result.status == "not_visible":
        return Tally(0.0, 0.0, HOLDS_NOTHING, HOLDS_NOTHING)  # neither gates nor counts
    weight = (3 - result.level) * (0.5 if result.optional else 1.0)
    unmet = HOLDS_NOTHING if result.met else result.level
    return Tally(
        weight,
        weight * result.grade,
        unmet if result.gates_level else HOLDS_NOTHING,
        unmet if result.gates_level or not result.optional else HOLDS_NOTHING,
    )


def _level_and_index(tallies: Sequence[Tally], *, dimension: bool = False) -> tuple[int, float]:
    """The level and the index of the capabilities tallied, in their order.

    The level is the highest whose characteristics, and those of every level below, are all
    met: one below the lowest level anything holds back, never below 0 nor above MAX_LEVEL.
    A ``dimension``'s own level counts every non-optional capability. Capabilities that do not
    count in the index add 0 to both its sums, which leaves each sum exactly as it was.
    """
    if not tallies:
        return MAX_LEVEL, 0.0
    weights, weighted, holds_back, holds_back_dimension = zip(*tallies, strict=True)
    lowest = min(holds_back_dimension if dimension else holds_back)
    level = max(0, min(MAX_LEVEL, lowest - 1))
    total = sum(weights)
    if not total:
        return level, 0.0
    value = 100.0 * sum(weighted) / total
    return level, round(min(100.0, max(0.0, value)), 1)


def _why_not_next(
    tables: ScoringTables,
    results: Mapping[str, CapabilityResult],
    level: int,
    missing: list[str],
    not_answered: set[str],
) -> str:
    if level >= tables.highest_level:
        return f"Level {level}, the highest level, is reached."
    names = []
    for key in missing:
        name = tables.titles_in_sentence[key]
        if results[key].status == "unknown":
            name += " (not answered)" if key in not_answered else " (don't know)"
        names.append(name)
    return f"Level {level + 1} is not reached: missing {', '.join(names)}."
