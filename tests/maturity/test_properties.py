"""Properties that must hold for every answer set, not only the golden ones."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.maturity import Evidence, MaturityResult, build_roadmap, load_catalogue, score
from assessments.maturity.scoring import STRENGTHS

CATALOGUE = load_catalogue()
GRADED = [q.key for q in CATALOGUE.graded_questions]
IMPROVEMENTS = {"no": "partly", "partly": "yes"}
UNANSWERED = "(unanswered)"

FAST = settings(max_examples=100, deadline=None)


@st.composite
def any_answers(draw):
    """Any mix of answers, skipped questions and context, as a team might leave them."""
    answers = {}
    for question in CATALOGUE.questions:
        choice = draw(st.sampled_from([o.key for o in question.options] + [UNANSWERED]))
        if choice != UNANSWERED:
            answers[question.key] = choice
    return answers


@st.composite
def nearly_automated_answers(draw):
    """Mostly "yes" with a few deviations, so levels 1 and 2 are reached and lost too."""
    answers = dict.fromkeys(GRADED, "yes")
    for key in draw(st.lists(st.sampled_from(GRADED), max_size=4)):
        answers[key] = draw(st.sampled_from([o.key for o in CATALOGUE.question(key).options]))
    if draw(st.booleans()):
        answers["online_serving"] = draw(st.sampled_from(["yes", "no"]))
    return answers


answer_sets = st.one_of(any_answers(), nearly_automated_answers())


evidence_lists = st.none() | st.lists(
    st.builds(
        Evidence,
        capability=st.sampled_from([c.key for c in CATALOGUE.capabilities]),
        grade=st.sampled_from([0, 0.5, 1]),
        strength=st.sampled_from(STRENGTHS),
        reason=st.just("found"),
    ),
    max_size=12,
)


def assert_not_lower(before, after):
    assert after.level >= before.level
    assert after.index >= before.index
    assert after.ml_test_score.score >= before.ml_test_score.score
    for dimension, level in before.dimension_levels.items():
        assert after.dimension_levels[dimension] >= level, dimension


@FAST
@given(answer_sets, evidence_lists, st.sampled_from(GRADED), st.sampled_from(["no", "partly"]))
def test_improving_one_answer_never_lowers_a_level_or_the_index(answers, evidence, key, start):
    before = score(CATALOGUE, {**answers, key: start}, evidence)
    after = score(CATALOGUE, {**answers, key: IMPROVEMENTS[start]}, evidence)
    assert_not_lower(before, after)


@FAST
@given(answer_sets, evidence_lists, evidence_lists)
def test_more_evidence_never_lowers_a_level_or_the_index(answers, evidence, extra):
    before = score(CATALOGUE, answers, evidence)
    after = score(CATALOGUE, answers, [*(evidence or []), *(extra or [])])
    assert_not_lower(before, after)


@FAST
@given(answer_sets, evidence_lists)
def test_the_index_stays_within_0_and_100_and_levels_stay_consistent(answers, evidence):
    result = score(CATALOGUE, answers, evidence)
    assert 0 <= result.index <= 100
    assert result.level in (0, 1, 2)
    # Dimensions count every required capability, the overall level only characteristics.
    assert result.level >= min(result.dimension_levels.values())
    if result.weakest_dimension:
        assert result.dimension_levels[result.weakest_dimension] == min(
            result.dimension_levels.values()
        )
    else:
        assert set(result.dimension_levels.values()) == {2}
        assert result.index == 100.0
    assert all(0 <= value <= 100 for value in result.dimension_index.values())


@FAST
@given(answer_sets, evidence_lists, st.sampled_from([0, 1, 2]))
def test_every_roadmap_step_comes_after_its_prerequisites(answers, evidence, target):
    result = score(CATALOGUE, answers, evidence)
    steps = build_roadmap(CATALOGUE, result, target)
    position = {step.capability: i for i, step in enumerate(steps)}
    assert len(position) == len(steps)
    for step in steps:
        assert step.capability not in result.met
        for prerequisite in CATALOGUE.capability(step.capability).prerequisites:
            if prerequisite in position:
                assert position[prerequisite] < position[step.capability]
            else:
                assert prerequisite in result.met
    required_gaps = {key for key in result.gaps if CATALOGUE.capability(key).level <= target}
    assert required_gaps <= set(position)


@FAST
@given(answer_sets, evidence_lists)
def test_results_round_trip_through_json(answers, evidence):
    result = score(CATALOGUE, answers, evidence)
    assert MaturityResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
