"""Saving a questionnaire page: the rules of a page live in the service, not in the view."""

import pytest

from assessments.models import Answer
from assessments.services.answers import PostedAnswer, answer_save, answers_page_save
from assessments.services.assessments import assessment_start

from .assessment_helpers import graded_questions


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


@pytest.fixture
def two():
    first, second = graded_questions()[:2]
    return first, second


def test_changed_answers_are_saved_and_unchanged_ones_left_alone(draft, member, two):
    first, second = two
    answer_save(
        assessment=draft,
        question_key=first.key,
        option_key="yes",
        note="line one\nline two",
        expected_version=0,
        user=member,
    )
    page = answers_page_save(
        assessment=draft,
        posted={
            # The same note as a form posts it (CRLF): not a change.
            first.key: PostedAnswer("yes", "line one\r\nline two", expected_version=1),
            second.key: PostedAnswer("no", "", expected_version=0),
        },
        confirm=False,
        user=member,
    )

    assert page.complete
    assert page.saved == (second.key,)
    assert Answer.objects.get(assessment=draft, question_key=first.key).version == 1


def test_a_note_needs_an_answer_and_an_unreadable_version_is_refused(draft, member, two):
    first, second = two
    page = answers_page_save(
        assessment=draft,
        posted={
            first.key: PostedAnswer("", "a note on its own", expected_version=0),
            second.key: PostedAnswer("yes", "", expected_version=None),
        },
        confirm=True,
        user=member,
    )

    assert not page.complete
    assert page.errors == {
        first.key: "Choose an answer too: a note is saved with its answer.",
        second.key: "The form was out of date; reload the page and answer again.",
    }
    assert not Answer.objects.filter(assessment=draft).exists()


def test_a_stale_version_is_a_conflict_that_keeps_the_other_value(draft, member, lead, two):
    first, _ = two
    answer_save(
        assessment=draft, question_key=first.key, option_key="no", expected_version=0, user=lead
    )
    page = answers_page_save(
        assessment=draft,
        posted={first.key: PostedAnswer("yes", "", expected_version=0)},
        confirm=False,
        user=member,
    )

    assert page.conflicts[first.key]["current_option"] == "no"
    assert Answer.objects.get(assessment=draft, question_key=first.key).option_key == "no"


def test_confirming_a_page_clears_the_marks_only_once_everything_saved(
    team, member, draft, two, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_submit

    from .assessment_helpers import answer_everything, answers_all

    answer_everything(draft, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    carried = assessment_start(team=team, user=member)
    first, second = two
    versions = dict(carried.answers.values_list("question_key", "version"))

    refused = answers_page_save(
        assessment=carried,
        posted={
            first.key: PostedAnswer("partly", "", expected_version=versions[first.key]),
            second.key: PostedAnswer("", "a note without its answer", expected_version=0),
        },
        confirm=True,
        user=member,
    )
    assert not refused.complete
    assert carried.answers.get(question_key=first.key).carried_over_from is not None

    answers_page_save(
        assessment=carried,
        posted={
            first.key: PostedAnswer("partly", "", expected_version=versions[first.key]),
            second.key: PostedAnswer("partly", "", expected_version=versions[second.key]),
        },
        confirm=True,
        user=member,
    )
    assert not carried.answers.filter(
        question_key__in=[first.key, second.key], carried_over_from__isnull=False
    ).exists()
