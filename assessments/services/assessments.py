"""Writes of the questionnaire flow: start, answer (optimistic concurrency), submit, reopen."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone

from .. import maturity, selectors
from ..access import can_edit_team
from ..compiled_queries import CompiledQuery
from ..errors import ActionNotAllowed, ApplicationError
from ..maturity.versions import load_catalogue_version
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CheckAnswer,
    Team,
    needs_confirmation,
)

NOTE_MAX_LENGTH = 4000


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


def _require_editor(user: User, team: Team) -> None:
    if not can_edit_team(user, team):
        raise ActionNotAllowed("Only members, team leads and org admins can change assessments.")


# Both run on every autosave: compiled once (see CompiledQuery), inside the transaction that
# holds the lock, as every caller of `_locked_draft` is.
_LOCKED_STATUS = CompiledQuery(
    lambda assessment_id: (
        Assessment.objects.select_for_update()
        .filter(pk=assessment_id)
        .order_by()
        .values_list("id", "status")
    )
)
_ANSWER_VERSIONS = CompiledQuery(
    lambda assessment_id: Answer.objects.filter(assessment_id=assessment_id).values_list(
        "question_key", "pk", "option_key", "version"
    )
)


def _locked_draft(assessment_id: int) -> Assessment:
    """The assessment row locked for this transaction, refusing when it is no longer a draft."""
    found = _LOCKED_STATUS.rows(assessment_id=assessment_id)
    if not found:
        raise Assessment.DoesNotExist("Assessment matching query does not exist.")
    assessment = Assessment.from_db(DEFAULT_DB_ALIAS, ["id", "status"], found[0])
    if not assessment.is_draft:
        raise ApplicationError(
            "This assessment was submitted and is locked; reopen it to change answers."
        )
    return assessment


@dataclass(frozen=True)
class DraftOpened:
    """What starting an assessment did: the team's draft, and whether this call created it."""

    assessment: Assessment
    created: bool


def assessment_start(*, team: Team, user: User, copy_from: Assessment | None = None) -> Assessment:
    """The team's draft: the open one, or a new one (see `assessment_open_draft`)."""
    return assessment_open_draft(team=team, user=user, copy_from=copy_from).assessment


@transaction.atomic
def assessment_open_draft(
    *, team: Team, user: User, copy_from: Assessment | None = None
) -> DraftOpened:
    """Open the team's draft, or create one prefilled from `copy_from` or the latest submission,
    saying which happened: callers answer "created" or "already there" from this, never by
    looking for a draft first (another member may start one in between).

    Teams amend their previous answers rather than starting from nothing every quarter; answers
    to questions the current catalogue no longer has are left behind.
    """
    _require_editor(user, team)
    existing = Assessment.objects.filter(team=team, status=AssessmentStatus.DRAFT).first()
    if existing is not None:
        return DraftOpened(existing, created=False)
    if copy_from is not None and copy_from.team_id != team.id:
        raise ApplicationError("An assessment can only be copied within its own team.")
    source = copy_from or (
        Assessment.objects.filter(team=team, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    catalogue = maturity.load_catalogue()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                team=team, catalogue_version=catalogue.version, created_by=user, copied_from=source
            )
    except IntegrityError:
        # Another member started the draft at the same moment: use theirs.
        return DraftOpened(
            Assessment.objects.get(team=team, status=AssessmentStatus.DRAFT), created=False
        )
    if source is not None:
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                question_key=answer.question_key,
                option_key=answer.option_key,
                note=answer.note,
                updated_by_id=answer.updated_by_id,
                carried_over_from=source.submitted_at,
            )
            for answer in source.answers.all()
            if catalogue.has_question(answer.question_key)
            and answer.option_key in _option_keys(catalogue.question(answer.question_key))
        )
        # Imported here: that module builds on this one's rules for answers.
        from .check_answers import check_answers_carry_over

        check_answers_carry_over(assessment=assessment, source=source)
    _suggest_from_evidence(assessment, catalogue, user)
    return DraftOpened(assessment, created=True)


def _suggest_from_evidence(
    assessment: Assessment, catalogue: maturity.Catalogue, user: User
) -> None:
    """Answer what the team's scanned repositories already show, marked to be confirmed.

    Only questions nobody has answered are suggested: a carried-over answer is the team's
    own word, and the evidence beside it is shown as a hint instead.
    """
    sources = selectors.evidence_sources_for_team(assessment.team)
    if not sources:
        return
    where = dict(sources)
    chosen = dict(assessment.answers.values_list("question_key", "option_key"))
    suggestions = maturity.suggest_answers(catalogue, list(where))
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_key=key,
            option_key=suggestion.option,
            updated_by=user,
            suggested_from={
                **where[suggestion.evidence],
                "path": suggestion.evidence.path,
                "line": suggestion.evidence.line,
                "reason": suggestion.evidence.reason,
            },
        )
        for key, suggestion in suggestions.items()
        # Skip logic hides some questions given the context answers carried over.
        if key not in chosen and catalogue.is_visible(catalogue.question(key), chosen)
    )


def _option_keys(question: maturity.Question) -> list[str]:
    return [option.key for option in question.options]


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


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user: User) -> Assessment:
    """Lock the assessment and compute its result in a worker once the submission is committed."""
    from ..tasks import compute_result

    _require_editor(user, assessment.team)
    locked = _locked_draft(assessment.pk)
    locked.status = AssessmentStatus.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_by", "submitted_at"])
    transaction.on_commit(lambda: compute_result.delay(locked.pk))
    return locked


def assessment_reopen(*, assessment: Assessment, user: User) -> Assessment:
    """Submitted assessments never change; reopening starts a new draft with the same answers."""
    if assessment.is_draft:
        raise ApplicationError("This assessment is still a draft; keep editing it.")
    return assessment_start(team=assessment.team, user=user, copy_from=assessment)
