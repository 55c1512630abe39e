"""The maturity model as data: catalogue dataclasses, loader and validation.

The model (levels, dimensions, capabilities, questions, debt kinds) lives in catalogue.yaml so it
can change without code changes and every assessment can record the catalogue version it was
answered against. Loading validates the whole file up front: a typo in a key or a dangling
reference must fail at start-up with a sentence naming the file, the entry and the problem,
instead of surfacing later as a wrong score.

Two rules keep scoring well-behaved and are enforced here:

* A prerequisite is never required later than the capability that needs it (and a required
  capability never depends on an optional one), so a roadmap towards a target level never has
  to reach beyond that level.
* Only context questions may hide other questions (``skip_if``), and context questions are
  never hidden themselves. Improving a graded answer therefore never shows or hides another
  question, which is what keeps scores monotone.

``model`` holds the dataclasses, ``loading`` reads files, ``parsing`` checks each entry's
shape and ``references`` the links between entries.
"""

from .loading import DEFAULT_PATH, load_catalogue
from .model import (
    GRADES,
    LEVELS,
    ML_TEST_SCORE_SECTIONS,
    OBSERVABILITY,
    QUESTION_KINDS,
    REQUIRED_CAPABILITY_KEYS,
    REQUIRED_CONTEXT_OPTIONS,
    ROLES,
    Capability,
    Catalogue,
    CatalogueError,
    DebtKind,
    Dimension,
    Level,
    Option,
    Question,
    SkipRule,
)
from .parsing import parse_catalogue

__all__ = [
    "DEFAULT_PATH",
    "GRADES",
    "LEVELS",
    "ML_TEST_SCORE_SECTIONS",
    "OBSERVABILITY",
    "QUESTION_KINDS",
    "REQUIRED_CAPABILITY_KEYS",
    "REQUIRED_CONTEXT_OPTIONS",
    "ROLES",
    "Capability",
    "Catalogue",
    "CatalogueError",
    "DebtKind",
    "Dimension",
    "Level",
    "Option",
    "Question",
    "SkipRule",
    "load_catalogue",
    "parse_catalogue",
]
