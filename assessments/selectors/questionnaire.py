"""Reads of the questionnaire pages, shaped for drawing them.

A page and its autosave are the hottest paths of the application: a team member loads a page
and saves an answer every few seconds while filling in a draft. So these reads fetch plain
rows (no model instances, only the columns a page shows) and keep what never changes in
process: an organisation's check set version is never edited once written, so its questions
are parsed once per version, not on every page view.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from ..compiled_queries import CompiledQuery
from ..maturity.custom_checks import CustomCheck, check_set_from_dict
from ..models import Answer, CheckAnswer, CheckSetVersion

_USERNAME = f"updated_by__{get_user_model().USERNAME_FIELD}"


@dataclass(frozen=True, slots=True)
class AnswerOnPage:
    """One saved answer as a questionnaire page shows it (the catalogue's or the
    organisation's questions alike); `updated_by` is the username of who saved it last."""

    question_key: str
    option_key: str
    note: str
    version: int
    updated_by: str | None
    carried_over_from: datetime | None
    suggested_from: dict[str, Any] | None = None

    @property
    def needs_confirmation(self) -> bool:
        """Carried over or suggested by a scan, and nobody has confirmed it yet."""
        return self.carried_over_from is not None or self.suggested_from is not None


_ANSWERS = CompiledQuery(
    lambda assessment_id: (
        Answer.objects.filter(assessment_id=assessment_id)
        .order_by()
        .values_list(
            "question_key",
            "option_key",
            "note",
            "version",
            _USERNAME,
            "carried_over_from",
            "suggested_from",
        )
    )
)

_CHECK_ANSWERS = CompiledQuery(
    lambda assessment_id: (
        CheckAnswer.objects.filter(assessment_id=assessment_id)
        .order_by()
        .values_list("check_key", "option_key", "note", "version", _USERNAME, "carried_over_from")
    )
)


def questionnaire_answers(*, assessment_id: int) -> dict[str, AnswerOnPage]:
    """The draft's answers to the catalogue's questions, by question key, in one query."""
    return {row[0]: AnswerOnPage(*row) for row in _ANSWERS.rows(assessment_id=assessment_id)}


def questionnaire_check_answers(*, assessment_id: int) -> dict[str, AnswerOnPage]:
    """The draft's answers to its organisation's questions, by check key, in one query."""
    rows = _CHECK_ANSWERS.rows(assessment_id=assessment_id)
    return {row[0]: AnswerOnPage(*row) for row in rows}


@dataclass(frozen=True)
class CheckQuestions:
    """The organisation's current check set version and its checks that ask a question, in
    the set's order. `identity` tells one stored version from every other, also across a
    rolled-back transaction that reused its id. Two readings of one version compare (and
    hash) equal by `identity` alone, so a cache keyed by them never hashes the checks."""

    identity: tuple[int, datetime]
    checks: tuple[CustomCheck, ...] = field(compare=False)


def questionnaire_check_questions(
    *, check_set: tuple[int, datetime] | None
) -> CheckQuestions | None:
    """The questions of the organisation's current check set (as
    `check_questions_for_organization`), None when it asks none. `check_set` is that version's
    (id, created at), as `assessment_with_check_set_get_for_user` reads it; its document is
    read and parsed only the first time this process sees it."""
    if check_set is None:
        return None
    checks = _questions_of_version(*check_set)
    return CheckQuestions(check_set, checks) if checks else None


@functools.lru_cache(maxsize=256)
def _questions_of_version(version_id: int, created_at: datetime) -> tuple[CustomCheck, ...]:
    document = CheckSetVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return tuple(check for check in check_set_from_dict(document).checks if check.question)
