"""Reads about results: a team's history, one result, and the organisation's median."""

import statistics
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Subquery

from ..maturity import CatalogueError
from ..maturity.lenses import lens_readings_of_snapshot
from ..maturity.versions import load_catalogue_version
from ..models import Assessment, LatestResult, Organization, Result, ResultCapability, Team

# A bound on what the fingerprint cannot see (a result deleted in the admin site, say).
MEDIAN_CACHE_SECONDS = 300


def result_history_for_team(*, team: Team, with_snapshots: bool = True) -> list[Result]:
    """The team's results in submission order, oldest first (snapshots are the heavy part)."""
    results = (
        Result.objects.filter(assessment__team=team)
        .select_related("assessment")
        .order_by("assessment__submitted_at")
    )
    if not with_snapshots:
        results = results.defer("snapshot", "lenses")
    return list(results)


def result_history_until(*, result: Result) -> list[Result]:
    """The team's results submitted up to this one (this one included), oldest first: the
    history as it stood when this assessment was submitted."""
    return list(
        Result.objects.filter(
            assessment__team_id=result.assessment.team_id,
            assessment__submitted_at__lte=result.assessment.submitted_at,
        )
        .select_related("assessment")
        .order_by("assessment__submitted_at", "assessment_id")
    )


def result_for_assessment(*, assessment: Assessment) -> Result | None:
    """The assessment's result with its assessment; None while it is being computed."""
    return Result.objects.select_related("assessment").filter(assessment=assessment).first()


def results_with_assessments(*, result_ids: list[int]) -> list[Result]:
    return list(Result.objects.filter(pk__in=result_ids).select_related("assessment"))


def dimension_index_history_for_team(
    *, team: Team
) -> list[tuple[datetime | None, dict[str, float]]]:
    """(submitted at, index per dimension) of each of the team's results, oldest first; reads
    one key of each snapshot, not the whole snapshot."""
    return list(
        Result.objects.filter(assessment__team=team)
        .order_by("assessment__submitted_at")
        .values_list("assessment__submitted_at", "dimension_index")
    )


def previous_result(*, assessment: Assessment) -> Result | None:
    """The team's result submitted just before this one, for deltas and the radar chart."""
    return (
        Result.objects.filter(
            assessment__team_id=assessment.team_id,
            assessment__submitted_at__lt=assessment.submitted_at,
        )
        .order_by("-assessment__submitted_at")
        .first()
    )


def newest_computation() -> Subquery:
    """The highest capability row id: every result computed, new or recomputed after a scan,
    rewrites its capability rows (services/results.py), so this moves with each computation.
    A cache key that includes it changes as soon as a result does."""
    return Subquery(ResultCapability.objects.order_by("-pk").values("pk")[:1])


def organization_median_dimension_index(*, organization_id: int) -> dict[str, float]:
    """Median per-dimension index over the latest result of every team of the organisation.

    One read of each team's `LatestResult`, whatever the length of the history: no
    search for the newest result per team, so no plan that depends on fresh statistics. The
    medians of thousands of teams are kept in the cache until a result is computed again (the
    highest capability row id moves with every computation, see services/results.py), so a
    result page does not read every team of the organisation on each view.
    """
    # The organisation's creation time makes the key unique even where ids are reused.
    created_at, newest = (
        Organization.objects.filter(pk=organization_id)
        .annotate(newest=newest_computation())
        .values_list("created_at", "newest")
        .get()
    )
    key = f"results:organization-median:v1:{organization_id}:{created_at.timestamp()}:{newest}"
    medians: dict[str, float] | None = cache.get(key)
    if medians is None:
        medians = _organization_median_dimension_index(organization_id)
        cache.set(key, medians, MEDIAN_CACHE_SECONDS)
    return medians


def _organization_median_dimension_index(organization_id: int) -> dict[str, float]:
    # Only the small per-dimension dict leaves the database, read from the teams' narrow
    # copies of their latest results rather than from the results among their history.
    indexes = LatestResult.objects.filter(team__organization_id=organization_id).values_list(
        "dimension_index", flat=True
    )
    per_dimension: dict[str, list[float]] = {}
    for dimension_index in indexes:
        for key, value in (dimension_index or {}).items():
            per_dimension.setdefault(key, []).append(value)
    return {key: statistics.median(values) for key, values in per_dimension.items()}


def result_lenses(*, result: Result) -> dict[str, dict[str, Any]]:
    """The result's lens readings: stored with the result, or read now from its snapshot for a
    result stored before the lenses existed whose catalogue could not be loaded then; empty
    when it still cannot be."""
    if result.lenses:
        stored: dict[str, dict[str, Any]] = result.lenses
        return stored
    try:
        catalogue = load_catalogue_version(result.catalogue_version)
    except CatalogueError:
        return {}
    return lens_readings_of_snapshot(catalogue, result.snapshot["result"])
