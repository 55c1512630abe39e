"""Scoring and roadmaps read per-catalogue tables and share recurring results: they must give
exactly what the straightforward computation gives, for any answers, evidence and scan."""

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.maturity import AnswerError, build_roadmap, score
from assessments.maturity.scoring_tables import scoring_tables

from . import straightforward_roadmap, straightforward_scoring
from .test_properties import CATALOGUE, answer_sets, evidence_lists

MANY = settings(max_examples=300, deadline=None)
DIMENSIONS = [d.key for d in CATALOGUE.dimensions]

scans = st.fixed_dictionaries(
    {},
    optional={
        "scanned": st.booleans(),
        "covered": st.lists(st.sampled_from(DIMENSIONS), max_size=4),
        "can_contradict": st.booleans(),
    },
)


def assert_same(result, expected):
    assert result == expected
    assert result.to_dict() == expected.to_dict()
    # Equal numbers of different types (1 and 1.0) compare equal but are stored differently.
    assert repr(result.to_dict()) == repr(expected.to_dict())


@MANY
@given(answer_sets, evidence_lists, scans)
def test_scoring_gives_what_the_straightforward_computation_gives(answers, evidence, scan):
    assert_same(
        score(CATALOGUE, answers, evidence, **scan),
        straightforward_scoring.score(CATALOGUE, answers, evidence, **scan),
    )


@MANY
@given(evidence_lists, scans)
def test_evidence_alone_gives_what_the_straightforward_computation_gives(evidence, scan):
    assert_same(
        score(CATALOGUE, {}, evidence, evidence_only=True, **scan),
        straightforward_scoring.score(CATALOGUE, {}, evidence, evidence_only=True, **scan),
    )


@MANY
@given(answer_sets, evidence_lists, scans, st.sampled_from([0, 1, 2]))
def test_roadmaps_give_what_the_straightforward_computation_gives(answers, evidence, scan, target):
    result = score(CATALOGUE, answers, evidence, **scan)
    assert build_roadmap(CATALOGUE, result, target) == straightforward_roadmap.build_roadmap(
        CATALOGUE, result, target
    )


@settings(max_examples=50, deadline=None)
@given(answer_sets, evidence_lists)
def test_a_fresh_catalogue_copy_scores_as_the_one_that_shares_its_results(answers, evidence):
    fresh = replace(CATALOGUE)  # its own tables, nothing shared yet
    assert_same(score(fresh, answers, evidence), score(CATALOGUE, answers, evidence))


@settings(max_examples=50, deadline=None)
@given(answer_sets, evidence_lists)
def test_a_catalogue_with_whole_number_grades_shares_nothing_and_scores_the_same(answers, evidence):
    whole = replace(
        CATALOGUE,
        questions=tuple(
            replace(
                q,
                options=tuple(
                    replace(o, grade=int(o.grade)) if o.grade in (0, 1) else o for o in q.options
                ),
            )
            for q in CATALOGUE.questions
        ),
    )
    assert scoring_tables(whole).rows[0].outcomes_without_findings is None
    assert_same(
        score(whole, answers, evidence), straightforward_scoring.score(whole, answers, evidence)
    )


@pytest.mark.parametrize(
    "answers",
    [{"no_such_question": "yes"}, {"code_in_git": "maybe"}, {"code_in_git": None}],
)
def test_a_wrong_answer_is_refused_with_the_same_sentence(answers):
    with pytest.raises(AnswerError) as expected:
        straightforward_scoring.score(CATALOGUE, answers)
    with pytest.raises(AnswerError, match=f"^{re.escape(str(expected.value))}$"):
        score(CATALOGUE, answers)
