"""The maturity engine: pure Python, no Django.

The catalogue (the model as data), scoring against Google's MLOps levels 0-2, the ML Test Score
lens, the target level, the roadmap and the debt statement. Everything here takes and returns
plain data, so the web app, the API, the CLI and the benchmarks share one implementation.
"""

from .catalogue import (
    REQUIRED_CAPABILITY_KEYS,
    Capability,
    Catalogue,
    CatalogueError,
    DebtKind,
    Dimension,
    Level,
    Option,
    Question,
    SkipRule,
    load_catalogue,
    parse_catalogue,
)
from .debt import DebtItem, DebtTotal, accrued_interest, debt_item, debt_statement, debt_total
from .evidence import STRENGTHS, Evidence
from .ml_test_score import ml_test_score_band
from .results import (
    CapabilityResult,
    Contradiction,
    LevelProgress,
    MaturityResult,
    MLTestScore,
    claimed_not_visible,
    next_level_progress,
    progress_sentence,
    progress_with_titles,
)
from .roadmap import RoadmapStep, build_roadmap, completed_steps, step_id
from .scoring import AnswerError, score
from .suggestions import Suggestion, suggest_answers
from .target import TargetRecommendation, is_over_investment, recommend_target

__all__ = [
    "REQUIRED_CAPABILITY_KEYS",
    "STRENGTHS",
    "AnswerError",
    "Capability",
    "CapabilityResult",
    "Catalogue",
    "CatalogueError",
    "Contradiction",
    "DebtItem",
    "DebtKind",
    "DebtTotal",
    "Dimension",
    "Evidence",
    "LevelProgress",
    "Level",
    "MLTestScore",
    "MaturityResult",
    "Option",
    "Question",
    "RoadmapStep",
    "SkipRule",
    "TargetRecommendation",
    "accrued_interest",
    "build_roadmap",
    "completed_steps",
    "debt_item",
    "debt_statement",
    "debt_total",
    "is_over_investment",
    "load_catalogue",
    "ml_test_score_band",
    "parse_catalogue",
    "recommend_target",
    "claimed_not_visible",
    "next_level_progress",
    "progress_sentence",
    "progress_with_titles",
    "score",
    "Suggestion",
    "suggest_answers",
    "step_id",
]
