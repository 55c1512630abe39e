"""Starting a draft, resuming it, its summary (where it is submitted) and reopening a submitted
assessment as a new draft."""

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ... import selectors
from ...access import can_edit_team, signed_in
from ...errors import ApplicationError
from ...maturity import Catalogue, Question
from ...maturity.sections import Section
from ...services.assessments import assessment_reopen, assessment_start, assessment_submit
from .sections import (
    ORGANIZATION_SECTION,
    carried_over_since,
    chosen_options,
    first_open_section,
    organization_section_of,
    progress,
    sections_for,
)


@login_required
@require_POST
def assessment_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    try:
        assessment = assessment_start(team=team, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("team_detail", slug=team.slug)
    return redirect("assessment_open", pk=assessment.pk)


@login_required
def assessment_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume where the team left off: the first page with a question that needs attention
    (unanswered, or carried over from the last submission and not confirmed)."""
    opened = selectors.assessment_with_check_set_get_for_user(user=request.user, assessment_id=pk)
    assessment = opened.assessment
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = sections_for(assessment)
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    section = first_open_section(catalogue, sections, answers)
    if section is None and _organization_questions_open(opened):
        section = ORGANIZATION_SECTION
    if section is None:
        return redirect("assessment_summary", pk=assessment.pk)
    return redirect("questionnaire_section", pk=assessment.pk, section=section)


def _organization_questions_open(opened: selectors.AssessmentWithCheckSet) -> bool:
    """Whether a question of the organisation is unanswered or carried over unconfirmed."""
    organization_section = organization_section_of(opened)
    if organization_section is None:
        return False
    answers = selectors.questionnaire_check_answers(assessment_id=opened.assessment.pk)
    return any(
        q.key not in answers or answers[q.key].needs_confirmation
        for q in organization_section.questions
    )


@login_required
def assessment_summary(request: HttpRequest, pk: int) -> HttpResponse:
    opened = selectors.assessment_with_check_set_get_for_user(user=request.user, assessment_id=pk)
    assessment = opened.assessment
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = sections_for(assessment)
    if request.method == "POST":
        try:
            assessment_submit(assessment=assessment, user=signed_in(request.user))
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("assessment_summary", pk=assessment.pk)
        messages.success(request, "Assessment submitted.")
        return redirect("assessment_result", pk=assessment.pk)
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    chosen = chosen_options(answers)
    unanswered = [
        (section, missing)
        for section in sections
        if (
            missing := [
                q
                for q in section.questions
                if q.key not in answers and catalogue.is_visible(q, chosen)
            ]
        )
    ]
    answered, total = progress(catalogue, chosen)
    to_confirm = _to_confirm(catalogue, sections, answers)
    organization_section = organization_section_of(opened)
    if organization_section is not None:
        check_answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
        questions = organization_section.questions
        missing = [q for q in questions if q.key not in check_answers]
        if missing:
            unanswered.append((organization_section, missing))
        unconfirmed = [
            q
            for q in questions
            if q.key in check_answers and check_answers[q.key].needs_confirmation
        ]
        if unconfirmed:
            to_confirm.append((organization_section, unconfirmed))
        answered += len(questions) - len(missing)
        total += len(questions)
    context = {
        "assessment": assessment,
        "team": assessment.team,
        "unanswered": unanswered,
        "to_confirm": to_confirm,
        "carried_over_since": carried_over_since(answers),
        "back_to": first_open_section(catalogue, sections, answers) or sections[0].key,
        "answered": answered,
        "total": total,
        "can_edit": can_edit_team(request.user, assessment.team),
    }
    return render(request, "assessments/summary.html", context)


def _to_confirm(
    catalogue: Catalogue,
    sections: tuple[Section, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
) -> list[tuple[Section, list[Question]]]:
    """(section, questions) whose visible answers were carried over or suggested by a scan and
    nobody has confirmed yet."""
    chosen = chosen_options(answers)
    found: list[tuple[Section, list[Question]]] = []
    for section in sections:
        questions = [
            q
            for q in section.questions
            if catalogue.is_visible(q, chosen)
            and q.key in answers
            and answers[q.key].needs_confirmation
        ]
        if questions:
            found.append((section, questions))
    return found


@login_required
@require_POST
def assessment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    try:
        draft = assessment_reopen(assessment=assessment, user=signed_in(request.user)).assessment
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("assessment_result", args=[assessment.pk]))
    return redirect("assessment_open", pk=draft.pk)
