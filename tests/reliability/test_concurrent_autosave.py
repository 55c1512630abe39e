"""Fifty autosaves of one assessment at once: each applied or refused, none lost."""

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pytest
from django.db import connection

from assessments.models import Answer, Assessment, Role
from assessments.services.answers import AnswerConflict, answer_save
from assessments.services.assessments import assessment_start

from ..assessment_helpers import graded_questions
from ..factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AUTOSAVES = 50
QUESTIONS = 5
WRITERS = 5
ATTEMPTS = 3


@dataclass(frozen=True)
class Autosave:
    number: int
    question: str
    option: str
    note: str
    expected_version: int
    saved_version: int | None = None  # None: refused with a conflict
    conflict_version: int | None = None


def version_of(assessment: Assessment, question: str) -> int:
    answer = Answer.objects.filter(assessment=assessment, question_key=question).first()
    return answer.version if answer else 0


def test_concurrent_autosaves_are_applied_or_refused_and_none_is_lost(team):
    writers = [
        MembershipFactory(team=team, user=UserFactory(username=f"writer{i}"), role=Role.MEMBER).user
        for i in range(WRITERS)
    ]
    assessment_id = assessment_start(team=team, user=writers[0]).pk
    questions = graded_questions()[:QUESTIONS]
    start = threading.Barrier(AUTOSAVES, timeout=60)

    def autosave(number: int) -> list[Autosave]:
        """One editor's autosave; on a conflict they keep their value and save again, as the
        page asks them to, up to ATTEMPTS times. Returns every attempt."""
        try:
            question = questions[number % QUESTIONS]
            option = question.options[number % len(question.options)].key
            user = writers[number % WRITERS]
            assessment = Assessment.objects.select_related("team").get(pk=assessment_id)
            # Half the editors loaded the page before anyone saved (a stale version for all but
            # one of them); the others read the version just before saving.
            stale = number % 2 == 0
            expected = version_of(assessment, question.key) if stale else None
            start.wait()
            if expected is None:
                expected = version_of(assessment, question.key)
            attempts = []
            for attempt in range(ATTEMPTS):
                save = Autosave(
                    number, question.key, option, f"autosave {number}.{attempt}", expected
                )
                try:
                    answer = answer_save(
                        assessment=assessment,
                        question_key=save.question,
                        option_key=save.option,
                        note=save.note,
                        expected_version=save.expected_version,
                        user=user,
                    )
                except AnswerConflict as conflict:
                    expected = conflict.extra["current_version"]
                    attempts.append(replace(save, conflict_version=expected))
                    continue
                attempts.append(replace(save, saved_version=answer.version))
                break
            return attempts
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=AUTOSAVES) as pool:
        saves = [save for attempts in pool.map(autosave, range(AUTOSAVES)) for save in attempts]

    applied = [save for save in saves if save.saved_version is not None]
    refused = [save for save in saves if save.conflict_version is not None]
    assert len(applied) + len(refused) == len(saves) >= AUTOSAVES
    assert refused, "stale versions were sent, so some autosaves must have been refused"
    for save in refused:
        assert save.conflict_version != save.expected_version

    by_question = defaultdict(list)
    for save in applied:
        # Each accepted write was made on top of the one before it: nothing was overwritten.
        assert save.saved_version == save.expected_version + 1
        by_question[save.question].append(save)
    assert set(by_question) == {question.key for question in questions}

    final = {
        answer.question_key: answer for answer in Answer.objects.filter(assessment=assessment_id)
    }
    assert set(final) == set(by_question)
    for question, saves_of_question in by_question.items():
        versions = sorted(save.saved_version for save in saves_of_question)
        assert versions == list(range(1, len(versions) + 1)), question
        # A refused editor saving again on the version the conflict showed them wins unless
        # another write came first, so every contended answer moves past its first version.
        assert len(versions) >= 2, question
        last = max(saves_of_question, key=lambda save: save.saved_version)
        answer = final[question]
        assert (answer.version, answer.option_key, answer.note) == (
            last.saved_version,
            last.option,
            last.note,
        )
