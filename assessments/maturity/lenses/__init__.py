"""Lenses: other models read from the same answers and evidence as Google's levels.

Each lens is versioned data (a YAML file beside this module) mapping the other model onto the
catalogue's capabilities, validated against the catalogue when it is loaded:

* ``microsoft.yaml``: Microsoft's MLOps maturity model, levels 0-4, cumulative like Google's;
* ``eu_ai_act.yaml``: readiness for the EU AI Act's requirements for high-risk AI systems,
  article by article, with the Act's dates; a readiness aid, never legal advice.

``data`` reads and validates the files; ``readings`` computes a result's reading.
"""

from .data import (
    LENS_DIR,
    MICROSOFT_ASPECT_TITLES,
    MICROSOFT_ASPECTS,
    Article,
    EuAiActLens,
    KeyDate,
    LensError,
    LensLevel,
    MicrosoftLens,
    Requirement,
    Source,
    eu_ai_act_lens,
    microsoft_lens,
    parse_eu_ai_act_lens,
    parse_microsoft_lens,
    read_lens_file,
)
from .readings import (
    ARTICLE_STATUSES,
    LENS_KEYS,
    article_changes,
    eu_ai_act_reading,
    lens_readings,
    lens_readings_of_snapshot,
    microsoft_reading,
)

__all__ = [
    "LENS_DIR",
    "MICROSOFT_ASPECT_TITLES",
    "ARTICLE_STATUSES",
    "LENS_KEYS",
    "MICROSOFT_ASPECTS",
    "Article",
    "EuAiActLens",
    "KeyDate",
    "LensError",
    "LensLevel",
    "MicrosoftLens",
    "Requirement",
    "Source",
    "article_changes",
    "eu_ai_act_lens",
    "eu_ai_act_reading",
    "lens_readings",
    "lens_readings_of_snapshot",
    "microsoft_lens",
    "microsoft_reading",
    "parse_eu_ai_act_lens",
    "parse_microsoft_lens",
    "read_lens_file",
]
