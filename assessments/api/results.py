"""The result and roadmap documents of an assessment, built from the stored engine snapshot.

Field names follow the `scan_repo` CLI where they overlap (`overall_level`, `index`,
`dimensions`, `capabilities[].key/grade`), so one script can read both.
"""

from typing import Any

from django.utils import timezone

from .. import maturity, selectors
from ..models import Result


def _debt_as_of_submission(result: Result) -> dict[str, Any]:
    """The team's debt statement as it stood when this assessment was submitted."""
    as_of, items = selectors.debt_statement_as_of_submission(result=result)
    return {
        "as_of": as_of,
        "items": [item.to_dict() for item in items],
        "total": maturity.debt_total(items).to_dict(),
    }


def _with_exemptions(result: Result) -> dict[str, Any] | None:
    """The result read with the team's exemptions in force today; the raw figures above never
    change."""
    reading = selectors.result_with_exemptions(result=result, today=timezone.localdate())
    if reading is None:
        return None
    return {
        "as_of": reading.as_of,
        "overall_level": reading.outcome.level,
        "index": reading.outcome.index,
        "dimensions": reading.outcome.dimension_levels,
        "dimension_index": reading.outcome.dimension_index,
        "why_not_next_level": reading.outcome.why_not_next,
        "capabilities": list(reading.capabilities),
        "exemptions": [exemption.pk for exemption in reading.exemptions],
        "lenses": reading.lenses,
    }


def result_document(result: Result) -> dict[str, Any]:
    outcome = result.snapshot["result"]
    return {
        "assessment": result.assessment_id,
        "team": result.assessment.team_id,
        "catalogue_version": result.catalogue_version,
        "computed_at": result.computed_at,
        "overall_level": result.overall_level,
        "index": result.index,
        "dimensions": outcome["dimension_levels"],
        "dimension_index": outcome["dimension_index"],
        "weakest_dimension": result.weakest_dimension,
        "not_applicable_dimensions": outcome.get("not_applicable_dimensions", []),
        "capabilities": outcome["capabilities"],
        "target_level": result.target_level,
        "target": result.snapshot["target"],
        "why_not_next_level": outcome["why_not_next"],
        "missing_for_next_level": outcome["missing_for_next"],
        "next_level_progress": maturity.next_level_progress(outcome),
        "contradictions": outcome["contradictions"],
        "claimed_not_visible": maturity.claimed_not_visible(outcome),
        "unknown": outcome["unknown"],
        "ml_test_score": outcome["ml_test_score"],
        "lenses": selectors.result_lenses(result=result),
        "scanned": outcome.get("scanned", False),
        "evidence_can_contradict": outcome.get("can_contradict", outcome.get("scanned", False)),
        "debt": _debt_as_of_submission(result),
        "with_exemptions": _with_exemptions(result),
        "organization_checks": selectors.organization_checks_for_result(result=result),
    }


def roadmap_document(result: Result) -> list[dict[str, Any]]:
    return [
        {**step, "position": position} for position, step in enumerate(result.snapshot["roadmap"])
    ]
