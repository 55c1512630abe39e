"""Reading a scored result through a lens: Microsoft's level, the EU AI Act articles supported.

A lens only reads the capability results scoring already decided (met, partial, missing,
unknown...), so it agrees with Google's reading on every capability and adds no rule of its
own about answers or evidence. A requirement whose capability the result's catalogue lacks (a
result computed on an older catalogue) is skipped: it neither holds a level back nor counts for
an article, and the reading lists it under ``skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assessments.maturity.catalogue import Catalogue
from assessments.maturity.results import CapabilityResult, MaturityResult

from .data import EuAiActLens, MicrosoftLens, Requirement, eu_ai_act_lens, microsoft_lens

LENS_KEYS = ("microsoft", "eu_ai_act")
ARTICLE_STATUSES = ("supported", "partly", "missing", "not_assessed")


def lens_readings(
    catalogue: Catalogue,
    result: MaturityResult,
    *,
    microsoft: MicrosoftLens | None = None,
    eu_ai_act: EuAiActLens | None = None,
) -> dict[str, dict[str, Any]]:
    """Every lens's reading of ``result`` (scored on ``catalogue``), JSON-ready."""
    return {
        "microsoft": microsoft_reading(catalogue, result, lens=microsoft),
        "eu_ai_act": eu_ai_act_reading(catalogue, result, lens=eu_ai_act),
    }


def lens_readings_of_snapshot(
    catalogue: Catalogue, outcome: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The readings of a stored result (``MaturityResult.to_dict()``)."""
    return lens_readings(catalogue, MaturityResult.from_dict(outcome))


def microsoft_reading(
    catalogue: Catalogue, result: MaturityResult, *, lens: MicrosoftLens | None = None
) -> dict[str, Any]:
    """Microsoft's level (0-4), cumulative like Google's, and why the next one is not reached.

    Level k holds when every capability required at levels 1 to k is met; level 0 is the floor.
    ``why_not_next_level`` lists the unmet requirements of the next level, each with its status.
    """
    lens = lens or microsoft_lens()
    capabilities = result.capabilities
    level = 0
    blocking: list[dict[str, Any]] = []
    skipped: list[str] = []
    for lens_level in lens.levels[1:]:
        present = _present(catalogue, capabilities, lens_level.requires, skipped)
        unmet = [r for r in present if not capabilities[r.capability].met]
        if unmet:
            blocking = [
                {**_named(catalogue, capabilities[r.capability]), "aspect": r.aspect} for r in unmet
            ]
            break
        level = lens_level.number
    # Requirements above the next level are skipped silently by the loop; list them too.
    for lens_level in lens.levels[level + 2 :]:
        _present(catalogue, capabilities, lens_level.requires, skipped)
    top = lens.levels[-1].number
    return {
        "version": lens.version,
        "level": level,
        "title": lens.level(level).title,
        "next_level": None if level >= top else level + 1,
        "next_level_title": None if level >= top else lens.level(level + 1).title,
        "why_not_next_level": blocking,
        "skipped": sorted(set(skipped)),
    }


def eu_ai_act_reading(
    catalogue: Catalogue, result: MaturityResult, *, lens: EuAiActLens | None = None
) -> dict[str, Any]:
    """Per article: supported (every capability met), partly (some met or partly done), missing
    (none), or not_assessed (the catalogue has none of its capabilities); with counts."""
    lens = lens or eu_ai_act_lens()
    capabilities = result.capabilities
    articles = []
    counts = dict.fromkeys(ARTICLE_STATUSES, 0)
    skipped: list[str] = []
    for article in lens.articles:
        present = _present(catalogue, capabilities, article.requires, skipped)
        supported_by = [
            capabilities[r.capability] for r in present if capabilities[r.capability].met
        ]
        missing = [
            capabilities[r.capability] for r in present if not capabilities[r.capability].met
        ]
        if not present:
            status = "not_assessed"
        elif not missing:
            status = "supported"
        elif supported_by or any(c.grade > 0 for c in missing):
            status = "partly"
        else:
            status = "missing"
        counts[status] += 1
        articles.append(
            {
                "article": article.article,
                "title": article.title,
                "status": status,
                "supported_by": [_named(catalogue, c) for c in supported_by],
                "missing": [_named(catalogue, c) for c in missing],
            }
        )
    return {
        "version": lens.version,
        "disclaimer": lens.disclaimer,
        "in_force_since": lens.dates[0].date.isoformat() if lens.dates else None,
        "dates": [{"date": d.date.isoformat(), "event": d.event} for d in lens.dates],
        "dates_note": lens.dates_note,
        "articles": articles,
        "counts": counts,
        "skipped": sorted(set(skipped)),
    }


def _present(
    catalogue: Catalogue,
    capabilities: Mapping[str, CapabilityResult],
    requires: Iterable[Requirement],
    skipped: list[str],
) -> list[Requirement]:
    """The requirements the result's catalogue knows; the others are added to ``skipped``."""
    present = []
    for requirement in requires:
        if requirement.capability in capabilities and catalogue.has_capability(
            requirement.capability
        ):
            present.append(requirement)
        else:
            skipped.append(requirement.capability)
    return present


def _named(catalogue: Catalogue, capability: CapabilityResult) -> dict[str, Any]:
    return {
        "capability": capability.key,
        "title": catalogue.capability(capability.key).title,
        "status": capability.status,
    }
