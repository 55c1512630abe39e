"""Compute and store an assessment's result; keep the team's roadmap steps in step with it."""

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import maturity
from ..maturity.lenses import lens_readings
from ..maturity.versions import load_catalogue_version
from ..models import (
    LATEST_RESULT_COPIES,
    Assessment,
    AssessmentStatus,
    LatestResult,
    Result,
    ResultCapability,
    RoadmapStep,
    RoadmapStepStatus,
    Team,
)
from ..selectors import evidence_for_team, latest_submission_for_team, recent_scan_coverage
from .organization_months import month_of, organization_months_recount


def result_compute(*, assessment: Assessment) -> Result:
    """Score a submitted assessment and store the result (idempotent: recomputing replaces it).

    The assessment's own catalogue version is used, so a newer catalogue never changes an old
    result. Evidence is the team's latest repository findings at the time of computing.
    """
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValueError(f"assessment {assessment.pk} is not submitted")
    catalogue = load_catalogue_version(assessment.catalogue_version)
    answers = dict(assessment.answers.values_list("question_key", "option_key"))
    evidence = evidence_for_team(assessment.team)
    if evidence is not None:
        # An older catalogue may not know a capability the scanner learned to detect since.
        evidence = [e for e in evidence if catalogue.has_capability(e.capability)]
    recent, holds = recent_scan_coverage(assessment.team)
    outcome = maturity.score(
        catalogue, answers, evidence, covered=holds, can_contradict=evidence is not None and recent
    )
    target = maturity.recommend_target(catalogue, answers, current_level=outcome.level)
    roadmap = maturity.build_roadmap(catalogue, outcome, target.level)
    snapshot = {
        "result": outcome.to_dict(),
        "target": target.to_dict(),
        "roadmap": [step.to_dict() for step in roadmap],
    }
    with transaction.atomic():
        # One computation per team at a time: a submission and a scan-triggered recompute
        # both rewrite the team's roadmap steps.
        team = Team.objects.select_for_update().get(pk=assessment.team_id)
        result, _ = Result.objects.update_or_create(
            assessment=assessment,
            defaults={
                "catalogue_version": catalogue.version,
                "overall_level": outcome.level,
                "index": outcome.index,
                "target_level": target.level,
                "weakest_dimension": outcome.weakest_dimension,
                "ml_test_score": outcome.ml_test_score.score,
                "snapshot": snapshot,
                "computed_at": timezone.now(),
                **result_summary_fields(assessment, outcome, target),
                **result_lens_fields(catalogue, outcome),
            },
        )
        result.capabilities.all().delete()
        ResultCapability.objects.bulk_create(result_capability_rows(result, outcome))
        if result.submitted_at is not None:
            organization_months_recount(
                organization_id=team.organization_id, months=[month_of(result.submitted_at)]
            )
        if _is_latest_submission(assessment):
            Team.objects.filter(pk=assessment.team_id).update(
                latest_result=result, criticality=result.criticality
            )
            latest_results_copy(team_ids=[assessment.team_id])
            _roadmap_sync(assessment=assessment, roadmap=roadmap, outcome=outcome)
    return result


def teams_latest_result_refresh(*, team_ids: Iterable[int]) -> None:
    """Point each team at the result of its latest submission, and copy it: for results
    written in bulk (the synthetic organisations), where `result_compute` did not run, and after
    deletions.

    In a transaction of its own that first locks the teams (in id order, so two refreshes
    never wait on each other crosswise): a computation for one of them waits until the pointer
    and its copy are both written, and never sees one without the other."""
    team_ids = sorted(set(team_ids))
    latest = Result.objects.filter(
        assessment__team=OuterRef("pk"), assessment__status=AssessmentStatus.SUBMITTED
    ).order_by("-assessment__submitted_at")
    with transaction.atomic():
        teams = Team.objects.select_for_update().filter(pk__in=team_ids).order_by("pk")
        locked = list(teams.values_list("pk", flat=True))
        Team.objects.filter(pk__in=locked).update(
            latest_result=Subquery(latest.values("pk")[:1]),
            criticality=Coalesce(Subquery(latest.values("criticality")[:1]), Value("")),
        )
        latest_results_copy(team_ids=locked)


def latest_results_copy(*, team_ids: Iterable[int]) -> None:
    """Write each team's `LatestResult` from the result `Team.latest_result` points at, and
    remove it where the team points at none: called wherever that pointer is written, in its
    transaction, which holds the team's row lock (its update took it)."""
    team_ids = list(team_ids)
    copied = [f"latest_result__{name}" for name in LATEST_RESULT_COPIES]
    rows = list(
        Team.objects.filter(pk__in=team_ids, latest_result__isnull=False).values_list(
            "pk", "latest_result_id", *copied
        )
    )
    LatestResult.objects.filter(team_id__in=team_ids).exclude(
        team_id__in=[row[0] for row in rows]
    ).delete()
    LatestResult.objects.bulk_create(
        [
            LatestResult(
                team_id=team_id,
                result_id=result_id,
                **dict(zip(LATEST_RESULT_COPIES, values, strict=True)),
            )
            for team_id, result_id, *values in rows
        ],
        # Written over in place: no moment, and no failure, leaves a team with a pointer and
        # no copy.
        update_conflicts=True,
        unique_fields=["team"],
        update_fields=["result", *LATEST_RESULT_COPIES],
    )


def result_summary_fields(
    assessment: Assessment, outcome: maturity.MaturityResult, target: maturity.TargetRecommendation
) -> dict[str, object]:
    """The result's small copies of its assessment and snapshot, for dashboards (see `Result`)."""
    return {
        "team_id": assessment.team_id,
        "submitted_at": assessment.submitted_at,
        **outcome_summary_fields(outcome, target),
    }


def outcome_summary_fields(
    outcome: maturity.MaturityResult, target: maturity.TargetRecommendation
) -> dict[str, object]:
    """The small copies of the snapshot alone: the same for every assessment of the same answers."""
    target_level = target.level
    progress = outcome.next_level_progress
    # A dimension that does not apply to the team has no level to count, rank or take a median
    # of: dashboards read it as they read a dimension an older catalogue lacks. The snapshot
    # keeps the engine's full figures and names it in `not_applicable_dimensions`.
    applicable = [k for k in outcome.dimension_levels if k not in outcome.not_applicable_dimensions]
    return {
        "criticality": target.criticality or "",
        "dimension_levels": {k: outcome.dimension_levels[k] for k in applicable},
        "dimension_index": {k: outcome.dimension_index[k] for k in applicable},
        "target_gaps": sorted(
            key for key in outcome.gaps if outcome.capabilities[key].level <= target_level
        ),
        "next_level_in_place": len(progress.in_place) if progress is not None else None,
        "next_level_total": progress.total if progress is not None else None,
    }


def result_lens_fields(
    catalogue: maturity.Catalogue, outcome: maturity.MaturityResult
) -> dict[str, object]:
    """The other lenses' readings of the outcome, with their small copies (see `Result`)."""
    return lens_fields(lens_readings(catalogue, outcome))


def lens_fields(readings: dict[str, dict[str, Any]]) -> dict[str, object]:
    """`Result.lenses` and the small copies dashboards and the export read from it."""
    return {
        "lenses": readings,
        "microsoft_level": readings["microsoft"]["level"],
        "eu_ai_act_articles": {
            article["article"]: article["status"] for article in readings["eu_ai_act"]["articles"]
        },
    }


def result_capability_rows(
    result: Result, outcome: maturity.MaturityResult
) -> list[ResultCapability]:
    """One unsaved row per capability of the outcome, for dashboards to aggregate in SQL."""
    return [
        ResultCapability(result=result, **values) for values in result_capability_values(outcome)
    ]


def result_capability_values(outcome: maturity.MaturityResult) -> list[dict[str, Any]]:
    """The values of `result_capability_rows` but the result, one dict per capability."""
    return [
        {
            "capability_key": c.key,
            "dimension_key": c.dimension,
            "required_level": c.level,
            "grade": c.grade,
            "source": c.source,
            "met": c.met,
        }
        for c in outcome.capabilities.values()
    ]


def team_latest_result_recompute(*, team: Team) -> Result | None:
    """New scan evidence changes what the team's latest submission shows; older ones stay."""
    latest = latest_submission_for_team(team=team)
    return result_compute(assessment=latest) if latest else None


def _is_latest_submission(assessment: Assessment) -> bool:
    return not Assessment.objects.filter(
        team_id=assessment.team_id,
        status=AssessmentStatus.SUBMITTED,
        submitted_at__gt=assessment.submitted_at,
    ).exists()


def _roadmap_sync(
    *,
    assessment: Assessment,
    roadmap: Sequence[maturity.RoadmapStep],
    outcome: maturity.MaturityResult,
) -> None:
    existing = {step.step_id: step for step in RoadmapStep.objects.filter(team=assessment.team)}
    for step_id in roadmap_steps_advance(
        existing, assessment=assessment, roadmap=roadmap, outcome=outcome
    ):
        existing[step_id].save()


def roadmap_steps_advance(
    steps: dict[str, RoadmapStep],
    *,
    assessment: Assessment,
    roadmap: Sequence[maturity.RoadmapStep],
    outcome: maturity.MaturityResult,
) -> set[str]:
    """Move a team's roadmap steps (by step id, changed in place, unsaved) to this assessment.

    The roadmap's steps open; open steps no longer on it close as done when met, or dropped
    when the target no longer needs them. Step ids are stable across assessments, so a step keeps
    the date it was first seen for as long as it stays open. Returns the ids to save.
    """
    submitted_at = assessment.submitted_at
    assert submitted_at is not None  # the database holds every submission to have a date
    changed: set[str] = set()
    for position, planned in enumerate(roadmap):
        changed.add(planned.id)
        step = steps.get(planned.id)
        if step is None:
            steps[planned.id] = RoadmapStep(
                team_id=assessment.team_id,
                step_id=planned.id,
                capability_key=planned.capability,
                position=position,
                status=RoadmapStepStatus.OPEN,
                first_seen=submitted_at,
                opened_in=assessment,
            )
            continue
        if step.status != RoadmapStepStatus.OPEN:
            step.first_seen = submitted_at
            step.opened_in = assessment
            step.done_in = None
            step.done_at = None
        step.status = RoadmapStepStatus.OPEN
        step.position = position
    on_roadmap = set(changed)
    for step_id, step in steps.items():
        if step_id in on_roadmap or step.status != RoadmapStepStatus.OPEN:
            continue
        met = step.capability_key in outcome.met
        step.status = RoadmapStepStatus.DONE if met else RoadmapStepStatus.DROPPED
        step.done_in = assessment
        step.done_at = submitted_at
        changed.add(step_id)
    return changed


# A result normally arrives within seconds of the submission; this leaves room for a busy queue.
MISSING_RESULT_GRACE = timedelta(minutes=5)


def results_missing_enqueue(*, now: datetime | None = None) -> int:
    """Queue the computation again for submissions whose result never arrived (a lost message)."""
    from ..tasks import compute_result

    now = now or timezone.now()
    missing = Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED,
        result__isnull=True,
        submitted_at__lt=now - MISSING_RESULT_GRACE,
    ).values_list("pk", flat=True)
    for assessment_id in missing:
        transaction.on_commit(functools.partial(compute_result.delay, assessment_id))
    return len(missing)
