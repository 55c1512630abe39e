"""Which pages an assessment's questionnaire has (the catalogue's sections, then the
organisation's own questions) and how far its answers have got through them."""

import functools
from collections.abc import Mapping
from datetime import datetime

from django.http import Http404

from ... import selectors
from ...maturity import Catalogue, Question
from ...maturity.custom_checks import ANSWER_OPTIONS, CustomCheck
from ...maturity.sections import Section, questionnaire_sections
from ...maturity.versions import load_catalogue_version
from ...models import Assessment

# The organisation's own questions come after the catalogue's pages; a hyphen keeps the key
# apart from every catalogue section's (they are lower_snake_case).
ORGANIZATION_SECTION = "organisation-checks"


def sections_for(assessment: Assessment) -> tuple[Catalogue, tuple[Section, ...]]:
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


def organization_section_of(opened: selectors.AssessmentWithCheckSet) -> Section | None:
    """The page of the organisation's own questions, or None when its current checks ask
    none."""
    found = selectors.questionnaire_check_questions(check_set=opened.check_set)
    if found is None:
        return None
    return _organization_section_for(opened.assessment.team.organization.name, found)


def pages_of(
    sections: tuple[Section, ...], organization_section: Section | None
) -> tuple[Section, ...]:
    return (*sections, organization_section) if organization_section else tuple(sections)


def section_or_404(sections: tuple[Section, ...], key: str) -> tuple[int, Section]:
    for index, section in enumerate(sections):
        if section.key == key:
            return index, section
    raise Http404("No such questionnaire page.")


def progress(catalogue: Catalogue, chosen: Mapping[str, str]) -> tuple[int, int]:
    """Answered and total questions, counting only those skip logic leaves visible."""
    visible = catalogue.visible_questions(chosen)
    answered = sum(1 for question in visible if question.key in chosen)
    return answered, len(visible)


def chosen_options(answers: Mapping[str, selectors.AnswerOnPage]) -> dict[str, str]:
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


def first_open_section(
    catalogue: Catalogue,
    sections: tuple[Section, ...],
    answers: Mapping[str, selectors.AnswerOnPage],
) -> str | None:
    chosen = chosen_options(answers)
    for section in sections:
        for question in section.questions:
            if _needs_attention(catalogue, question, answers, chosen):
                return section.key
    return None


def carried_over_since(answers: Mapping[str, selectors.AnswerOnPage]) -> datetime | None:
    return min(
        (a.carried_over_from for a in answers.values() if a.carried_over_from is not None),
        default=None,
    )
