"""Scoring's view of a catalogue, laid out once per catalogue.

Every assessment is scored again whenever results are recomputed (a new catalogue version, new
scan evidence), so what ``score`` reads of the catalogue for each capability is derived once
and kept with the catalogue (``Catalogue.derived``): the graded questions that grade it, with
what each option means, and the results it can have without any finding. The rules themselves
are stated, and applied, in ``scoring``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .catalogue import Capability, Catalogue
from .results import MAX_LEVEL, CapabilityResult, Contradiction, in_sentence


class Tally(NamedTuple):
    """What a capability's result adds to the level and the index (see ``scoring``)."""

    weight: float  # its weight in the index, 0 when it does not count there (not visible)
    weighted: float  # its weight times its grade, 0 when it does not count
    holds_back: int  # the level it holds back, HOLDS_NOTHING when none
    holds_back_dimension: int  # the same for its dimension's own level


HOLDS_NOTHING = MAX_LEVEL + 1


class Outcome(NamedTuple):
    """A capability's result, the contradiction it shows, and its tally."""

    result: CapabilityResult
    contradiction: Contradiction | None
    tally: Tally


# What one capability's answers say: (answer grade, not applicable, unanswered); see
# ``CapabilityRow.read_answers``. A plain tuple: it is built for every capability of every
# assessment scored.
AnswerReading = tuple[float | None, bool, bool]


@dataclass(frozen=True, slots=True)
class GradedQuestion:
    """A graded question as it grades its capabilities."""

    key: str
    hidden_by: str | None  # the context question whose answer can hide it (skip logic)
    hidden_if: tuple[str, ...]  # the answers to ``hidden_by`` that hide it
    grades: dict[str, float | None]  # option -> its grade; None leaves the capability open
    not_applicable: frozenset[str]  # the options answering "not applicable"


@dataclass(frozen=True, slots=True)
class CapabilityRow:
    """One capability, with what scoring reads about it."""

    capability: Capability
    key: str
    dimension: str
    questions: tuple[GradedQuestion, ...]  # the graded questions naming it, in file order
    # Without findings, a capability's result depends only on its answer grade, whether it is
    # not applicable, and whether the result is evidence-only, and its contradiction only on
    # that result and whether a scan can contradict: each outcome is built once, by those four,
    # and shared by every score (results and contradictions are frozen). None when the
    # catalogue's grades are not all floats, as ``parse_catalogue`` makes them: an int grade
    # equals its float as a key but reads differently in a stored result.
    outcomes_without_findings: dict[tuple[float | None, bool, bool, bool], Outcome] | None

    def read_answers(self, answers: Mapping[str, str]) -> AnswerReading:
        """The answer grade (the minimum graded answer, None when no graded answer is left),
        whether the capability is not applicable (no graded answer, none open, and some
        question answered not applicable or hidden by skip logic), and whether some question
        is not answered at all. A capability no graded question names reads as unanswered.

        The answers must have been checked against the catalogue first.
        """
        grade: float | None = None
        not_applicable = False
        open_ = False  # some question unanswered or answered "don't know"
        unanswered = not self.questions
        for question in self.questions:
            if question.hidden_by is not None and answers.get(question.hidden_by) in (
                question.hidden_if
            ):
                not_applicable = True
                continue
            option = answers.get(question.key)
            if option is None:
                open_ = unanswered = True
            elif option in question.not_applicable:
                not_applicable = True
            else:
                value = question.grades[option]
                if value is None:
                    open_ = True
                elif grade is None or value < grade:  # as min(): the first lowest is kept
                    grade = value
        return grade, grade is None and not_applicable and not open_, unanswered


@dataclass(frozen=True, slots=True)
class ScoringTables:
    rows: tuple[CapabilityRow, ...]  # in the catalogue's topological order
    options: dict[str, frozenset[str]]  # every question's option keys
    answers: frozenset[tuple[str, str]]  # every (question, option) pair
    titles_in_sentence: dict[str, str]  # each capability's title, to use mid-sentence
    dimensions: tuple[tuple[str, tuple[str, ...]], ...]  # each dimension's capability keys
    # Dimensions whose every question a context answer can hide (LLM applications, say): one
    # answer says the whole dimension does not apply to the team.
    gated_dimensions: frozenset[str]
    highest_level: int


def scoring_tables(catalogue: Catalogue) -> ScoringTables:
    """The catalogue's scoring tables, built on first use."""
    return catalogue.derived(_build)


def _build(catalogue: Catalogue) -> ScoringTables:
    questions: dict[str, list[GradedQuestion]] = {c.key: [] for c in catalogue.capabilities}
    float_grades = True
    for question in catalogue.graded_questions:
        rule = question.skip_if
        graded = GradedQuestion(
            key=question.key,
            hidden_by=rule.question if rule is not None else None,
            hidden_if=rule.values if rule is not None else (),
            grades={o.key: o.grade for o in question.options},
            not_applicable=frozenset(o.key for o in question.options if o.not_applicable),
        )
        float_grades &= all(o.grade is None or type(o.grade) is float for o in question.options)
        for key in question.capabilities:
            questions.setdefault(key, []).append(graded)
    rows = tuple(
        CapabilityRow(
            capability=c,
            key=c.key,
            dimension=c.dimension,
            questions=tuple(questions[c.key]),
            outcomes_without_findings={} if float_grades else None,
        )
        for c in catalogue.topological_order
    )
    return ScoringTables(
        rows=rows,
        options={q.key: frozenset(o.key for o in q.options) for q in catalogue.questions},
        answers=frozenset((q.key, o.key) for q in catalogue.questions for o in q.options),
        titles_in_sentence={c.key: in_sentence(c.title) for c in catalogue.capabilities},
        dimensions=tuple(
            (d.key, tuple(c.key for c in catalogue.capabilities_in(d.key)))
            for d in catalogue.dimensions
        ),
        highest_level=max(lv.number for lv in catalogue.levels),
        gated_dimensions=frozenset(d.key for d in catalogue.dimensions if _gated(catalogue, d.key)),
    )


def _gated(catalogue: Catalogue, dimension: str) -> bool:
    """Every question of the dimension can be hidden by a context answer."""
    questions = [
        q for c in catalogue.capabilities_in(dimension) for q in catalogue.questions_for(c)
    ]
    return bool(questions) and all(q.skip_if is not None for q in questions)
