"""Writes of a draft's answers: one answer (optimistic concurrency), a questionnaire page, and
confirming carried-over answers. Starting, submitting and reopening are in assessments.py."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from ..compiled_queries import CompiledQuery
from ..errors import ApplicationError
from ..maturity.versions import load_catalogue_version
from ..models import Answer, Assessment, CheckAnswer, needs_confirmation
from .assessments import _locked_draft, _option_keys, _require_editor

NOTE_MAX_LENGTH = 4000

# Read on every autosave, inside the transaction that locked the draft: compiled once (see
# CompiledQuery).
_ANSWER_VERSIONS = CompiledQuery(
    lambda assessment_id: Answer.objects.filter(assessment_id=assessment_id).values_list(
        "question_key", "pk", "option_key", "version"
    )
)


class AnswerConflict(ApplicationError):
    """Someone else changed the answer since the user loaded it; carries their value to show."""

    def __init__(self, *, question_key: str, current: Answer | CheckAnswer | None):
        who = current.updated_by.get_username() if current and current.updated_by else "someone"
        super().__init__(
            f"{who} changed this answer while you were editing it; "
            "choose which value to keep and save again.",
            extra={
                "question": question_key,
                "current_option": current.option_key if current else None,
                "current_note": current.note if current else "",
                "current_version": current.version if current else 0,
                "updated_by": who,
            },
        )


def normalize_note(note: str) -> str:
    """Line endings as a browser's textarea gives them to scripts: a form post sends CRLF and
    autosave sends LF, and the same note must compare equal whichever way it arrived."""
    return note.replace("\r\n", "\n").replace("\r", "\n")


def _validate_answer(assessment: Assessment, question_key: str, option_key: str, note: str) -> None:
    catalogue = load_catalogue_version(assessment.catalogue_version)
    if not catalogue.has_question(question_key):
        raise ApplicationError(f"There is no question '{question_key}' in this questionnaire.")
    question = catalogue.question(question_key)
    if option_key not in _option_keys(question):
        allowed = ", ".join(_option_keys(question))
        raise ApplicationError(
            f"'{option_key}' is not an answer to question '{question_key}'; choose one of: "
            f"{allowed}."
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(f"The note is longer than {NOTE_MAX_LENGTH} characters.")
    if "\x00" in note:
        raise ApplicationError("The note contains a NUL character, which cannot be stored.")


@dataclass(frozen=True)
class SavedAnswer:
    """An answer just saved, and the chosen option of every answer of its assessment after the
    save: what progress and skip logic need, read in the same statement as the version check."""

    answer: Answer
    choices: dict[str, str]


def answer_save(
    *,
    assessment: Assessment,
    question_key: str,
    option_key: str,
    note: str = "",
    expected_version: int,
    user: User,
) -> Answer:
    """Save one answer if nobody changed it since `expected_version` (0: not answered yet).

    A stale version raises AnswerConflict carrying the other value and who set it, so the user
    chooses; nothing is overwritten silently.
    """
    return answer_save_with_choices(
        assessment=assessment,
        question_key=question_key,
        option_key=option_key,
        note=note,
        expected_version=expected_version,
        user=user,
    ).answer


def answer_save_with_choices(
    *,
    assessment: Assessment,
    question_key: str,
    option_key: str,
    note: str = "",
    expected_version: int,
    user: User,
) -> SavedAnswer:
    """`answer_save`, also returning every chosen option after the save (for autosave's
    progress), at no extra query."""
    _require_editor(user, assessment.team)
    note = normalize_note(note)
    _validate_answer(assessment, question_key, option_key, note)
    # Checked before the transaction: on SQLite it holds the one write lock from its start.
    with transaction.atomic():
        return _answer_write(assessment, question_key, option_key, note, expected_version, user)


def _answer_write(
    assessment: Assessment,
    question_key: str,
    option_key: str,
    note: str,
    expected_version: int,
    user: User,
) -> SavedAnswer:
    # Every writer locks the assessment first, so nothing changes its answers between this
    # read and the write below.
    _locked_draft(assessment.pk)
    rows = _ANSWER_VERSIONS.rows(assessment_id=assessment.pk)
    current = {key: (pk, version) for key, pk, _, version in rows}.get(question_key)
    choices = {key: option for key, _, option, _ in rows}
    current_version = current[1] if current else 0
    if current_version != expected_version:
        # Only a conflict needs the other value and who set it.
        other = Answer.objects.select_related("updated_by").get(pk=current[0]) if current else None
        raise AnswerConflict(question_key=question_key, current=other)
    choices[question_key] = option_key
    if current is None:
        answer = Answer.objects.create(
            assessment=assessment,
            question_key=question_key,
            option_key=option_key,
            note=note,
            updated_by=user,
        )
        return SavedAnswer(answer, choices)
    # Every field of the row is known here, so the saved answer is built, not read back.
    answer = Answer(
        pk=current[0],
        assessment=assessment,
        question_key=question_key,
        option_key=option_key,
        note=note,
        version=current_version + 1,
        updated_by=user,
        # A changed or re-saved answer is the team's own now.
        carried_over_from=None,
        suggested_from=None,
    )
    answer.save(
        update_fields=[
            "option_key",
            "note",
            "updated_by",
            "version",
            "updated_at",
            "carried_over_from",
            "suggested_from",
        ]
    )
    return SavedAnswer(answer, choices)


@dataclass(frozen=True)
class PostedAnswer:
    """One question as a questionnaire page sent it: the chosen option ("" for none), the
    note, and the answer's version the page was drawn from (None when it was unreadable)."""

    option_key: str
    note: str
    expected_version: int | None


@dataclass(frozen=True)
class PageSaved:
    """What saving a questionnaire page did: the answers it wrote, and per question the
    conflict (someone else's value) or the sentence that says why it was not saved."""

    saved: tuple[str, ...]
    conflicts: dict[str, dict[str, Any]]
    errors: dict[str, str]

    @property
    def complete(self) -> bool:
        return not self.conflicts and not self.errors


def answers_page_save(
    *, assessment: Assessment, posted: dict[str, PostedAnswer], confirm: bool, user: User
) -> PageSaved:
    """Save a questionnaire page's answers that changed; with `confirm`, also confirm the
    page's answers left as they were ("nothing changed on this page"), once all saved.

    The rules of a page: an answer the same as the saved one (note included, whatever its line
    endings) is not written again; a note needs an answer; a stale version is a conflict that
    leaves the other person's value in place. One transaction for the page, each answer in its
    own savepoint: a refused answer rolls back alone, and when the database is too busy none
    is saved, so posting the page again saves it whole.
    """
    _require_editor(user, assessment.team)
    saved: list[str] = []
    conflicts: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    with transaction.atomic():
        current = {answer.question_key: answer for answer in assessment.answers.all()}
        for question_key, answer in posted.items():
            note = normalize_note(answer.note)
            existing = current.get(question_key)
            saved_note = normalize_note(existing.note) if existing else ""
            if not answer.option_key:
                if note.strip() and note != saved_note:
                    errors[question_key] = "Choose an answer too: a note is saved with its answer."
                continue
            if existing and existing.option_key == answer.option_key and saved_note == note:
                continue
            if answer.expected_version is None:
                errors[question_key] = "The form was out of date; reload the page and answer again."
                continue
            try:
                answer_save(
                    assessment=assessment,
                    question_key=question_key,
                    option_key=answer.option_key,
                    note=note,
                    expected_version=answer.expected_version,
                    user=user,
                )
            except AnswerConflict as conflict:
                conflicts[question_key] = conflict.extra
            except ApplicationError as error:
                errors[question_key] = error.message
            else:
                saved.append(question_key)
        if confirm and not conflicts and not errors:
            answers_confirm(assessment=assessment, question_keys=list(posted), user=user)
    return PageSaved(tuple(saved), conflicts, errors)


@transaction.atomic
def answers_confirm(*, assessment: Assessment, question_keys: Iterable[str], user: User) -> int:
    """Confirm carried-over answers as still true ("nothing changed on this page").

    The answers keep their value and version; only the mark that they need a look goes.
    Returns how many were confirmed.
    """
    _require_editor(user, assessment.team)
    _locked_draft(assessment.pk)
    return (
        Answer.objects.filter(assessment=assessment, question_key__in=list(question_keys))
        .filter(needs_confirmation())
        .update(carried_over_from=None, suggested_from=None, updated_by=user)
    )
