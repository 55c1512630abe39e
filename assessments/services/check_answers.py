"""The team's answers to its organisation's own questions (``maturity.custom_checks``): saved
one at a time (autosave) or a page at a time, with the questionnaire's rules.

They live in `CheckAnswer`, never in `Answer`: the engine scores `Answer` against the built-in
catalogue, and an organisation's check is read beside the result, not inside it. The rules
are the questionnaire's own (`services.answers`): only editors write, only drafts change,
a stale version is a conflict, and a page saves in one transaction with each answer in its
own savepoint.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from ..errors import ApplicationError
from ..maturity.custom_checks import ANSWER_OPTIONS, CustomCheck
from ..models import Assessment, CheckAnswer, CheckSetVersion
from ..selectors.custom_checks import check_questions_for_organization
from .answers import NOTE_MAX_LENGTH, AnswerConflict, PageSaved, PostedAnswer, normalize_note
from .assessments import _locked_draft, _require_editor

_OPTION_KEYS = tuple(option.key for option in ANSWER_OPTIONS)


def _question_or_error(
    assessment: Assessment, check_key: str
) -> tuple[CheckSetVersion, CustomCheck]:
    """The current version and the check whose question `check_key` names."""
    found = check_questions_for_organization(organization_id=assessment.team.organization_id)
    if found is not None:
        version, checks = found
        for check in checks:
            if check.key == check_key:
                return version, check
    raise ApplicationError(
        f"There is no question '{check_key}' in your organisation's current checks."
    )


def _validate(option_key: str, check_key: str, note: str) -> None:
    if option_key not in _OPTION_KEYS:
        raise ApplicationError(
            f"'{option_key}' is not an answer to question '{check_key}'; choose one of: "
            f"{', '.join(_OPTION_KEYS)}."
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(f"The note is longer than {NOTE_MAX_LENGTH} characters.")
    if "\x00" in note:
        raise ApplicationError("The note contains a NUL character, which cannot be stored.")


def check_answer_save(
    *,
    assessment: Assessment,
    check_key: str,
    option_key: str,
    note: str = "",
    expected_version: int,
    user: User,
) -> CheckAnswer:
    """Save the team's answer to one of its organisation's questions if nobody changed it
    since `expected_version` (0: not answered yet); a stale version raises AnswerConflict with
    the other value. The answer records the check set version whose question it answers."""
    _require_editor(user, assessment.team)
    note = normalize_note(note)
    _validate(option_key, check_key, note)
    version, _ = _question_or_error(assessment, check_key)
    with transaction.atomic():
        _locked_draft(assessment.pk)
        current = (
            CheckAnswer.objects.select_related("updated_by")
            .filter(assessment=assessment, check_key=check_key)
            .first()
        )
        current_version = current.version if current else 0
        if current_version != expected_version:
            raise AnswerConflict(question_key=check_key, current=current)
        if current is None:
            return CheckAnswer.objects.create(
                assessment=assessment,
                check_key=check_key,
                check_set_version=version,
                option_key=option_key,
                note=note,
                updated_by=user,
            )
        current.option_key = option_key
        current.note = note
        current.check_set_version = version
        current.version = current_version + 1
        current.updated_by = user
        current.carried_over_from = None
        current.save()
        return current


def check_answers_page_save(
    *, assessment: Assessment, posted: dict[str, PostedAnswer], confirm: bool, user: User
) -> PageSaved:
    """Save the organisation's questions page as `answers_page_save` saves a catalogue page:
    unchanged answers are not written again, a note needs an answer, a conflict or a refused
    answer rolls back alone; with `confirm`, carried-over answers left as they were are
    confirmed once all saved."""
    _require_editor(user, assessment.team)
    saved: list[str] = []
    conflicts: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    with transaction.atomic():
        current = {a.check_key: a for a in CheckAnswer.objects.filter(assessment=assessment)}
        for check_key, answer in posted.items():
            note = normalize_note(answer.note)
            existing = current.get(check_key)
            saved_note = normalize_note(existing.note) if existing else ""
            if not answer.option_key:
                if note.strip() and note != saved_note:
                    errors[check_key] = "Choose an answer too: a note is saved with its answer."
                continue
            if existing and existing.option_key == answer.option_key and saved_note == note:
                continue
            if answer.expected_version is None:
                errors[check_key] = "The form was out of date; reload the page and answer again."
                continue
            try:
                with transaction.atomic():
                    check_answer_save(
                        assessment=assessment,
                        check_key=check_key,
                        option_key=answer.option_key,
                        note=note,
                        expected_version=answer.expected_version,
                        user=user,
                    )
            except AnswerConflict as conflict:
                conflicts[check_key] = conflict.extra
            except ApplicationError as error:
                errors[check_key] = error.message
            else:
                saved.append(check_key)
        if confirm and not conflicts and not errors:
            _locked_draft(assessment.pk)
            CheckAnswer.objects.filter(
                assessment=assessment,
                check_key__in=list(posted),
                carried_over_from__isnull=False,
            ).update(carried_over_from=None, updated_by=user)
    return PageSaved(tuple(saved), conflicts, errors)


def check_answers_carry_over(*, assessment: Assessment, source: Assessment) -> None:
    """Copy `source`'s answers into the new draft `assessment`, for the checks that still ask
    a question, marked as carried over (to be confirmed or changed, like catalogue answers)."""
    found = check_questions_for_organization(organization_id=assessment.team.organization_id)
    if found is None:
        return
    keys = {check.key for check in found[1]}
    CheckAnswer.objects.bulk_create(
        CheckAnswer(
            assessment=assessment,
            check_key=answer.check_key,
            check_set_version_id=answer.check_set_version_id,
            option_key=answer.option_key,
            note=answer.note,
            updated_by_id=answer.updated_by_id,
            carried_over_from=source.submitted_at,
        )
        for answer in CheckAnswer.objects.filter(assessment=source, check_key__in=keys)
    )
