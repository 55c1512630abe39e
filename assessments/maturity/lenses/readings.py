"""Reading a scored result through a lens: Microsoft's level, the EU AI Act articles supported.

A lens only reads the capability results scoring already decided (met, partial, missing,
unknown...), so it agrees with Google's reading on every capability and adds no rule of its
own about answers or evidence. A requirement whose capability the result's catalogue lacks (a
result computed on an older catalogue) is skipped: it neither holds a level back nor counts for
an article, and the reading lists it under ``skipped``.

A capability that does not apply to the team (answered "not applicable", in a dimension the
team's context switches off, such as LLM applications for a team without any, or exempted in
the reading with exemptions) counts as met for Microsoft's levels, as it does for Google's: a
level does not ask a team for a practice it has no use for. For an EU AI Act article it counts
neither as support nor as missing: a practice the team has no use for is no evidence of
readiness, nor a gap. The article lists it under ``not_applicable``, and an article none of
whose capabilities applies is ``not_assessed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessments.maturity.catalogue import Catalogue
from assessments.maturity.results import MaturityResult

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
    table = _microsoft_table(catalogue, lens)
    capabilities = result.capabilities
    level = 0
    blocking: list[dict[str, Any]] = []
    for number, requires in table.levels:
        unmet = [r for r in requires if not capabilities[r.key].met]
        if unmet:
            blocking = [
                {
                    "capability": r.key,
                    "title": r.title,
                    "status": capabilities[r.key].status,
                    "aspect": r.aspect,
                }
                for r in unmet
            ]
            break
        level = number
    top = lens.levels[-1].number
    return {
        "version": lens.version,
        "level": level,
        "title": lens.level(level).title,
        "next_level": None if level >= top else level + 1,
        "next_level_title": None if level >= top else lens.level(level + 1).title,
        "why_not_next_level": blocking,
        "skipped": list(table.skipped),
    }


def eu_ai_act_reading(
    catalogue: Catalogue, result: MaturityResult, *, lens: EuAiActLens | None = None
) -> dict[str, Any]:
    """Per article: supported (every applicable capability met), partly (some met or partly
    done), missing (none), or not_assessed (the catalogue has none of its capabilities, or none
    of them applies to the team); with counts."""
    lens = lens or eu_ai_act_lens()
    table = _eu_table(catalogue, lens)
    capabilities = result.capabilities
    articles = []
    counts = dict.fromkeys(ARTICLE_STATUSES, 0)
    for article, title, requires in table.articles:
        supported_by = []
        missing = []
        not_applicable = []
        partly_done = False
        for r in requires:
            capability = capabilities[r.key]
            named = {"capability": r.key, "title": r.title, "status": capability.status}
            if capability.status == "not_applicable":
                not_applicable.append(named)
            elif capability.met:
                supported_by.append(named)
            else:
                missing.append(named)
                partly_done = partly_done or capability.grade > 0
        if not supported_by and not missing:
            status = "not_assessed"
        elif not missing:
            status = "supported"
        elif supported_by or partly_done:
            status = "partly"
        else:
            status = "missing"
        counts[status] += 1
        articles.append(
            {
                "article": article,
                "title": title,
                "status": status,
                "supported_by": supported_by,
                "missing": missing,
                "not_applicable": not_applicable,
            }
        )
    return {
        "version": lens.version,
        "disclaimer": lens.disclaimer,
        "in_force_since": table.dates[0]["date"] if table.dates else None,
        "dates": [dict(d) for d in table.dates],
        "dates_note": lens.dates_note,
        "articles": articles,
        "counts": counts,
        "skipped": list(table.skipped),
    }


def article_changes(raw: Mapping[str, Any], other: Mapping[str, Any]) -> list[dict[str, str]]:
    """The articles whose status differs between two EU AI Act readings of one result (the
    raw reading and the reading with exemptions), in the raw reading's order."""
    statuses = {a["article"]: a["status"] for a in other.get("articles", ())}
    return [
        {
            "article": a["article"],
            "title": a["title"],
            "status": a["status"],
            "other_status": statuses[a["article"]],
        }
        for a in raw.get("articles", ())
        if a["article"] in statuses and statuses[a["article"]] != a["status"]
    ]


@dataclass(frozen=True)
class _Resolved:
    """A requirement the catalogue knows, with the capability's title."""

    key: str
    title: str
    aspect: str


@dataclass(frozen=True)
class _MicrosoftTable:
    levels: tuple[tuple[int, tuple[_Resolved, ...]], ...]  # levels 1-4
    skipped: tuple[str, ...]


@dataclass(frozen=True)
class _EuTable:
    articles: tuple[tuple[str, str, tuple[_Resolved, ...]], ...]
    dates: tuple[dict[str, Any], ...]
    skipped: tuple[str, ...]


def _resolve(
    catalogue: Catalogue, requires: Iterable[Requirement], skipped: set[str]
) -> tuple[_Resolved, ...]:
    """The requirements the catalogue knows; the others are added to ``skipped``."""
    resolved = []
    for requirement in requires:
        if catalogue.has_capability(requirement.capability):
            title = catalogue.capability(requirement.capability).title
            resolved.append(_Resolved(requirement.capability, title, requirement.aspect))
        else:
            skipped.add(requirement.capability)
    return tuple(resolved)


def _microsoft_table(catalogue: Catalogue, lens: MicrosoftLens) -> _MicrosoftTable:
    """The lens laid out for one catalogue; kept with the catalogue for the bundled lens, since
    re-scoring a history reads thousands of results on the same catalogue."""
    if lens is microsoft_lens():
        return catalogue.derived(_bundled_microsoft_table)
    return _build_microsoft_table(catalogue, lens)


def _bundled_microsoft_table(catalogue: Catalogue) -> _MicrosoftTable:
    return _build_microsoft_table(catalogue, microsoft_lens())


def _build_microsoft_table(catalogue: Catalogue, lens: MicrosoftLens) -> _MicrosoftTable:
    skipped: set[str] = set()
    levels = tuple(
        (level.number, _resolve(catalogue, level.requires, skipped)) for level in lens.levels[1:]
    )
    return _MicrosoftTable(levels, tuple(sorted(skipped)))


def _eu_table(catalogue: Catalogue, lens: EuAiActLens) -> _EuTable:
    if lens is eu_ai_act_lens():
        return catalogue.derived(_bundled_eu_table)
    return _build_eu_table(catalogue, lens)


def _bundled_eu_table(catalogue: Catalogue) -> _EuTable:
    return _build_eu_table(catalogue, eu_ai_act_lens())


def _build_eu_table(catalogue: Catalogue, lens: EuAiActLens) -> _EuTable:
    skipped: set[str] = set()
    articles = tuple(
        (a.article, a.title, _resolve(catalogue, a.requires, skipped)) for a in lens.articles
    )
    dates = tuple(
        {"date": d.date.isoformat(), "event": d.event, "headline": d.headline} for d in lens.dates
    )
    return _EuTable(articles, dates, tuple(sorted(skipped)))
