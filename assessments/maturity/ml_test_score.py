"""The ML Test Score lens: section sums and the bands of Breck et al. 2017.

Each section (data, model, infrastructure, monitoring) sums the grades of the capabilities
mapped to it; the final score is the minimum over sections, read against the bands.
"""

from __future__ import annotations

from collections.abc import Mapping

from .catalogue import ML_TEST_SCORE_SECTIONS, Catalogue
from .results import CapabilityResult, MLTestScore

ML_TEST_SCORE_BANDS = (
    (0.0, "More of a research project than a productionized system"),
    (
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious holes "
        "in reliability",
    ),
    (
        2.0,
        "There's been first pass at basic productionization, but additional investment may "
        "be needed",
    ),
    (
        3.0,
        "Reasonably tested, but it's possible that more of those tests and procedures may be "
        "automated",
    ),
    (
        5.0,
        "Strong levels of automated testing and monitoring, appropriate for mission-critical "
        "systems",
    ),
)
ML_TEST_SCORE_TOP_BAND = "Exceptional levels of automated testing and monitoring"


def ml_test_score(catalogue: Catalogue, results: Mapping[str, CapabilityResult]) -> MLTestScore:
    sections = dict.fromkeys(ML_TEST_SCORE_SECTIONS, 0.0)
    for section, key in catalogue.derived(_sections_of_capabilities):
        sections[section] += results[key].grade
    sections = {k: round(v, 2) for k, v in sections.items()}
    weakest = min(ML_TEST_SCORE_SECTIONS, key=lambda s: sections[s])
    final = sections[weakest]
    return MLTestScore(sections, final, weakest, ml_test_score_band(final))


def ml_test_score_band(value: float) -> str:
    """Breck et al. 2017's reading of a final ML Test Score."""
    for upper, band in ML_TEST_SCORE_BANDS:
        if value <= upper:
            return band
    return ML_TEST_SCORE_TOP_BAND


def _sections_of_capabilities(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    """(section, capability key) of every capability in a section, in the catalogue's order."""
    return tuple(
        (c.ml_test_score_section, c.key)
        for c in catalogue.capabilities
        if c.ml_test_score_section is not None
    )
