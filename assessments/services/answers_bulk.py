"""The API's bulk answer write: many answers of one draft in one transaction, all or nothing,
each under the rules of a single answer (see `answer_save`)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..errors import ApplicationError
from ..maturity.versions import load_catalogue_version
from ..models import Answer, Assessment
from .answers import AnswerConflict, _validate_answer, normalize_note
from .assessments import _locked_draft, _require_editor


@dataclass(frozen=True)
class AnswerItem:
    """One answer of a bulk write: the question, the chosen option, the note, and the answer's
    version the client last read (0 for a question not answered yet)."""

    question_key: str
    option_key: str
    note: str
    expected_version: int


class AnswersInvalid(ApplicationError):
    """Some answers of a bulk write are invalid; `problems` maps each item's position in the
    batch to the sentence that says why. Nothing was saved."""

    def __init__(self, problems: dict[int, str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} of the answers are invalid; nothing was saved.",
        )


class AnswersConflict(ApplicationError):
    """Someone changed some answers of a bulk write since the client read them; carries, per
    stale answer, its current value and version. Nothing was saved."""

    def __init__(self, conflicts: list[dict[str, Any]]):
        keys = ", ".join(conflict["question"] for conflict in conflicts)
        super().__init__(
            f"The version sent for {keys} is not the current one: someone changed "
            f"{'it' if len(conflicts) == 1 else 'them'} since you read "
            f"{'it' if len(conflicts) == 1 else 'them'}; nothing was saved. Read the current "
            "values, decide which to keep and send the batch again.",
            extra={"conflicts": conflicts},
        )


def answers_bulk_limit(assessment: Assessment) -> int:
    """The most answers one bulk write takes: one per question of the assessment's catalogue."""
    return len(load_catalogue_version(assessment.catalogue_version).questions)


def answers_bulk_save(
    *, assessment: Assessment, items: list[AnswerItem], user: User
) -> list[Answer]:
    """Save many answers of one draft, all or nothing, each under the rules of `answer_save`:
    a valid option of a question of the assessment's catalogue, the version the client read
    (0 for a new answer), a submitted assessment refused, a saved answer confirmed.

    Invalid items raise AnswersInvalid naming every one of them; stale versions raise
    AnswersConflict naming every one of them; in both cases nothing is written. Returns the
    saved answers in the order of `items`.
    """
    _require_editor(user, assessment.team)
    catalogue = load_catalogue_version(assessment.catalogue_version)
    limit = len(catalogue.questions)
    if not items:
        raise ApplicationError("Send at least one answer.")
    if len(items) > limit:
        raise ApplicationError(
            f"A bulk write takes at most {limit} answers, one per question of this "
            f"questionnaire; this one has {len(items)}."
        )
    problems: dict[int, str] = {}
    seen: dict[str, int] = {}
    normalized: list[AnswerItem] = []
    for index, item in enumerate(items):
        note = normalize_note(item.note)
        normalized.append(
            AnswerItem(item.question_key, item.option_key, note, item.expected_version)
        )
        if item.question_key in seen:
            problems[index] = (
                f"Question '{item.question_key}' is answered twice in this batch "
                f"(first at position {seen[item.question_key]}); send each question once."
            )
            continue
        seen[item.question_key] = index
        try:
            _validate_answer(assessment, item.question_key, item.option_key, note)
        except ApplicationError as error:
            problems[index] = error.message
    if problems:
        raise AnswersInvalid(problems)
    # Checked before the transaction: on SQLite it holds the one write lock from its start.
    with transaction.atomic():
        return _answers_write(assessment, normalized, user)


def _answers_write(assessment: Assessment, items: list[AnswerItem], user: User) -> list[Answer]:
    _locked_draft(assessment.pk)
    current = {
        answer.question_key: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }
    conflicts = []
    for item in items:
        existing = current.get(item.question_key)
        if (existing.version if existing else 0) != item.expected_version:
            conflicts.append(AnswerConflict(question_key=item.question_key, current=existing).extra)
    if conflicts:
        raise AnswersConflict(conflicts)
    now = timezone.now()
    created = []
    changed = []
    for item in items:
        existing = current.get(item.question_key)
        if existing is None:
            created.append(
                Answer(
                    assessment=assessment,
                    question_key=item.question_key,
                    option_key=item.option_key,
                    note=item.note,
                    updated_by=user,
                    updated_at=now,
                )
            )
            continue
        existing.option_key = item.option_key
        existing.note = item.note
        existing.version += 1
        existing.updated_by = user
        existing.updated_at = now
        # A changed or re-saved answer is the team's own now.
        existing.carried_over_from = None
        existing.suggested_from = None
        changed.append(existing)
    Answer.objects.bulk_create(created)
    Answer.objects.bulk_update(
        changed,
        [
            "option_key",
            "note",
            "updated_by",
            "version",
            "updated_at",
            "carried_over_from",
            "suggested_from",
        ],
    )
    saved = {answer.question_key: answer for answer in (*created, *changed)}
    return [saved[item.question_key] for item in items]
