"""Autosave: one answer saved as it is given, answered with its new version and the progress."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from ... import selectors
from ...access import signed_in
from ...errors import ActionNotAllowed, ApplicationError
from ...maturity.versions import load_catalogue_version
from ...services.assessments import AnswerConflict, answer_save_with_choices
from ...services.check_answers import check_answer_save
from .sections import organization_section_of, progress


@login_required
@require_POST
def answer_autosave(request: HttpRequest, pk: int, question_key: str) -> JsonResponse:
    """Save one answer as it is given; 409 with the other value when someone changed it first."""
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"detail": "The answer's version is missing."}, status=400)
    try:
        saved = answer_save_with_choices(
            assessment=assessment,
            question_key=question_key,
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
    catalogue = load_catalogue_version(assessment.catalogue_version)
    answered, total = progress(catalogue, saved.choices)
    return JsonResponse({"version": saved.answer.version, "answered": answered, "total": total})


@login_required
@require_POST
def check_answer_autosave(request: HttpRequest, pk: int, check_key: str) -> JsonResponse:
    """Save one answer to the organisation's questions as it is given; 409 with the other
    value when someone changed it first (as `answer_autosave`)."""
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"detail": "The answer's version is missing."}, status=400)
    try:
        saved = check_answer_save(
            assessment=assessment,
            check_key=check_key,
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
    organization_section = organization_section_of(assessment)
    keys = {q.key for q in organization_section.questions} if organization_section else set()
    answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
    answered = sum(1 for key in keys if key in answers)
    return JsonResponse({"version": saved.version, "answered": answered, "total": len(keys)})
