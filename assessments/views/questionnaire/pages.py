"""A questionnaire page: drawn with its answers, and saved whole when its form is posted."""

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from ... import selectors
from ...access import can_edit_team, signed_in
from ...errors import ApplicationError
from ...maturity import Evidence, Question
from ...maturity.sections import Section
from ...models import Assessment
from ...services.answers import PageSaved, PostedAnswer, answers_page_save, normalize_note
from ...services.check_answers import check_answers_page_save
from ...site_links import assessment_address
from .fieldsets import question_fieldset
from .page_parts import SectionLinks, section_nav, team_trail
from .sections import (
    ORGANIZATION_SECTION,
    carried_over_since,
    chosen_options,
    organization_section_of,
    pages_of,
    section_or_404,
    sections_for,
)


class PageSave(Protocol):
    """Saves a posted page: the catalogue's answers or the organisation's."""

    def __call__(
        self, *, assessment: Assessment, posted: dict[str, PostedAnswer], confirm: bool, user: User
    ) -> PageSaved: ...


@login_required
def questionnaire_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    opened = selectors.assessment_with_check_set_get_for_user(
        user=request.user, assessment_id=pk, with_evidence=True
    )
    assessment = opened.assessment
    if not assessment.is_draft:
        return redirect("assessment_result", pk=assessment.pk)
    catalogue, sections = sections_for(assessment)
    organization_section = organization_section_of(opened)
    pages = pages_of(sections, organization_section)
    if section == ORGANIZATION_SECTION:
        if organization_section is None:
            raise Http404("Your organisation's current checks ask no question.")
        return _organization_page(request, assessment, pages)
    index, current = section_or_404(sections, section)
    can_edit = can_edit_team(request.user, assessment.team)
    saved, conflicts, errors = _save_posted_page(
        request, assessment, pages, index, current, can_edit, answers_page_save
    )
    if saved is not None:
        return saved
    answers = selectors.questionnaire_answers(assessment_id=assessment.pk)
    chosen = chosen_options(answers)
    visible = {question.key for question in catalogue.visible_questions(chosen)}
    hidden = {q.key for q in current.questions if not catalogue.is_visible(q, chosen)}
    questions = _question_items(
        request,
        current.questions,
        answers,
        can_edit=can_edit,
        conflicts=conflicts,
        errors=errors,
        hidden=hidden,
        # Only questions that grade a capability can show a repository's finding.
        hints=(
            selectors.evidence_hints_for_scans(opened.evidence_scans)
            if any(q.capabilities for q in current.questions)
            else {}
        ),
    )
    context = {
        **_page_context(assessment, pages, index),
        "autosave_url": assessment_address("answer_autosave", assessment.pk, "__question__"),
        "fieldsets": _fieldsets(current.questions, questions, can_edit),
        # As `progress` counts, from the one pass above.
        "answered": sum(1 for key in visible if key in chosen),
        "total": len(visible),
        "can_edit": can_edit,
        "carried_over_since": _day(carried_over_since(answers)),
        "carried_over_count": _count(answers, visible, "carried_over_from"),
        "suggested_count": _count(answers, visible, "suggested_from"),
        "page_needs_confirmation": any(
            answer.needs_confirmation
            for q in current.questions
            if q.key not in hidden and (answer := answers.get(q.key)) is not None
        ),
    }
    return render(request, "assessments/questionnaire.html", context)


def _count(
    answers: Mapping[str, selectors.AnswerOnPage],
    visible: set[str],
    field: Literal["carried_over_from", "suggested_from"],
) -> int:
    """Answers to `visible` questions still marked with ``field`` (carried over, or
    suggested by a scan)."""
    return sum(
        1
        for key, answer in answers.items()
        if getattr(answer, field) is not None and key in visible
    )


def _page_context(assessment: Assessment, pages: tuple[Section, ...], index: int) -> dict[str, Any]:
    """What every questionnaire page shows around its questions."""
    return {
        "assessment": assessment,
        "team": assessment.team,
        "team_trail": team_trail(assessment.team),
        "section_nav": section_nav(
            _section_links(assessment.pk, pages, index),
            assessment_address("assessment_summary", assessment.pk),
        ),
        "section": pages[index],
        "section_number": index + 1,
        "previous_section": pages[index - 1] if index > 0 else None,
        "next_section": pages[index + 1] if index + 1 < len(pages) else None,
    }


def _section_links(assessment_id: int, sections: tuple[Section, ...], current: int) -> SectionLinks:
    """(title, its page's address, whether it is the page shown) for the page list: the
    address reversed once and filled in per section, rather than reversed for each."""
    pattern = assessment_address("questionnaire_section", assessment_id, "__section__")
    return tuple(
        (section.title, pattern.replace("__section__", section.key), index == current)
        for index, section in enumerate(sections)
    )


def _question_items(
    request: HttpRequest,
    questions: tuple[Question, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
    *,
    can_edit: bool,
    conflicts: Mapping[str, dict[str, Any]],
    errors: Mapping[str, str],
    hidden: set[str] | frozenset[str],
    hints: Mapping[str, Evidence],
) -> list[dict[str, Any]]:
    """The values each question's fieldset shows of its answer, worked out here rather than
    in the template, where each lookup and test costs many times more; only plain values
    and mappings of them (see fieldsets.py)."""
    posted = request.POST if request.method == "POST" else None
    language = translation.get_language()  # once: each lookup goes through the request's locals
    items: list[dict[str, Any]] = []
    for question in questions:
        key = question.key
        answer = answers.get(key)
        conflict = conflicts.get(key)
        error = errors.get(key)
        hint = next((hints[c] for c in question.capabilities if c in hints), None)
        items.append(
            {
                "classes": _CLASSES[bool(conflict), bool(error)],
                "version": answer.version if answer is not None else 0,
                "hidden": key in hidden,
                "hint": (
                    {"path": hint.path, "line": hint.line, "reason": hint.reason}
                    if hint is not None
                    else None
                ),
                "carried_over": (
                    _day(answer.carried_over_from, language) if answer is not None else None
                ),
                "suggested": _suggested(answer.suggested_from) if answer is not None else None,
                "conflict": (
                    {
                        "updated_by": conflict.get("updated_by", ""),
                        "current_option": conflict.get("current_option", ""),
                    }
                    if conflict
                    else None
                ),
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


def _fieldsets(
    questions: tuple[Question, ...], items: list[dict[str, Any]], can_edit: bool
) -> SafeString:
    """The page's fieldsets, joined here rather than by a loop of the template."""
    return SafeString(
        "\n  ".join(
            question_fieldset(question, item, can_edit=can_edit)
            for question, item in zip(questions, items, strict=True)
        )
    )


# A fieldset's classes, by (has a conflict, has an error).
_CLASSES = {
    (conflict, error): "question"
    + (" has-conflict" if conflict else "")
    + (" has-error" if error else "")
    for conflict in (False, True)
    for error in (False, True)
}

# What the page says of an answer a scan suggested (a missing field reads as nothing).
_SUGGESTED_FIELDS = ("repository", "commit", "url", "path", "line", "reason")


def _suggested(suggested_from: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not suggested_from:
        return None
    suggested = {name: suggested_from.get(name, "") for name in _SUGGESTED_FIELDS}
    if isinstance(suggested["commit"], str):
        suggested["commit"] = suggested["commit"][:12]  # a commit is known by its start
    return suggested


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


def _day(value: datetime | None, language: str | None = None) -> str | None:
    """A date as the page shows it ("10 Jul 2026"), formatted once per process for each
    value, offset and language: a carried-over page repeats the same submission date on every
    question, and every page of the draft shows it."""
    if value is None:
        return None
    return _day_label(value, value.utcoffset(), language or translation.get_language())


@functools.lru_cache(maxsize=1024)
def _day_label(value: datetime, offset: timedelta | None, language: str | None) -> str:
    # Equal instants at other offsets can fall on other days: the offset is part of the key.
    return str(date_filter(value, "j M Y"))


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
    questions = _question_items(
        request,
        current.questions,
        answers,
        can_edit=can_edit,
        conflicts=conflicts,
        errors=errors,
        hidden=frozenset(),
        hints={},
    )
    keys = {question.key for question in current.questions}
    answered = sum(1 for key in keys if key in answers)
    carried_over = [a for key, a in answers.items() if key in keys and a.needs_confirmation]
    context = {
        **_page_context(assessment, pages, index),
        "autosave_url": assessment_address("check_answer_autosave", assessment.pk, "__question__"),
        "fieldsets": _fieldsets(current.questions, questions, can_edit),
        "answered": answered,
        "total": len(keys),
        # The catalogue's progress counts the catalogue's questions; this page counts its own.
        "progress_of_page": True,
        "can_edit": can_edit,
        "carried_over_since": _day(carried_over_since(answers)),
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
