"""Roadmap: the ordered steps from the current result to a target level.

Which steps
    Every capability required at a level up to the target that is not met, plus the optional
    (recommended) capabilities up to the target, flagged ``optional``. Unmet prerequisites of
    any step are pulled in too, whatever their level. The catalogue already guarantees that a
    prerequisite is never required later than what depends on it, so in practice this adds
    nothing; it is kept so that a custom catalogue can never yield a step whose prerequisite is
    silently missing from the plan.

Order
    Prerequisites first (an orchestrated pipeline before triggers, tests before CI). Among the
    steps whose prerequisites are already placed: lower level first (foundations before
    refinements), required before optional, higher impact per effort-day first, then the key,
    so the same result always gives the same roadmap.

Ids
    ``step-<capability key>``: stable across assessments, so a later result marks a step done
    when its capability is met (see ``completed_steps``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .catalogue import LEVELS, Catalogue
from .results import MaturityResult


@dataclass(frozen=True)
class RoadmapStep:
    id: str
    capability: str
    title: str
    dimension: str
    level: int
    optional: bool
    what: str  # the remediation
    why: str  # the level characteristic the step fulfils
    debt_kind: str
    debt_title: str
    verify: str
    effort: str
    effort_days: float
    impact: int
    status: str  # the capability's status when the roadmap was built
    prerequisites: tuple[str, ...] = ()  # ids of steps in this roadmap that come first

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["prerequisites"] = list(self.prerequisites)
        return data


def step_id(capability_key: str) -> str:
    return f"step-{capability_key}"


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
    tables = catalogue.derived(_RoadmapTables.build)
    selected = _select(tables, result, target_level)
    # Each step's prerequisites that are steps of this roadmap too, in the catalogue's order.
    within = {key: tuple(p for p in tables.prerequisites[key] if p in selected) for key in selected}
    return [_step(catalogue, tables, result, key, within[key]) for key in _order(tables, within)]


def completed_steps(steps: Iterable[RoadmapStep], result: MaturityResult) -> list[str]:
    """Ids of the steps whose capability ``result`` now shows as met."""
    return [s.id for s in steps if s.capability in result.met]


@dataclass(frozen=True, slots=True)
class _RoadmapTables:
    """What roadmaps read of a catalogue, built once per catalogue (``Catalogue.derived``)."""

    level: dict[str, int]
    prerequisites: dict[str, tuple[str, ...]]
    priority: dict[str, tuple[int, bool, float, str]]  # see the module docstring's Order
    # Steps are frozen and depend only on their capability, its status and its prerequisites
    # within the roadmap, so each is built once and shared by every roadmap that has it.
    steps: dict[tuple[str, str, tuple[str, ...]], RoadmapStep]

    @classmethod
    def build(cls, catalogue: Catalogue) -> _RoadmapTables:
        capabilities = catalogue.capabilities
        return cls(
            level={c.key: c.level for c in capabilities},
            prerequisites={c.key: c.prerequisites for c in capabilities},
            priority={
                c.key: (c.level, c.optional, -c.impact / c.effort_days, c.key) for c in capabilities
            },
            steps={},
        )


def _select(tables: _RoadmapTables, result: MaturityResult, target_level: int) -> set[str]:
    unmet = {k for k, c in result.capabilities.items() if not c.met}
    selected = {k for k in unmet if tables.level[k] <= target_level}
    pending = list(selected)
    while pending:
        for prerequisite in tables.prerequisites[pending.pop()]:
            if prerequisite in unmet and prerequisite not in selected:
                selected.add(prerequisite)
                pending.append(prerequisite)
    return selected


def _order(tables: _RoadmapTables, within: dict[str, tuple[str, ...]]) -> list[str]:
    # Kahn's algorithm with a heap; only the steps that wait for another are tracked.
    waiting = {key: set(prerequisites) for key, prerequisites in within.items() if prerequisites}
    dependents: dict[str, list[str]] = {}
    for key, prerequisites in waiting.items():
        for p in prerequisites:
            dependents.setdefault(p, []).append(key)
    ready = [tables.priority[k] for k in within if k not in waiting]
    if not waiting:  # no step waits: the heap would pop them in sorted order
        return [priority[-1] for priority in sorted(ready)]
    heapq.heapify(ready)
    order = []
    while ready:
        key = heapq.heappop(ready)[-1]
        order.append(key)
        for dependent in dependents.get(key, ()):
            waiting[dependent].discard(key)
            if not waiting[dependent]:
                heapq.heappush(ready, tables.priority[dependent])
    return order


def _step(
    catalogue: Catalogue,
    tables: _RoadmapTables,
    result: MaturityResult,
    key: str,
    within: tuple[str, ...],
) -> RoadmapStep:
    status = result.capabilities[key].status
    memo = (key, status, within)
    if memo not in tables.steps:
        tables.steps[memo] = _new_step(catalogue, key, status, within)
    return tables.steps[memo]


def _new_step(catalogue: Catalogue, key: str, status: str, within: tuple[str, ...]) -> RoadmapStep:
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
        status=status,
        prerequisites=tuple(step_id(p) for p in within),
    )
