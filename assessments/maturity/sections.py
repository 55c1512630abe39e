"""The questionnaire in pages: the context questions first, then one page per dimension."""

from dataclasses import dataclass

from .catalogue import Catalogue, Question

CONTEXT_SECTION = "context"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    questions: tuple[Question, ...]


def questionnaire_sections(catalogue: Catalogue) -> tuple[Section, ...]:
    """Context comes first because skip logic and the target level depend on it."""
    by_dimension: dict[str, list[Question]] = {d.key: [] for d in catalogue.dimensions}
    for question in catalogue.graded_questions:
        # A question grading several capabilities sits with the first one's dimension.
        dimension = catalogue.capability(question.capabilities[0]).dimension
        by_dimension[dimension].append(question)
    sections = [
        Section(
            CONTEXT_SECTION,
            "About your team",
            "How your models are used decides which level is worth aiming for.",
            catalogue.context_questions,
        )
    ]
    sections.extend(
        Section(d.key, d.title, d.description, tuple(by_dimension[d.key]))
        for d in catalogue.dimensions
        if by_dimension[d.key]
    )
    return tuple(sections)
