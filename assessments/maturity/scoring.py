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

    Evidence alone (``evidence_only``) follows the same rules, except that a capability a
    repository may not show (``observable`` partly or no) and the scan did not fully credit is
    *not visible*: it neither gates a level nor counts in the index.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalogue import GRADES, ML_TEST_SCORE_SECTIONS, Capability, Catalogue

STRENGTHS = ("ci_config", "code", "file_name", "mention")  # strongest first
STRENGTH_RANK = {name: len(STRENGTHS) - i for i, name in enumerate(STRENGTHS)}
STRENGTH_CAP = {"ci_config": 1.0, "code": 1.0, "file_name": 1.0, "mention": 0.5}

STATUSES = ("met", "partial", "missing", "unknown", "not_applicable", "not_visible")
MAX_LEVEL = 2
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
        # A stored snapshot is JSON; a key it lacks reads as None, as it always has.
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**values)


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
    # Results stored before 2026.11.1 lack these: every required capability gated its level.
    gates_level: bool = True
    observable: str = "yes"

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CapabilityResult:
        values = {
            k: data[k]
            for k in cls.__dataclass_fields__
            if k not in ("evidence", "gates_level", "observable")
        }
        values["gates_level"] = data.get("gates_level", not values["optional"])
        values["observable"] = data.get("observable", "yes")
        return cls(**values, evidence=tuple(Evidence.from_dict(e) for e in data["evidence"]))

    @property
    def blocks_level(self) -> bool:
        """Unmet and needed for its level: a characteristic the team does not have."""
        return self.gates_level and not self.met and self.status != "not_visible"


@dataclass(frozen=True)
class LevelProgress:
    """How far a result is on the way to the next level (Google's level ``level``).

    Counts every non-optional capability required at ``level`` or below: ``in_place`` are
    met; ``blocking`` are unmet characteristics, which hold the level back; ``missing`` are
    unmet additional components, needed for the level to pay off but not gating it;
    ``unknown`` are unanswered, or not visible in a repository when judged from evidence alone.
    """

    level: int
    in_place: tuple[str, ...]
    blocking: tuple[str, ...]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.in_place) + len(self.blocking) + len(self.missing) + len(self.unknown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "in_place": len(self.in_place),
            "total": self.total,
            "blocking": list(self.blocking),
            "missing": list(self.missing),
            "unknown": list(self.unknown),
        }


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
    evidence_only: bool = False
    # Dimensions the scanned repositories hold; None for the whole system.
    covered_dimensions: tuple[str, ...] | None = None
    # Whether the scan was recent enough for missing evidence to contradict an answer.
    can_contradict: bool = False
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

    @property
    def claimed_not_visible(self) -> tuple[str, ...]:
        """Answered as done, not seen by a recent scan, but a repository may not show it.

        Not a contradiction: monitoring set up in a console or a deployment owned by another
        repository is invisible to a scan. Listed once, quietly, so the team knows the scan
        neither confirms nor doubts the answer.
        """
        if not self.scanned:
            return ()
        covered = self.covered_dimensions
        return tuple(
            c.key
            for c in self.capabilities.values()
            if c.answer_grade
            and (
                not self.can_contradict
                or c.observable != "yes"
                or (covered is not None and c.dimension not in covered)
            )
            and not any(_supports(f) for f in c.evidence)
        )

    @property
    def next_level_progress(self) -> LevelProgress | None:
        """Progress towards the next level; None at the highest level."""
        if self.level >= MAX_LEVEL:
            return None
        target = self.level + 1
        required = [c for c in self.capabilities.values() if not c.optional and c.level <= target]
        return LevelProgress(
            level=target,
            in_place=tuple(c.key for c in required if c.met),
            blocking=tuple(c.key for c in required if c.blocks_level),
            missing=tuple(
                c.key
                for c in required
                if not c.met and not c.gates_level and c.status not in ("unknown", "not_visible")
            ),
            unknown=tuple(
                c.key
                for c in required
                if not c.met and not c.blocks_level and c.status in ("unknown", "not_visible")
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        progress = self.next_level_progress
        return {
            "catalogue_version": self.catalogue_version,
            "level": self.level,
            "index": self.index,
            "why_not_next": self.why_not_next,
            "missing_for_next": list(self.missing_for_next),
            "next_level_progress": progress.to_dict() if progress is not None else None,
            "dimension_levels": dict(self.dimension_levels),
            "dimension_index": dict(self.dimension_index),
            "weakest_dimension": self.weakest_dimension,
            "capabilities": [c.to_dict() for c in self.capabilities.values()],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "unknown": list(self.unknown),
            "ml_test_score": self.ml_test_score.to_dict(),
            "scanned": self.scanned,
            "evidence_only": self.evidence_only,
            "covered_dimensions": (
                None if self.covered_dimensions is None else list(self.covered_dimensions)
            ),
            "can_contradict": self.can_contradict,
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
            evidence_only=data.get("evidence_only", False),
            covered_dimensions=(
                None
                if data.get("covered_dimensions") is None
                else tuple(data["covered_dimensions"])
            ),
            # Before scan age and coverage counted, every scan could contradict.
            can_contradict=data.get("can_contradict", data.get("scanned", False)),
        )


def next_level_progress(outcome: Mapping[str, Any]) -> dict[str, Any] | None:
    """The progress to the next level of a stored result (``MaturityResult.to_dict()``).

    Results stored before the progress was part of the snapshot get it from their
    capabilities, so every result reads the same way.
    """
    if "next_level_progress" in outcome:
        stored: dict[str, Any] | None = outcome["next_level_progress"]
        return stored
    progress = MaturityResult.from_dict(outcome).next_level_progress
    return progress.to_dict() if progress is not None else None


def claimed_not_visible(outcome: Mapping[str, Any]) -> list[str]:
    """``MaturityResult.claimed_not_visible`` of a stored result."""
    return list(MaturityResult.from_dict(outcome).claimed_not_visible)


def progress_with_titles(
    progress: Mapping[str, Any] | None, titles: Mapping[str, str]
) -> dict[str, Any] | None:
    """The progress with capability titles in place of keys, for people to read."""
    if progress is None:
        return None
    named = {key: [titles.get(k, k) for k in progress[key]] for key in ("blocking", "missing")}
    return {**progress, **named, "unknown": [titles.get(k, k) for k in progress["unknown"]]}


def progress_sentence(progress: Mapping[str, Any] | None, titles: Mapping[str, str]) -> str:
    """ "Level 1: 20 of 23 capabilities in place; held back by ...; also missing ..." """
    if progress is None:
        return "The highest level is reached."

    def names(keys: Sequence[str]) -> str:
        return ", ".join(_in_sentence(titles.get(k, k)) for k in keys)

    parts = [
        f"Level {progress['level']}: {progress['in_place']} of {progress['total']} "
        "capabilities in place"
    ]
    if progress["blocking"]:
        parts.append(f"held back by {names(progress['blocking'])}")
    if progress["missing"]:
        parts.append(f"also missing {names(progress['missing'])}")
    if progress["unknown"]:
        parts.append(f"not known: {names(progress['unknown'])}")
    return "; ".join(parts) + "."


# --- Scoring -------------------------------------------------------------------------------


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
    weakest = min(
        dimension_levels, key=lambda k: (dimension_levels[k], dimension_index[k], position[k])
    )
    if dimension_levels[weakest] == MAX_LEVEL and dimension_index[weakest] >= 100.0:
        weakest = ""  # every dimension complete: no weakest link to name
    missing = _missing_for(catalogue, results, level + 1)
    return MaturityResult(
        catalogue_version=catalogue.version,
        level=level,
        dimension_levels=dimension_levels,
        dimension_index=dimension_index,
        weakest_dimension=weakest,
        index=_index_of(list(results.values())),
        why_not_next=_why_not_next(catalogue, results, level, missing, answered),
        missing_for_next=tuple(missing),
        capabilities=results,
        contradictions=tuple(contradictions),
        unknown=tuple(k for k, r in results.items() if r.status == "unknown"),
        ml_test_score=ml_test_score(catalogue, results),
        scanned=scanned,
        evidence_only=evidence_only,
        covered_dimensions=covered_dimensions,
        can_contradict=bool(scanned and can_contradict),
    )


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
            f"Answered no for {_in_sentence(capability.title)}, but the repository shows it: "
            f"{finding.reason}{where}.",
        )
    supported = any(_supports(f) for f in result.evidence)
    if not scanned or not capability.evidence_decides or supported:
        return None
    how = "automated" if claimed == 1 else "done partly or by hand"
    return Contradiction(
        capability.key,
        "claimed_without_evidence",
        f"Answered that {_in_sentence(capability.title)} is {how}, but the repository scan "
        "found no sign of it.",
    )


def _supports(finding: Evidence) -> bool:
    """Whether a finding backs a claim: something more than a mention was found."""
    return (
        finding.effective_grade > 0
        and STRENGTH_RANK[finding.strength] >= STRENGTH_RANK["file_name"]
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
        name = _in_sentence(catalogue.capability(key).title)
        if results[key].status == "unknown":
            state = answered.get(key)
            name += " (not answered)" if state is None or state.unanswered else " (don't know)"
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
