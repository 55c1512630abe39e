"""The questionnaire: one page per section, autosave per answer, summary, submit, reopen."""

from .autosave import answer_autosave, check_answer_autosave
from .pages import questionnaire_section
from .summary import (
    assessment_open,
    assessment_reopen_view,
    assessment_start_view,
    assessment_summary,
)

__all__ = [
    "answer_autosave",
    "assessment_open",
    "assessment_reopen_view",
    "assessment_start_view",
    "assessment_summary",
    "check_answer_autosave",
    "questionnaire_section",
]
