"""The questionnaire: one page per section, autosave per answer, summary, submit, reopen."""

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from .. import selectors
from ..access import can_edit_team, signed_in
from ..errors import ActionNotAllowed, ApplicationError
from ..maturity import Catalogue, Evidence, Question
from ..maturity.custom_checks import ANSWER_OPTIONS, CustomCheck
from ..maturity.sections import Section, questionnaire_sections
from ..maturity.versions import load_catalogue_version
from ..models import Assessment
from ..services.assessments import (
    AnswerConflict,
    PageSaved,
    PostedAnswer,
    answer_save_with_choices,
    answers_page_save,
    assessment_reopen,
    assessment_start,
    assessment_submit,
    normalize_note,
)
from ..services.check_answers import check_answer_save, check_answers_page_save

# The organisation's own questions come after the catalogue's pages; a hyphen keeps the key
# apart from every catalogue section's (they are lower_snake_case).
ORGANIZATION_SECTION = "organisation-checks"


class PageSave(Protocol):
    """Saves a posted page: the catalogue's answers or the organisation's."""

    def __call__(
        self, *, assessment: Assessment, posted: dict[str, PostedAnswer], confirm: bool, user: User
    ) -> PageSaved: ...


def _sections_for(assessment: Assessment) -> tuple[Catalogue, tuple[Section, ...]]:
    return load_catalogue_version(assessment.catalogue_version), _sections_of(
        assessment.catalogue_version
    )


@functools.lru_cache(maxsize=16)
def _sections_of(catalogue_version: str) -> tuple[Section, ...]:
    """The pages of a catalogue version, built once per process: a version never changes."""
    return questionnaire_sections(load_catalogue_version(catalogue_version))


def _check_question(check: CustomCheck) -> Question:
    """An organisation's check as a questionnaire question, so its page draws and posts like
    every other page; the options are the ones every such question has."""
    help_text = f"{check.title} (level {check.level})."
    if check.rule is not None:
        help_text += (
            f" Scans also look for {check.rule.describe()}: when one finds it, the check "
            "passes whatever the answer."
        )
    return Question(check.key, "organization", check.question, help_text, ANSWER_OPTIONS)


@functools.lru_cache(maxsize=256)
def _organization_section_for(name: str, found: selectors.CheckQuestions) -> Section:
    """Built once per organisation name and check set version (`found` compares by version)."""
    return Section(
        ORGANIZATION_SECTION,
        f"{name}'s own checks",
        f"Questions {name} asks every team, beside the catalogue. They do not change "
        "Google's reading of your level.",
        tuple(_check_question(check) for check in found.checks),
    )


def _organization_section(assessment: Assessment) -> Section | None:
    """The page of the organisation's own questions, or None when its current checks ask
    none."""
    found = selectors.questionnaire_check_questions(organization_id=assessment.team.organization_id)
    if found is None:
        return None
    return _organization_section_for(assessment.team.organization.name, found)


def _pages(
    sections: tuple[Section, ...], organization_section: Section | None
) -> tuple[Section, ...]:
    return (*sections, organization_section) if organization_section else tuple(sections)


def _section_or_404(sections: tuple[Section, ...], key: str) -> tuple[int, Section]:
    for index, section in enumerate(sections):
        if section.key == key:
            return index, section
    raise Http404("No such questionnaire page.")


def _progress(catalogue: Catalogue, chosen: Mapping[str, str]) -> tuple[int, int]:
    """Answered and total questions, counting only those skip logic leaves visible."""
    visible = catalogue.visible_questions(chosen)
    answered = sum(1 for question in visible if question.key in chosen)
    return answered, len(visible)


def _chosen(answers: Mapping[str, selectors.AnswerOnPage]) -> dict[str, str]:
    return {key: answer.option_key for key, answer in answers.items()}


def _needs_attention(
    catalogue: Catalogue,
    question: Question,
    answers: Mapping[str, selectors.AnswerOnPage],
    chosen: Mapping[str, str],
) -> bool:
    """Unanswered, or carried over or suggested by a scan, and not confirmed yet."""
    if not catalogue.is_visible(question, chosen):
        return False
    answer = answers.get(question.key)
    return answer is None or answer.needs_confirmation


def _first_open_section(
    catalogue: Catalogue,
    sections: tuple[Section, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
) -> str | None:
    chosen = _chosen(answers)
    for section in sections:
        for question in section.questions:
            if _needs_attention(catalogue, question, answers, chosen):
                return section.key
    return None


def _to_confirm(
    catalogue: Catalogue,
    sections: tuple[Section, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
) -> list[tuple[Section, list[Question]]]:
    """(section, questions) whose visible answers were carried over or suggested by a scan and
    nobody has confirmed yet."""
    chosen = _chosen(answers)
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


def _count(
    answers: Mapping[str, selectors.AnswerOnPage],
    chosen: Mapping[str, str],
    catalogue: Catalogue,
    field: Literal["carried_over_from", "suggested_from"],
) -> int:
    """Visible answers still marked with ``field`` (carried over, or suggested by a scan)."""
    return sum(
        1
        for key, answer in answers.items()
        if getattr(answer, field) is not None
        and catalogue.has_question(key)
        and catalogue.is_visible(catalogue.question(key), chosen)
    )


@functools.lru_cache(maxsize=4096)
def _options_html(question: Question, checked: str | None, can_edit: bool) -> SafeString:
    """A question's radio buttons: the same few variants for every draft of a catalogue
    version (which option is checked, and whether they are disabled), so each is rendered once
    per process rather than on every page view."""
    return render_to_string(
        "assessments/_question_options.html",
        {"q": question, "checked": checked, "can_edit": can_edit},
    )


def _checked_option(
    question: Question, posted: str | None, answer: selectors.AnswerOnPage | None
) -> str | None:
    """The option shown checked: the one just posted when the page comes back refused,
    otherwise the saved one; None for an option the question does not have."""
    chosen = posted or (answer.option_key if answer is not None else None)
    return chosen if any(option.key == chosen for option in question.options) else None


def _day(value: datetime | None, labels: dict[datetime, str]) -> str | None:
    """A date as the page shows it ("10 Jul 2026"), formatted once per distinct value: a
    carried-over page repeats the same submission date on every question."""
    if value is None:
        return None
    if value not in labels:
        labels[value] = date_filter(value, "j M Y")
    return labels[value]


def _section_links(
    assessment_id: int, sections: tuple[Section, ...], current: int
) -> list[tuple[str, str, bool]]:
    """(title, its page's address, whether it is the page shown) for the page list: the
    address reversed once and filled in per section, rather than reversed for each."""
    pattern = reverse("questionnaire_section", args=[assessment_id, "__section__"])
    return [
        (section.title, pattern.replace("__section__", section.key), index == current)
        for index, section in enumerate(sections)
    ]


def _carried_over_since(answers: Mapping[str, selectors.AnswerOnPage]) -> datetime | None:
    return min(
        (a.carried_over_from for a in answers.values() if a.carried_over_from is not None),
        default=None,
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
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = _sections_for(assessment)
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    section = _first_open_section(catalogue, sections, answers)
    if section is None and _organization_questions_open(assessment):
        section = ORGANIZATION_SECTION
    if section is None:
        return redirect("assessment_summary", pk=assessment.pk)
    return redirect("questionnaire_section", pk=assessment.pk, section=section)


def _organization_questions_open(assessment: Assessment) -> bool:
    """Whether a question of the organisation is unanswered or carried over unconfirmed."""
    organization_section = _organization_section(assessment)
    if organization_section is None:
        return False
    answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
    return any(
        q.key not in answers or answers[q.key].needs_confirmation
        for q in organization_section.questions
    )


@login_required
def questionnaire_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = _sections_for(assessment)
    organization_section = _organization_section(assessment)
    pages = _pages(sections, organization_section)
    if section == ORGANIZATION_SECTION:
        if organization_section is None:
            raise Http404("Your organisation's current checks ask no question.")
        return _organization_page(request, assessment, pages)
    index, current = _section_or_404(sections, section)
    can_edit = can_edit_team(request.user, assessment.team)
    saved, conflicts, errors = _save_posted_page(
        request, assessment, pages, index, current, can_edit, answers_page_save
    )
    if saved is not None:
        return saved
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    chosen = _chosen(answers)
    answered, total = _progress(catalogue, chosen)
    days: dict[datetime, str] = {}
    questions = _question_items(
        request,
        current.questions,
        answers,
        can_edit=can_edit,
        conflicts=conflicts,
        errors=errors,
        days=days,
        hidden={q.key for q in current.questions if not catalogue.is_visible(q, chosen)},
        # Only questions that grade a capability can show a repository's finding.
        hints=(
            selectors.evidence_hints_for_team(team=assessment.team)
            if any(q.capabilities for q in current.questions)
            else {}
        ),
    )
    context = {
        **_page_context(assessment, pages, index),
        "autosave_url": reverse("answer_autosave", args=[assessment.pk, "__question__"]),
        "questions": questions,
        "answered": answered,
        "total": total,
        "can_edit": can_edit,
        "carried_over_since": _day(_carried_over_since(answers), days),
        "carried_over_count": _count(answers, chosen, catalogue, "carried_over_from"),
        "suggested_count": _count(answers, chosen, catalogue, "suggested_from"),
        "page_needs_confirmation": any(
            (item["carried_over"] is not None or item["suggested"] is not None)
            and not item["hidden"]
            for item in questions
        ),
    }
    return render(request, "assessments/questionnaire.html", context)


def _page_context(assessment: Assessment, pages: tuple[Section, ...], index: int) -> dict[str, Any]:
    """What every questionnaire page shows around its questions."""
    return {
        "assessment": assessment,
        "team": assessment.team,
        "section_links": _section_links(assessment.pk, pages, index),
        "section": pages[index],
        "section_number": index + 1,
        "previous_section": pages[index - 1] if index > 0 else None,
        "next_section": pages[index + 1] if index + 1 < len(pages) else None,
    }


def _question_items(
    request: HttpRequest,
    questions: tuple[Question, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
    *,
    can_edit: bool,
    conflicts: Mapping[str, dict[str, Any]],
    errors: Mapping[str, str],
    days: dict[datetime, str],
    hidden: set[str] | frozenset[str],
    hints: Mapping[str, Evidence],
) -> list[dict[str, Any]]:
    """Each question of a page with everything its fieldset shows, worked out here rather
    than in the template, where each lookup and test costs many times more."""
    posted = request.POST if request.method == "POST" else None
    items: list[dict[str, Any]] = []
    for question in questions:
        key = question.key
        answer = answers.get(key)
        conflict = conflicts.get(key)
        error = errors.get(key)
        layout = _layout(question)
        items.append(
            {
                **layout,
                "classes": layout["classes"][bool(conflict), bool(error)],
                "version": answer.version if answer is not None else 0,
                "hidden": key in hidden,
                "hint": next((hints[c] for c in question.capabilities if c in hints), None),
                "carried_over": (
                    _day(answer.carried_over_from, days) if answer is not None else None
                ),
                "suggested": answer.suggested_from if answer is not None else None,
                "conflict": conflict,
                "error": error,
                "options": _options_html(
                    question,
                    _checked_option(question, posted.get(f"q-{key}") if posted else None, answer),
                    can_edit,
                ),
                # What the user typed stays on the page when the save was refused.
                "note": (
                    normalize_note(posted.get(f"n-{key}", ""))
                    if posted is not None and (key in errors or key in conflicts)
                    else (answer.note if answer is not None else "")
                ),
                "status": _save_status(answer),
            }
        )
    return items


@functools.lru_cache(maxsize=1024)
def _layout(question: Question) -> dict[str, Any]:
    """What a question's fieldset shows whatever its answer, worked out once per process."""
    return {
        "key": question.key,
        "text": question.text,
        "help": question.help,
        "skip_question": question.skip_if.question if question.skip_if else "",
        "skip_values": " ".join(question.skip_if.values) if question.skip_if else "",
        # The fieldset's classes, by (has a conflict, has an error).
        "classes": {
            (conflict, error): "question"
            + (" has-conflict" if conflict else "")
            + (" has-error" if error else "")
            for conflict in (False, True)
            for error in (False, True)
        },
    }


def _save_status(answer: selectors.AnswerOnPage | None) -> str:
    """The line under a saved answer: who saved it last, when known."""
    if answer is None:
        return ""
    return f"Saved by {answer.updated_by}." if answer.updated_by else "Saved."


def _save_posted_page(
    request: HttpRequest,
    assessment: Assessment,
    pages: tuple[Section, ...],
    index: int,
    current: Section,
    can_edit: bool,
    save: PageSave,
) -> tuple[HttpResponse | None, Mapping[str, dict[str, Any]], Mapping[str, str]]:
    """Save a posted page with `save` (the catalogue's answers or the organisation's): the
    response to send when it is done with (saved whole, or submitted meanwhile), else None with
    the conflicts and errors to mark on the page drawn again."""
    if request.method != "POST":
        return None, {}, {}
    if not can_edit:
        raise PermissionDenied("Viewers can read the questionnaire but not answer it.")
    try:
        page = save(
            assessment=assessment,
            posted=_posted_answers(request, current),
            # Whatever was changed is saved; what was left as it was is confirmed.
            confirm=request.POST.get("go") == "confirm",
            user=signed_in(request.user),
        )
    except ApplicationError as error:
        # Submitted by someone else a moment ago: its result is what is left.
        messages.error(request, error.message)
        return redirect("assessment_open", pk=assessment.pk), {}, {}
    if page.complete:
        return _after_save(request, assessment, pages, index), {}, {}
    messages.error(request, "Some answers were not saved; see the marked questions below.")
    return None, page.conflicts, page.errors


def _organization_page(
    request: HttpRequest, assessment: Assessment, pages: tuple[Section, ...]
) -> HttpResponse:
    """The page of the organisation's own questions: drawn and saved like a catalogue page
    (the same template, options, autosave and page buttons), its answers kept in
    `CheckAnswer`."""
    index = len(pages) - 1
    current = pages[index]
    can_edit = can_edit_team(request.user, assessment.team)
    saved, conflicts, errors = _save_posted_page(
        request, assessment, pages, index, current, can_edit, check_answers_page_save
    )
    if saved is not None:
        return saved
    answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
    days: dict[datetime, str] = {}
    questions = _question_items(
        request,
        current.questions,
        answers,
        can_edit=can_edit,
        conflicts=conflicts,
        errors=errors,
        days=days,
        hidden=frozenset(),
        hints={},
    )
    keys = {question.key for question in current.questions}
    answered = sum(1 for key in keys if key in answers)
    carried_over = [a for key, a in answers.items() if key in keys and a.needs_confirmation]
    context = {
        **_page_context(assessment, pages, index),
        "autosave_url": reverse("check_answer_autosave", args=[assessment.pk, "__question__"]),
        "questions": questions,
        "answered": answered,
        "total": len(keys),
        # The catalogue's progress counts the catalogue's questions; this page counts its own.
        "progress_of_page": True,
        "can_edit": can_edit,
        "carried_over_since": _day(_carried_over_since(answers), days),
        "carried_over_count": len(carried_over),
        "suggested_count": 0,
        "page_needs_confirmation": bool(carried_over),
    }
    return render(request, "assessments/questionnaire.html", context)


def _posted_answers(request: HttpRequest, section: Section) -> dict[str, PostedAnswer]:
    """The page's questions as the form sent them; a plain form post works without JavaScript."""
    posted: dict[str, PostedAnswer] = {}
    for question in section.questions:
        version: int | None
        try:
            version = int(request.POST.get(f"v-{question.key}", "0"))
        except ValueError:
            version = None
        posted[question.key] = PostedAnswer(
            option_key=request.POST.get(f"q-{question.key}", ""),
            note=request.POST.get(f"n-{question.key}", ""),
            expected_version=version,
        )
    return posted


def _after_save(
    request: HttpRequest, assessment: Assessment, sections: tuple[Section, ...], index: int
) -> HttpResponse:
    go = request.POST.get("go")
    if go == "confirm":
        go = "next"
    if go == "previous" and index > 0:
        return redirect("questionnaire_section", pk=assessment.pk, section=sections[index - 1].key)
    if go == "next" and index + 1 < len(sections):
        return redirect("questionnaire_section", pk=assessment.pk, section=sections[index + 1].key)
    if go == "summary" or (go == "next" and index + 1 == len(sections)):
        return redirect("assessment_summary", pk=assessment.pk)
    messages.success(request, "Answers saved.")
    return redirect("questionnaire_section", pk=assessment.pk, section=sections[index].key)


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
    answered, total = _progress(catalogue, saved.choices)
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
    organization_section = _organization_section(assessment)
    keys = {q.key for q in organization_section.questions} if organization_section else set()
    answers = selectors.questionnaire_check_answers(assessment_id=assessment.pk)
    answered = sum(1 for key in keys if key in answers)
    return JsonResponse({"version": saved.version, "answered": answered, "total": len(keys)})


@login_required
def assessment_summary(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = _sections_for(assessment)
    if request.method == "POST":
        try:
            assessment_submit(assessment=assessment, user=signed_in(request.user))
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("assessment_summary", pk=assessment.pk)
        messages.success(request, "Assessment submitted.")
        return redirect("assessment_result", pk=assessment.pk)
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    chosen = _chosen(answers)
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
    answered, total = _progress(catalogue, chosen)
    to_confirm = _to_confirm(catalogue, sections, answers)
    organization_section = _organization_section(assessment)
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
        "carried_over_since": _carried_over_since(answers),
        "back_to": _first_open_section(catalogue, sections, answers) or sections[0].key,
        "answered": answered,
        "total": total,
        "can_edit": can_edit_team(request.user, assessment.team),
    }
    return render(request, "assessments/summary.html", context)


@login_required
@require_POST
def assessment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    try:
        draft = assessment_reopen(assessment=assessment, user=signed_in(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("assessment_result", args=[assessment.pk]))
    return redirect("assessment_open", pk=draft.pk)
