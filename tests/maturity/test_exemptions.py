"""The reading with exemptions: exempted capabilities count as not applicable, all else stays."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.maturity import Evidence, MaturityResult, load_catalogue, score
from assessments.maturity.exemptions import (
    EXEMPTION_QUESTION,
    UnknownExemption,
    exempting_catalogue,
    score_with_exemptions,
    stored_result_with_exemptions,
    stored_scoring_inputs,
)
from tests.maturity.builders import answer_all, answer_up_to_level

from .test_properties import answer_sets, evidence_lists

CATALOGUE = load_catalogue()
KEYS = [c.key for c in CATALOGUE.capabilities]


def test_with_nothing_exempted_the_reading_is_the_raw_result(catalogue):
    answers = answer_all(catalogue, "partly")
    evidence = [Evidence("ci", 1, "ci_config", "workflow runs tests")]
    raw = score(catalogue, answers, evidence)
    assert score_with_exemptions(catalogue, answers, evidence, exempted=()) == raw


def test_an_exempted_capability_counts_as_not_applicable(catalogue):
    answers = answer_up_to_level(catalogue, 1, {"pipeline_triggers": "no"})
    raw = score(catalogue, answers)
    assert raw.level == 0
    assert raw.missing_for_next == ("pipeline_triggers",)

    reading = score_with_exemptions(catalogue, answers, exempted={"pipeline_triggers"})

    triggers = reading.capabilities["pipeline_triggers"]
    assert (triggers.status, triggers.met, triggers.grade) == ("not_applicable", True, 1.0)
    assert reading.level == 1
    assert reading.index > raw.index
    assert "pipeline_triggers" not in reading.gaps


def test_exempting_equals_answering_not_applicable_where_the_catalogue_offers_it(catalogue):
    """Where every question of a capability is its own and offers "not applicable", an
    exemption reads exactly like that answer."""
    for capability in catalogue.capabilities:
        questions = catalogue.questions_for(capability)
        if questions and all(
            q.capabilities == (capability.key,) and any(o.not_applicable for o in q.options)
            for q in questions
        ):
            break
    else:
        pytest.skip("no capability of the catalogue has its own not-applicable questions")
    answers = answer_all(catalogue, "no")
    answered_na = dict(answers)
    for question in questions:
        answered_na[question.key] = next(o.key for o in question.options if o.not_applicable)
    exempt = score_with_exemptions(catalogue, answers, exempted={capability.key})
    expected = score(catalogue, answered_na)
    assert (exempt.level, exempt.index, exempt.dimension_levels) == (
        expected.level,
        expected.index,
        expected.dimension_levels,
    )
    assert exempt.capabilities[capability.key].status == "not_applicable"


def test_a_question_shared_with_another_capability_still_grades_that_one(catalogue):
    shared = next(q for q in catalogue.graded_questions if len(q.capabilities) > 1)
    exempt, kept = shared.capabilities[0], shared.capabilities[1]
    answers = answer_all(catalogue, "yes", {kept: "no"})
    reading = score_with_exemptions(catalogue, answers, exempted={exempt})
    assert reading.capabilities[exempt].status == "not_applicable"
    assert reading.capabilities[kept].grade == score(catalogue, answers).capabilities[kept].grade


def test_an_exemption_silences_the_capabilitys_contradiction_and_nothing_else(catalogue):
    answers = answer_all(catalogue, "yes")
    raw = score(catalogue, answers, [])
    contradicted = sorted({c.capability for c in raw.contradictions})
    assert len(contradicted) > 1
    reading = score_with_exemptions(catalogue, answers, [], exempted={contradicted[0]})
    assert {c.capability for c in reading.contradictions} == set(contradicted[1:])


def test_exempting_a_met_capability_changes_no_figure(catalogue):
    answers = answer_all(catalogue, "yes")
    raw = score(catalogue, answers)
    reading = score_with_exemptions(catalogue, answers, exempted={"ci"})
    assert (reading.level, reading.index, reading.dimension_index) == (
        raw.level,
        raw.index,
        raw.dimension_index,
    )


def test_an_unknown_capability_is_refused_with_its_key(catalogue):
    with pytest.raises(UnknownExemption, match="no_such_capability"):
        score_with_exemptions(catalogue, {}, exempted={"no_such_capability"})


def test_the_catalogue_itself_is_left_alone(catalogue):
    before = catalogue.questions
    derived = exempting_catalogue(catalogue, {"ci", "monitoring"})
    assert catalogue.questions == before
    assert not catalogue.has_question(EXEMPTION_QUESTION)
    assert derived.question(EXEMPTION_QUESTION).capabilities == ("ci", "monitoring")
    assert all("ci" not in q.capabilities for q in derived.questions if q.key != EXEMPTION_QUESTION)


def test_the_same_exemptions_share_one_copy_of_the_catalogue(catalogue):
    copy = exempting_catalogue(catalogue, {"ci", "monitoring"})
    assert exempting_catalogue(catalogue, ["monitoring", "ci"]) is copy
    assert exempting_catalogue(catalogue, {"ci"}) is not copy


def test_copies_beyond_the_last_used_are_built_again_and_read_the_same():
    catalogue = replace(CATALOGUE)  # its own copies, whatever other tests used
    answers = answer_all(catalogue, "partly")
    first = score_with_exemptions(catalogue, answers, exempted={"ci"})
    copy = exempting_catalogue(catalogue, {"ci"})
    for i, key in enumerate(KEYS):
        exempting_catalogue(catalogue, {key, KEYS[i - 1]})
        exempting_catalogue(catalogue, {key, KEYS[i - 2]})
    assert exempting_catalogue(catalogue, {"ci"}) is not copy
    assert score_with_exemptions(catalogue, answers, exempted={"ci"}) == first


def test_a_stored_result_scored_again_from_its_snapshot_is_the_same_result(catalogue):
    answers = answer_all(catalogue, "partly")
    evidence = [
        Evidence("ci", 1, "ci_config", "workflow", path=".github/workflows/ci.yml", line=3),
        Evidence("monitoring", 0.5, "mention", "docs"),
    ]
    raw = score(catalogue, answers, evidence, covered=["pipeline"], can_contradict=False)
    snapshot = raw.to_dict()
    again = stored_result_with_exemptions(catalogue, answers, snapshot, exempted=())
    assert again.to_dict() == snapshot


def test_a_stored_result_without_a_scan_stays_without_one(catalogue):
    answers = answer_all(catalogue, "yes")
    snapshot = score(catalogue, answers).to_dict()
    inputs = stored_scoring_inputs(snapshot)
    assert (inputs.evidence, inputs.scanned, inputs.can_contradict) == (None, False, False)
    assert stored_result_with_exemptions(catalogue, answers, snapshot, exempted=()).to_dict() == (
        snapshot
    )


@settings(max_examples=80, deadline=None)
@given(
    answers=answer_sets,
    evidence=evidence_lists,
    exempted=st.sets(st.sampled_from(KEYS), max_size=5),
)
def test_exemptions_never_lower_a_figure_and_a_stored_result_reads_the_same(
    answers, evidence, exempted
):
    raw = score(CATALOGUE, answers, evidence)
    reading = score_with_exemptions(CATALOGUE, answers, evidence, exempted=exempted)
    assert reading.level >= raw.level
    assert reading.index >= raw.index
    for dimension, level in raw.dimension_levels.items():
        assert reading.dimension_levels[dimension] >= level
    assert all(reading.capabilities[key].met for key in exempted)
    assert set(reading.gaps) == set(raw.gaps) - exempted
    stored = MaturityResult.from_dict(raw.to_dict()).to_dict()
    assert stored_result_with_exemptions(CATALOGUE, answers, stored, exempted=exempted) == reading
