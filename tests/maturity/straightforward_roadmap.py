"""Roadmaps as they were built before they read per-catalogue tables: the straightforward
reference, checked against ``assessments.maturity.roadmap`` in test_scoring_tables.py.
"""

from __future__ import annotations

import heapq

from assessments.maturity.catalogue import LEVELS, Catalogue
from assessments.maturity.results import MaturityResult
from assessments.maturity.roadmap import RoadmapStep, step_id


def build_roadmap(
    catalogue: Catalogue, result: MaturityResult, target_level: int
) -> list[RoadmapStep]:
    """The steps that close the gap between ``result`` and ``target_level``, in order."""
    if target_level not in LEVELS:
        raise ValueError(f"target level {target_level!r} must be 0, 1 or 2")
    if result.catalogue_version != catalogue.version:
        raise ValueError(
            f"the result was scored against catalogue {result.catalogue_version}, "
            f"not {catalogue.version}"
        )
    selected = _select(catalogue, result, target_level)
    return [_step(catalogue, result, key, selected) for key in _order(catalogue, selected)]


def _select(catalogue: Catalogue, result: MaturityResult, target_level: int) -> set[str]:
    unmet = {k for k, c in result.capabilities.items() if not c.met}
    selected = {k for k in unmet if catalogue.capability(k).level <= target_level}
    pending = list(selected)
    while pending:
        for prerequisite in catalogue.capability(pending.pop()).prerequisites:
            if prerequisite in unmet and prerequisite not in selected:
                selected.add(prerequisite)
                pending.append(prerequisite)
    return selected


def _priority(catalogue: Catalogue, key: str) -> tuple[int, bool, float, str]:
    c = catalogue.capability(key)
    return (c.level, c.optional, -c.impact / c.effort_days, key)


def _order(catalogue: Catalogue, selected: set[str]) -> list[str]:
    waiting = {
        key: {p for p in catalogue.capability(key).prerequisites if p in selected}
        for key in selected
    }
    dependents: dict[str, list[str]] = {key: [] for key in selected}
    for key, prerequisites in waiting.items():
        for p in prerequisites:
            dependents[p].append(key)
    ready = [_priority(catalogue, k) for k, w in waiting.items() if not w]
    heapq.heapify(ready)
    order = []
    while ready:
        key = heapq.heappop(ready)[-1]
        order.append(key)
        for dependent in dependents[key]:
            waiting[dependent].discard(key)
            if not waiting[dependent]:
                heapq.heappush(ready, _priority(catalogue, dependent))
    return order


def _step(
    catalogue: Catalogue, result: MaturityResult, key: str, selected: set[str]
) -> RoadmapStep:
    c = catalogue.capability(key)
    level = catalogue.level(c.level)
    debt = catalogue.debt_kind(c.debt)
    return RoadmapStep(
        id=step_id(key),
        capability=key,
        title=c.title,
        dimension=c.dimension,
        level=c.level,
        optional=c.optional,
        what=c.remediation,
        why=f"Level {c.level} ({level.title}): {c.why}",
        debt_kind=debt.key,
        debt_title=debt.title,
        verify=c.verify,
        effort=c.effort,
        effort_days=c.effort_days,
        impact=c.impact,
        status=result.capabilities[key].status,
        prerequisites=tuple(step_id(p) for p in c.prerequisites if p in selected),
    )
