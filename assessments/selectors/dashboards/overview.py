"""The overview dashboard: levels, the ranking, grades and common gaps (its trends: trends.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from ... import maturity
from ...dashboards.filters import DashboardFilters
from ...models import (
    Exemption,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
)
from ..exemptions import active_on
from .latest import (
    LatestResults,
    dimension_capability_keys,
    open_debt,
    result_id_field,
)

PAGE_SIZE = 25
LEVELS = (0, 1, 2)
MICROSOFT_LEVELS = (0, 1, 2, 3, 4)
QUARTER = dt.timedelta(days=90)


@dataclass(frozen=True)
class RankingRow:
    result_id: int
    assessment_id: int
    team_id: int
    team_name: str
    team_slug: str
    organization: str
    submitted_at: dt.datetime
    level: int
    index: float
    previous_index: float | None
    target_level: int
    weakest_dimension: str
    open_steps: int
    oldest_debt: dt.datetime | None
    next_level_in_place: int | None = None
    next_level_total: int | None = None
    microsoft_level: int | None = None

    @property
    def delta(self) -> float | None:
        if self.previous_index is None:
            return None
        return round(self.index - self.previous_index, 1)


@dataclass(frozen=True)
class Gap:
    capability: str
    teams: int


@dataclass(frozen=True)
class Standing:
    """Where the teams stand: how many at each level, and the gaps they share.

    `distribution` is {"overall": {0: n, 1: n, 2: n}, dimension key: {...}}, each dimension's
    level as the engine decided it; `gaps` are the capabilities the teams' target levels need
    and they miss, most common first (in one dimension, when the page is filtered by one).
    """

    distribution: dict[str, dict[int, int]]
    gaps: list[Gap]
    # Teams at each of Microsoft's levels (results read through the lenses only).
    microsoft: dict[int, int] | None = None
    # {team id: capabilities exempted on the day asked} of the teams that have any; None when
    # not asked.
    exemptions: dict[int, int] | None = None


def standing(
    *, results: LatestResults, dimension: str = "", exemptions_on: dt.date | None = None
) -> Standing:
    """Levels and common gaps of the given (latest) results, in one query.

    It reads a few small columns per team (`overall_level`, `dimension_levels`,
    `target_gaps`, `microsoft_level`, written with each result) and counts in one pass,
    rather than aggregating the results' capability rows or snapshots: a few thousand short
    rows, whatever the history. With `exemptions_on`, each team's row also counts the
    capabilities exempted that day (`exemptions_active_count_by_team`, in the same query).
    """
    dimensions = [d.key for d in maturity.load_catalogue().dimensions]
    distribution = {key: dict.fromkeys(LEVELS, 0) for key in ["overall", *dimensions]}
    wanted = set(dimension_capability_keys(dimension)) if dimension else None
    # The JSON columns come as text and are decoded in one call for all the teams: decoding
    # thousands of small documents one by one costs more than reading them.
    exempted: list[Any] = []
    if exemptions_on is not None:
        exempted = ["team_id", Subquery(_exempted_capabilities(exemptions_on))]
    rows = results.values_list(
        "overall_level",
        Cast("dimension_levels", TextField()),
        Cast("target_gaps", TextField()),
        "microsoft_level",
        *exempted,
    ).order_by()
    columns = list(zip(*rows, strict=True)) if rows else [()] * (4 + len(exempted))
    overall_levels, levels_text, gaps_text, microsoft_levels = columns[:4]
    exemptions = None
    if exemptions_on is not None:
        exemptions = {team: count for team, count in zip(*columns[4:], strict=True) if count}
    # Teams share documents (the same levels, the same gaps): each distinct one is decoded and
    # counted once, times the teams that hold it.
    levels_held = Counter(levels_text)
    gaps_held = Counter(gaps_text)
    all_levels = json.loads(f"[{','.join(levels_held)}]")
    all_gaps = json.loads(f"[{','.join(gaps_held)}]")
    distribution["overall"].update(Counter(overall_levels))
    microsoft = dict.fromkeys(MICROSOFT_LEVELS, 0)
    microsoft.update(Counter(level for level in microsoft_levels if level is not None))
    pairs: Counter[tuple[str, int]] = Counter()
    for levels, held in zip(all_levels, levels_held.values(), strict=True):
        for pair in levels.items():
            pairs[pair] += held
    for (key, level), count in pairs.items():
        if key in distribution and key != "overall" and level in LEVELS:
            distribution[key][level] += count
    teams: Counter[str] = Counter()
    for gaps, held in zip(all_gaps, gaps_held.values(), strict=True):
        for key in gaps if wanted is None else (key for key in gaps if key in wanted):
            teams[key] += held
    ranked = sorted(teams.items(), key=lambda item: (-item[1], item[0]))
    return Standing(
        distribution,
        [Gap(capability, count) for capability, count in ranked],
        microsoft=microsoft,
        exemptions=exemptions,
    )


def _exempted_capabilities(day: dt.date) -> QuerySet[Any, Any]:
    """How many capabilities the row's team has exempted on `day`, as a subquery (none: null):
    the count of `exemptions_active_count_by_team`."""
    counted: QuerySet[Any, Any] = (
        Exemption.objects.filter(active_on(day), team_id=OuterRef("team_id"))
        .order_by()
        .values("team_id")
        .annotate(capabilities=Count("capability_key", distinct=True))
        .values("capabilities")
    )
    return counted


SORT_ORDERS = {
    "level": ("-overall_level", "-index", "team_name", "pk"),
    # "level" when the page leads with Microsoft's model: its level first (results stored
    # before the lenses have none: last), Google's and the index breaking ties.
    "microsoft_level": (
        F("microsoft_level").desc(nulls_last=True),
        "-overall_level",
        "-index",
        "team_name",
        "pk",
    ),
    "index": ("-index", "team_name", "pk"),
    "delta": (F("delta").desc(nulls_last=True), "team_name", "pk"),
    "steps": ("-open_steps", "team_name", "pk"),
    "debt": (F("oldest_debt").asc(nulls_last=True), "team_name", "pk"),
    "name": ("team_name", "pk"),
}


def ranking(
    *,
    results: LatestResults,
    filters: DashboardFilters,
    offset: int = 0,
    limit: int | None = PAGE_SIZE,
) -> list[RankingRow]:
    """One page of the ranking (every row when `limit` is None), in one query.

    The change since last quarter compares with the team's latest result at least 90 days
    before the end of the period (or today). Open steps and the oldest debt are the team's
    roadmap now; the oldest debt leaves out optional (recommended) steps, which are not debt.
    """
    team = OuterRef("team_id")
    # Newest first along the results' (team, submitted_at) index, which holds the index too.
    previous = (
        Result.objects.filter(team=team, submitted_at__lte=filters.as_of - QUARTER)
        .order_by("-submitted_at")
        .values("index")[:1]
    )
    open_steps = RoadmapStep.objects.filter(team=team, status=RoadmapStepStatus.OPEN).order_by()
    open_count = open_steps.values("team").annotate(n=Count("pk")).values("n")
    oldest = (
        RoadmapStep.objects.filter(team=team)
        .filter(open_debt())
        .order_by()
        .values("team")
        .annotate(first=Min("first_seen"))
        .values("first")
    )
    rows = (
        results.annotate(
            team_name=F("team__name"),
            team_slug=F("team__slug"),
            organization_name=F("team__organization__name"),
            previous_index=Subquery(previous),
            delta=F("index") - F("previous_index"),
            open_steps=Coalesce(Subquery(open_count), Value(0)),
            oldest_debt=Subquery(oldest),
        )
        .order_by(*_sort_order(filters))
        .values(
            result_id_field(results),
            "assessment_id",
            "team_id",
            "team_name",
            "team_slug",
            "organization_name",
            "submitted_at",
            "overall_level",
            "index",
            "previous_index",
            "target_level",
            "weakest_dimension",
            "open_steps",
            "oldest_debt",
            "next_level_in_place",
            "next_level_total",
            "microsoft_level",
        )
    )
    if limit is not None:
        rows = rows[offset : offset + limit]
    elif offset:
        rows = rows[offset:]
    return [
        RankingRow(
            result_id=row[result_id_field(results)],
            assessment_id=row["assessment_id"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            team_slug=row["team_slug"],
            organization=row["organization_name"],
            submitted_at=row["submitted_at"],
            level=row["overall_level"],
            index=row["index"],
            previous_index=row["previous_index"],
            target_level=row["target_level"],
            weakest_dimension=row["weakest_dimension"],
            open_steps=row["open_steps"],
            oldest_debt=row["oldest_debt"],
            next_level_in_place=row["next_level_in_place"],
            next_level_total=row["next_level_total"],
            microsoft_level=row["microsoft_level"],
        )
        for row in rows
    ]


def _sort_order(filters: DashboardFilters) -> tuple[Any, ...]:
    sort = filters.sort if filters.sort in SORT_ORDERS else "level"
    if sort == "level" and filters.headline == "microsoft":
        sort = "microsoft_level"
    return SORT_ORDERS[sort]


@dataclass(frozen=True)
class GradeCell:
    grade: float | None  # None: not answered
    met: bool
    source: str


def capability_grades(
    *, results: QuerySet[Any, Any] | list[int], dimension: str = ""
) -> dict[int, dict[str, GradeCell]]:
    """{result id: {capability key: grade}} for the given results (their ids, as a list or a
    query of ids)."""
    rows = ResultCapability.objects.filter(result__in=results)
    if dimension:
        rows = rows.filter(dimension_key=dimension)
    grades: dict[int, dict[str, GradeCell]] = defaultdict(dict)
    # A page holds a thousand cells of a dozen kinds (grade, met, source): one shared
    # (immutable) cell per kind.
    cells: dict[tuple[float | None, bool, str], GradeCell] = {}
    for result_id, key, grade, met, source in rows.values_list(
        "result_id", "capability_key", "grade", "met", "source"
    ).order_by():
        kind = (grade, met, source)
        cell = cells.get(kind)
        if cell is None:
            cell = cells[kind] = GradeCell(None if source == "none" else grade, met, source)
        grades[result_id][key] = cell
    return grades
