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
    ``claimed_without_evidence``: answered partly or yes, a scan happened, the catalogue says a
    scan could normally show the capability (``evidence_expected``), and no finding of at
    least file_name strength supports it. ``detected_but_denied``: answered no, yet a finding
    of at least code strength grades it 0.5 or more.

Met
    Level 0 capabilities are met at grade >= 0.5; level 1 and 2 capabilities only at grade 1.
    Google's level 0 *is* the manual process, so doing a level 0 practice by hand fulfils it
    (a model deployed by hand is still served); levels 1 and 2 are defined by automation, so
    "partly or by hand" is precisely what does not reach them.

Levels
    Level 0 is the floor: it describes where every team starts, so nobody is below it. Level
    k (1 or 2) holds when every non-optional capability required at k or below is met, and
    level k-1 holds (cumulative). A dimension's level applies the same rule to its own
    capabilities only; a level at which a dimension requires nothing holds vacuously, so a
    dimension whose capabilities are all met reads 2 ("nothing left to do here"). A dimension
    level is never capped by other dimensions; the cross-dimension view is the overall level,
    which by this construction equals the minimum of the dimension levels (weakest link, as
    in the ML Test Score).

Index (0-100)
    ``100 * sum(w * grade) / sum(w)`` over all capabilities with ``w = 3 - level``, halved for
    optional ones: foundations weigh most, so the index does not reward level 2 tooling over
    version control. Every term grows with the grade, so the index is monotone; it is rounded
    to one decimal.

ML Test Score lens
    Each section (data, model, infrastructure, monitoring) sums the grades of the capabilities
    mapped to it; the final score is the minimum over sections, read against the bands of
    Breck et al. 2017.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalogue import GRADES, ML_TEST_SCORE_SECTIONS, Capability, Catalogue

STRENGTHS = ("ci_config", "code", "file_name", "mention")  # strongest first
STRENGTH_RANK = {name: len(STRENGTHS) - i for i, name in enumerate(STRENGTHS)}
STRENGTH_CAP = {"ci_config": 1.0, "code": 1.0, "file_name": 1.0, "mention": 0.5}

STATUSES = ("met", "partial", "missing", "unknown", "not_applicable")
SOURCES = ("answered", "detected", "both", "none")
CONTRADICTION_KINDS = ("claimed_without_evidence", "detected_but_denied")
LEVEL_0_THRESHOLD = 0.5
AUTOMATED_THRESHOLD = 1.0

ML_TEST_SCORE_BANDS = (
    (0.0, "More of a research project than a productionized system"),
    (
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious holes "
        "in reliability",
    ),
    (
        2.0,
        "There's been first pass at basic productionization, but additional investment may "
        "be needed",
    ),
    (
        3.0,
        "Reasonably tested, but it's possible that more of those tests and procedures may be "
        "automated",
    ),
    (
        5.0,
        "Strong levels of automated testing and monitoring, appropriate for mission-critical "
        "systems",
    ),
)
ML_TEST_SCORE_TOP_BAND = "Exceptional levels of automated testing and monitoring"


class AnswerError(ValueError):
    """Answers or evidence refer to questions, options or capabilities the catalogue lacks."""


@dataclass(frozen=True)
class Evidence:
    """One repository finding about a capability, as reported by a detector."""

    capability: str
    grade: float
    strength: str
    reason: str
    path: str | None = None
    line: int | None = None
    detector: str | None = None

    def __post_init__(self) -> None:
        if self.grade not in GRADES or isinstance(self.grade, bool):
            raise ValueError(f"evidence grade {self.grade!r} must be 0, 0.5 or 1")
        if self.strength not in STRENGTH_RANK:
            raise ValueError(f"evidence strength {self.strength!r} must be one of {STRENGTHS}")

    @property
    def effective_grade(self) -> float:
        """The grade this finding can grant, capped by how strong a finding it is."""
        return min(float(self.grade), STRENGTH_CAP[self.strength])

    def to_dict(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "grade": self.grade,
            "strength": self.strength,
            "reason": self.reason,
            "path": self.path,
            "line": self.line,
            "detector": self.detector,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CapabilityResult:
    key: str
    dimension: str
    level: int
    optional: bool
    grade: float  # the grade levels and the index use: unknown counts 0, not applicable 1
    status: str  # one of STATUSES
    source: str  # one of SOURCES
    met: bool
    answer_grade: float | None
    evidence_grade: float | None
    evidence_strength: str | None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CapabilityResult:
        values = {k: data[k] for k in cls.__dataclass_fields__ if k != "evidence"}
        return cls(**values, evidence=tuple(Evidence.from_dict(e) for e in data["evidence"]))


@dataclass(frozen=True)
class Contradiction:
    capability: str
    kind: str  # one of CONTRADICTION_KINDS
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"capability": self.capability, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class MLTestScore:
    sections: dict[str, float]
    score: float
    weakest_section: str
    band: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": dict(self.sections),
            "score": self.score,
            "weakest_section": self.weakest_section,
            "band": self.band,
        }


@dataclass(frozen=True)
class MaturityResult:
    """The outcome of one assessment; ``to_dict`` is the snapshot to store."""

    catalogue_version: str
    level: int
    dimension_levels: dict[str, int]
    dimension_index: dict[str, float]
    weakest_dimension: str
    index: float
    why_not_next: str
    missing_for_next: tuple[str, ...]
    capabilities: dict[str, CapabilityResult]
    contradictions: tuple[Contradiction, ...]
    unknown: tuple[str, ...]
    ml_test_score: MLTestScore
    scanned: bool = False
    _derived: dict[str, frozenset[str]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    @property
    def met(self) -> frozenset[str]:
        """Keys of met capabilities (not-applicable ones included)."""
        if "met" not in self._derived:
            self._derived["met"] = frozenset(k for k, c in self.capabilities.items() if c.met)
        return self._derived["met"]

    @property
    def gaps(self) -> frozenset[str]:
        """Keys of non-optional capabilities that are not met: the open debt."""
        if "gaps" not in self._derived:
            self._derived["gaps"] = frozenset(
                k for k, c in self.capabilities.items() if not c.met and not c.optional
            )
        return self._derived["gaps"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalogue_version": self.catalogue_version,
            "level": self.level,
            "index": self.index,
            "why_not_next": self.why_not_next,
            "missing_for_next": list(self.missing_for_next),
            "dimension_levels": dict(self.dimension_levels),
            "dimension_index": dict(self.dimension_index),
            "weakest_dimension": self.weakest_dimension,
            "capabilities": [c.to_dict() for c in self.capabilities.values()],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "unknown": list(self.unknown),
            "ml_test_score": self.ml_test_score.to_dict(),
            "scanned": self.scanned,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MaturityResult:
        capabilities = [CapabilityResult.from_dict(c) for c in data["capabilities"]]
        return cls(
            catalogue_version=data["catalogue_version"],
            level=data["level"],
            dimension_levels=dict(data["dimension_levels"]),
            dimension_index=dict(data["dimension_index"]),
            weakest_dimension=data["weakest_dimension"],
            index=data["index"],
            why_not_next=data["why_not_next"],
            missing_for_next=tuple(data["missing_for_next"]),
            capabilities={c.key: c for c in capabilities},
            contradictions=tuple(Contradiction(**c) for c in data["contradictions"]),
            unknown=tuple(data["unknown"]),
            ml_test_score=MLTestScore(**data["ml_test_score"]),
            scanned=data.get("scanned", False),
        )


# --- Scoring -------------------------------------------------------------------------------


def score(
    catalogue: Catalogue,
    answers: Mapping[str, str],
    evidence: Sequence[Evidence] | None = None,
    *,
    scanned: bool | None = None,
) -> MaturityResult:
    """Score one assessment.

    ``answers`` maps question keys to option keys (context answers included). ``evidence`` is
    the list of repository findings; ``scanned`` says whether a repository scan happened, and
    defaults to whether evidence was passed at all (an empty list means "scanned, found
    nothing"). Pass ``scanned=False`` for an inconclusive scan so no contradictions are drawn.
    """
    if scanned is None:
        scanned = evidence is not None
    findings = _findings_by_capability(catalogue, evidence or ())
    answered = _answer_grades(catalogue, answers)
    results: dict[str, CapabilityResult] = {}
    contradictions: list[Contradiction] = []
    for capability in catalogue.topological_order:
        result = _capability_result(capability, answered, findings.get(capability.key, ()))
        results[capability.key] = result
        contradiction = _contradiction(capability, result, scanned)
        if contradiction is not None:
            contradictions.append(contradiction)

    dimension_levels = {
        d.key: _level_of([results[c.key] for c in catalogue.capabilities_in(d.key)])
        for d in catalogue.dimensions
    }
    dimension_index = {
        d.key: _index_of([results[c.key] for c in catalogue.capabilities_in(d.key)])
        for d in catalogue.dimensions
    }
    level = _level_of(list(results.values()))
    position = {d.key: i for i, d in enumerate(catalogue.dimensions)}
    weakest = min(
        dimension_levels, key=lambda k: (dimension_levels[k], dimension_index[k], position[k])
    )
    missing = _missing_for(catalogue, results, level + 1)
    return MaturityResult(
        catalogue_version=catalogue.version,
        level=level,
        dimension_levels=dimension_levels,
        dimension_index=dimension_index,
        weakest_dimension=weakest,
        index=_index_of(list(results.values())),
        why_not_next=_why_not_next(catalogue, results, level, missing),
        missing_for_next=tuple(missing),
        capabilities=results,
        contradictions=tuple(contradictions),
        unknown=tuple(k for k, r in results.items() if r.status == "unknown"),
        ml_test_score=ml_test_score(catalogue, results),
        scanned=scanned,
    )


@dataclass
class _Answered:
    grades: list[float] = field(default_factory=list)
    not_applicable: bool = False
    open: bool = False  # some question unanswered or answered "don't know"


def _answer_grades(catalogue: Catalogue, answers: Mapping[str, str]) -> dict[str, _Answered]:
    for key, option in answers.items():
        if catalogue.option(key, option) is None:
            if not catalogue.has_question(key):
                raise AnswerError(f"answer to unknown question {key!r}")
            raise AnswerError(f"question {key!r} has no option {option!r}")
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
    capability: Capability, answered: Mapping[str, _Answered], findings: tuple[Evidence, ...]
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

    if answer_grade is not None or not_applicable:
        source = "both" if findings else "answered"
        grade = 1.0 if not_applicable else max(answer_grade, strong_grade)
    elif findings:
        source, grade = "detected", evidence_grade
    else:
        source, grade = "none", 0.0

    met = not_applicable or grade >= threshold(capability)
    if not_applicable:
        status = "not_applicable"
    elif met:
        status = "met"
    elif source == "none":
        status = "unknown"
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
            f"Answered no for {_in_sentence(capability.title)}, but the repository shows it: "
            f"{finding.reason}{where}.",
        )
    supported = any(
        f.effective_grade > 0 and STRENGTH_RANK[f.strength] >= STRENGTH_RANK["file_name"]
        for f in result.evidence
    )
    if not scanned or not capability.evidence_expected or supported:
        return None
    how = "automated" if claimed == 1 else "done partly or by hand"
    return Contradiction(
        capability.key,
        "claimed_without_evidence",
        f"Answered that {_in_sentence(capability.title)} is {how}, but the repository scan "
        "found no sign of it.",
    )


def _finding_order(finding: Evidence) -> tuple[float, int]:
    """Best finding first: the highest grade it can grant, then the strongest kind."""
    return (finding.effective_grade, STRENGTH_RANK[finding.strength])


def _location(finding: Evidence) -> str:
    return f"{finding.path}:{finding.line}" if finding.line is not None else str(finding.path)


def _level_of(results: Sequence[CapabilityResult]) -> int:
    level = 0
    for candidate in (1, 2):
        required = (r for r in results if not r.optional and r.level <= candidate)
        if not all(r.met for r in required):
            break
        level = candidate
    return level


def _weight(result: CapabilityResult) -> float:
    return (3 - result.level) * (0.5 if result.optional else 1.0)


def _index_of(results: Sequence[CapabilityResult]) -> float:
    total = sum(_weight(r) for r in results)
    if not total:
        return 0.0
    value = 100.0 * sum(_weight(r) * r.grade for r in results) / total
    return round(min(100.0, max(0.0, value)), 1)


def _missing_for(
    catalogue: Catalogue, results: Mapping[str, CapabilityResult], level: int
) -> list[str]:
    return [
        c.key
        for c in catalogue.topological_order
        if not c.optional and c.level <= level and not results[c.key].met
    ]


def _why_not_next(
    catalogue: Catalogue, results: Mapping[str, CapabilityResult], level: int, missing: list[str]
) -> str:
    if level >= max(lv.number for lv in catalogue.levels):
        return f"Level {level}, the highest level, is reached."
    names = []
    for key in missing:
        name = _in_sentence(catalogue.capability(key).title)
        if results[key].status == "unknown":
            name += " (not answered)"
        names.append(name)
    return f"Level {level + 1} is not reached: missing {', '.join(names)}."


def _in_sentence(title: str) -> str:
    """Lower-case a title's first letter for use mid-sentence, unless it starts an acronym."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


# --- ML Test Score lens --------------------------------------------------------------------


def ml_test_score(catalogue: Catalogue, results: Mapping[str, CapabilityResult]) -> MLTestScore:
    sections = dict.fromkeys(ML_TEST_SCORE_SECTIONS, 0.0)
    for capability in catalogue.capabilities:
        if capability.ml_test_score_section is not None:
            sections[capability.ml_test_score_section] += results[capability.key].grade
    sections = {k: round(v, 2) for k, v in sections.items()}
    weakest = min(ML_TEST_SCORE_SECTIONS, key=lambda s: sections[s])
    final = sections[weakest]
    return MLTestScore(sections, final, weakest, ml_test_score_band(final))


def ml_test_score_band(value: float) -> str:
    """Breck et al. 2017's reading of a final ML Test Score."""
    for upper, band in ML_TEST_SCORE_BANDS:
        if value <= upper:
            return band
    return ML_TEST_SCORE_TOP_BAND
