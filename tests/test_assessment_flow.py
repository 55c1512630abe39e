"""The questionnaire flow: start, answer with versions, submit, result, reopen, roadmap, debt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import maturity
from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
)
from assessments.selectors import debt_statement_for_team
from assessments.services.answers import AnswerConflict, answer_save
from assessments.services.assessments import (
    assessment_open_draft,
    assessment_reopen,
    assessment_start,
    assessment_submit,
)

from .assessment_helpers import answer_everything, answers_all
from .factories import UserFactory


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


def submit(assessment, user, capture):
    with capture(execute=True):
        return assessment_submit(assessment=assessment, user=user)


def test_starting_twice_opens_the_same_draft(team, member, lead):
    first = assessment_start(team=team, user=member)
    assert first.catalogue_version == maturity.load_catalogue().version
    assert assessment_start(team=team, user=lead) == first


def test_opening_a_draft_says_whether_it_was_created(team, member, lead):
    first = assessment_open_draft(team=team, user=member)
    again = assessment_open_draft(team=team, user=lead)

    assert first.created is True
    assert again.created is False
    assert again.assessment == first.assessment


def test_a_new_answer_starts_at_version_one_and_each_write_adds_one(draft, member):
    answer = answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="partly",
        expected_version=0,
        user=member,
    )
    assert answer.version == 1
    answer = answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="yes",
        note="all in git",
        expected_version=1,
        user=member,
    )
    assert (answer.version, answer.option_key, answer.note) == (2, "yes", "all in git")


def test_a_stale_write_is_refused_with_the_other_value_and_who_made_it(draft, member, lead):
    answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="yes",
        expected_version=0,
        user=lead,
    )
    with pytest.raises(AnswerConflict) as conflict:
        answer_save(
            assessment=draft,
            question_key="code_in_git",
            option_key="no",
            expected_version=0,
            user=member,
        )
    assert conflict.value.extra["current_option"] == "yes"
    assert conflict.value.extra["updated_by"] == "lena"
    assert conflict.value.extra["current_version"] == 1
    assert "lena changed this answer" in conflict.value.message
    assert Answer.objects.get(assessment=draft, question_key="code_in_git").option_key == "yes"


@pytest.mark.parametrize(
    ("question", "option", "message"),
    [
        ("no_such_question", "yes", "There is no question 'no_such_question'"),
        ("code_in_git", "maybe", "'maybe' is not an answer to question 'code_in_git'"),
        ("code_in_git", "na", "'na' is not an answer"),
    ],
)
def test_bad_answers_are_refused_with_a_sentence_and_nothing_is_saved(
    draft, member, question, option, message
):
    answer_save(
        assessment=draft,
        question_key="unit_tests",
        option_key="yes",
        expected_version=0,
        user=member,
    )
    with pytest.raises(ApplicationError, match=message):
        answer_save(
            assessment=draft,
            question_key=question,
            option_key=option,
            expected_version=0,
            user=member,
        )
    assert list(draft.answers.values_list("question_key", "option_key")) == [("unit_tests", "yes")]


def test_a_note_longer_than_the_limit_is_refused(draft, member):
    with pytest.raises(ApplicationError, match="longer than 4000"):
        answer_save(
            assessment=draft,
            question_key="code_in_git",
            option_key="yes",
            note="x" * 4001,
            expected_version=0,
            user=member,
        )


def test_viewers_and_other_teams_cannot_answer(draft, viewer, other_team_member):
    for user in (viewer, other_team_member):
        with pytest.raises(ActionNotAllowed):
            answer_save(
                assessment=draft,
                question_key="code_in_git",
                option_key="yes",
                expected_version=0,
                user=user,
            )
    assert not draft.answers.exists()


def test_submitting_locks_the_assessment_and_computes_its_result(
    draft, member, django_capture_on_commit_callbacks
):
    answer_everything(draft, answers_all("no"), member)
    submit(draft, member, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    result = Result.objects.get(assessment=draft)
    assert result.overall_level == 0
    assert result.target_level == 2
    assert result.catalogue_version == draft.catalogue_version
    catalogue = maturity.load_catalogue()
    assert ResultCapability.objects.filter(result=result).count() == len(catalogue.capabilities)
    assert result.snapshot["roadmap"], "a level 0 team aiming for level 2 has a roadmap"
    assert RoadmapStep.objects.filter(team=draft.team, status=RoadmapStepStatus.OPEN).count() == (
        len(result.snapshot["roadmap"])
    )
    with pytest.raises(ApplicationError, match="submitted and is locked"):
        answer_save(
            assessment=draft,
            question_key="code_in_git",
            option_key="yes",
            expected_version=1,
            user=member,
        )


def test_everything_automated_reaches_level_two(draft, member, django_capture_on_commit_callbacks):
    answer_everything(draft, answers_all("yes"), member)
    submit(draft, member, django_capture_on_commit_callbacks)
    result = Result.objects.get(assessment=draft)
    assert (result.overall_level, result.index) == (2, 100.0)
    assert not RoadmapStep.objects.filter(team=draft.team, status=RoadmapStepStatus.OPEN).exists()


def test_reopening_copies_the_answers_into_a_new_draft(
    draft, member, django_capture_on_commit_callbacks
):
    answer_everything(draft, {"code_in_git": "yes", "unit_tests": "partly"}, member)
    submitted = submit(draft, member, django_capture_on_commit_callbacks)
    opened = assessment_reopen(assessment=submitted, user=member)
    assert opened.created
    reopened = opened.assessment
    assert reopened.pk != draft.pk
    assert reopened.is_draft
    assert reopened.copied_from == draft
    assert dict(reopened.answers.values_list("question_key", "option_key")) == {
        "code_in_git": "yes",
        "unit_tests": "partly",
    }
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    again = assessment_reopen(assessment=submitted, user=member)
    assert (again.assessment, again.created) == (reopened, False)


def test_a_later_assessment_marks_met_steps_done_and_keeps_open_debt_dated(
    team, member, django_capture_on_commit_callbacks
):
    first = assessment_start(team=team, user=member)
    answer_everything(first, answers_all("no"), member)
    submit(first, member, django_capture_on_commit_callbacks)
    ninety_days_ago = timezone.now() - timedelta(days=90)
    Assessment.objects.filter(pk=first.pk).update(submitted_at=ninety_days_ago)
    RoadmapStep.objects.filter(team=team).update(first_seen=ninety_days_ago)

    second = assessment_start(team=team, user=member)
    answer_everything(
        second, answers_all("no", code_in_git="yes", experiments_tracked="yes"), member
    )
    submit(second, member, django_capture_on_commit_callbacks)

    tracking = RoadmapStep.objects.get(team=team, step_id="step-experiment_tracking")
    assert tracking.status == RoadmapStepStatus.DONE
    assert tracking.done_in == second
    still_open = RoadmapStep.objects.get(team=team, step_id="step-data_validation")
    assert still_open.status == RoadmapStepStatus.OPEN
    assert still_open.first_seen == ninety_days_ago

    debt = {item.capability: item for item in debt_statement_for_team(team=team)}
    assert "experiment_tracking" not in debt
    assert debt["data_validation"].first_seen == ninety_days_ago.date()
    assert debt["data_validation"].days_outstanding == 90
    assert debt["data_validation"].interest > 0


def test_a_stranger_cannot_start_an_assessment(team):
    with pytest.raises(ActionNotAllowed):
        assessment_start(team=team, user=UserFactory(username="eve"))
    assert not Assessment.objects.exists()
