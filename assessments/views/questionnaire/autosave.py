"""Autosave: one answer saved as it is given, answered with its new version and the progress."""

import functools
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from ... import selectors
from ...access import signed_in
from ...errors import ActionNotAllowed, ApplicationError
from ...maturity.versions import load_catalogue_version
from ...models import Assessment
from ...services.answers import AnswerConflict, answer_save_with_choices
from ...services.check_answers import check_answer_save
from .sections import organization_section_of, progress

Saved = TypeVar("Saved")


@login_required
@require_POST
def answer_autosave(request: HttpRequest, pk: int, question_key: str) -> JsonResponse:
    """Save one answer as it is given; 409 with the other value when someone changed it first."""
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    saved = _save_posted_answer(
        request, assessment, functools.partial(answer_save_with_choices, question_key=question_key)
    )
    if isinstance(saved, JsonResponse):
        return saved
    catalogue = load_catalogue_version(assessment.catalogue_version)
    answered, total = progress(catalogue, saved.choices)
    return JsonResponse({"version": saved.answer.version, "answered": answered, "total": total})


@login_required
@require_POST
def check_answer_autosave(request: HttpRequest, pk: int, check_key: str) -> JsonResponse:
    """Save one answer to the organisation's questions as it is given; 409 with the other
    value when someone changed it first (as `answer_autosave`)."""
    opened = selectors.assessment_with_check_set_get_for_user(user=request.user, assessment_id=pk)
    assessment = opened.assessment
    saved = _save_posted_answer(
        request, assessment, functools.partial(check_answer_save, check_key=check_key)
    )
    if isinstance(saved, JsonResponse):
        return saved
    organization_section = organization_section_of(opened)
    keys = {q.key for q in organization_section.questions} if organization_section else set()
    answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
    answered = sum(1 for key in keys if key in answers)
    return JsonResponse({"version": saved.version, "answered": answered, "total": len(keys)})


def _save_posted_answer(
    request: HttpRequest, assessment: Assessment, save: Callable[..., Saved]
) -> Saved | JsonResponse:
    """The posted option and note saved at the posted version by `save`, or the answer to
    send instead: 400 for a missing version or a refused answer, 403 for a role that may not
    answer, 409 with the other value when someone changed it first."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"detail": "The answer's version is missing."}, status=400)
    try:
        return save(
            assessment=assessment,
            option_key=request.POST.get("option", ""),
            note=request.POST.get("note", ""),
            expected_version=version,
            user=signed_in(request.user),
        )
    except AnswerConflict as conflict:
        return JsonResponse({"detail": conflict.message, "conflict": conflict.extra}, status=409)
    except ActionNotAllowed as error:
        return JsonResponse({"detail": error.message}, status=403)
    except ApplicationError as error:
        return JsonResponse({"detail": error.message}, status=400)
