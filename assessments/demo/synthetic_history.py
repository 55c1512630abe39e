"""The months of history of synthetic teams: submitted assessments with their answers, results,
capability rows and roadmap steps, as `result_compute` would have stored them one by one.

Results come from the same engine calls as `result_compute` (score, target level, roadmap),
made in Python once per distinct set of answers (a team's answers often stay the same from one
month to the next), and are written as plain rows (`bulk.rows_insert`: COPY on PostgreSQL).
Roadmap steps are replayed in memory with the same open / done / dropped rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import maturity
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Result,
    ResultCapability,
    RoadmapStep,
    Team,
)
from ..services.organization_months import organization_months_rebuild
from ..services.results import (
    outcome_summary_fields,
    result_capability_values,
    result_lens_fields,
    roadmap_steps_advance,
    teams_latest_result_refresh,
)
from .bulk import Row, fast_compression_use, ids_reserve, rows_insert
from .organisation import demo_answers

DAYS_PER_ASSESSMENT = 30

ASSESSMENT_FIELDS = ("id", "team_id", "catalogue_version", "status", "submitted_at", "created_at")
ANSWER_FIELDS = ("assessment_id", "question_key", "option_key")
# A result's own columns; the others follow from its answers alone (`_Scored.result_values`).
RESULT_OWN_FIELDS = ("id", "assessment_id", "team_id", "submitted_at", "computed_at")
CAPABILITY_FIELDS = (
    "capability_key",
    "dimension_key",
    "required_level",
    "grade",
    "source",
    "met",
)
STEP_FIELDS = (
    "team_id",
    "step_id",
    "capability_key",
    "position",
    "status",
    "first_seen",
    "opened_in_id",
    "done_in_id",
    "done_at",
)


@dataclass(frozen=True)
class SyntheticTeam:
    """What `demo_answers` needs (slug and context answers), plus the team's trajectory."""

    slug: str
    name: str
    tags: tuple[str, ...]
    context: dict[str, str]
    maturity_from: float
    maturity_to: float


@dataclass(frozen=True)
class _Scored:
    """What the engine makes of one set of answers, and the result columns that follow from it."""

    outcome: maturity.MaturityResult
    roadmap: Sequence[maturity.RoadmapStep]
    result_values: dict[str, Any]
    capability_values: tuple[Row, ...]


class _Scorer:
    """Score each distinct set of answers once (evidence plays no part for synthetic teams)."""

    def __init__(self, catalogue: maturity.Catalogue):
        self.catalogue = catalogue
        self.known: dict[tuple[tuple[str, str], ...], _Scored] = {}

    def __call__(self, answers: dict[str, str]) -> _Scored:
        key = tuple(sorted(answers.items()))
        scored = self.known.get(key)
        if scored is None:
            scored = self.known[key] = self._score(answers)
        return scored

    def _score(self, answers: dict[str, str]) -> _Scored:
        catalogue = self.catalogue
        outcome = maturity.score(catalogue, answers, None)
        target = maturity.recommend_target(catalogue, answers, current_level=outcome.level)
        roadmap = maturity.build_roadmap(catalogue, outcome, target.level)
        result_values = {
            "catalogue_version": catalogue.version,
            "overall_level": outcome.level,
            "index": outcome.index,
            "target_level": target.level,
            "weakest_dimension": outcome.weakest_dimension,
            "ml_test_score": outcome.ml_test_score.score,
            "snapshot": {
                "result": outcome.to_dict(),
                "target": target.to_dict(),
                "roadmap": [step.to_dict() for step in roadmap],
            },
            **outcome_summary_fields(outcome, target),
            **result_lens_fields(catalogue, outcome),
        }
        capability_values = tuple(
            tuple(values[name] for name in CAPABILITY_FIELDS)
            for values in result_capability_values(outcome)
        )
        return _Scored(outcome, roadmap, result_values, capability_values)


def synthetic_history_add(
    *,
    teams: list[tuple[Team, SyntheticTeam]],
    months: int,
    now: datetime | None = None,
    with_answers: bool = True,
    recount_months: bool = True,
) -> int:
    """Monthly submitted assessments with answers, results, capability rows and roadmap steps.

    Returns the number of assessments created. The teams must have no assessments yet.
    `with_answers=False` leaves the answers out (half the rows) for tests that only read
    results; the results are the same. `recount_months=False` leaves the organisations' months
    to the caller, who writes more history first and recounts once
    (`organization_months_rebuild`).
    """
    catalogue = maturity.load_catalogue()
    now = now or timezone.now()
    with transaction.atomic():
        fast_compression_use()
        histories = [
            (team, list(_monthly_answers(catalogue, spec, months, now))) for team, spec in teams
        ]
        assessment_ids = iter(ids_reserve(Assessment, sum(len(h) for _, h in histories)))
        assessments = [
            [
                (
                    Assessment(
                        pk=next(assessment_ids),
                        team=team,
                        catalogue_version=catalogue.version,
                        status=AssessmentStatus.SUBMITTED,
                        submitted_at=submitted_at,
                        # A history reads better when creation matches the submission.
                        created_at=submitted_at,
                    ),
                    answers,
                )
                for submitted_at, answers in history
            ]
            for team, history in histories
        ]
        flat = [pair for team_history in assessments for pair in team_history]
        rows_insert(
            Assessment,
            ASSESSMENT_FIELDS,
            (tuple(getattr(a, name) for name in ASSESSMENT_FIELDS) for a, _ in flat),
        )
        if with_answers:
            rows_insert(
                Answer,
                ANSWER_FIELDS,
                (
                    (assessment.pk, key, option)
                    for assessment, answers in flat
                    for key, option in answers.items()
                ),
            )
        _results_and_steps_add(catalogue, assessments)
        teams_latest_result_refresh(team_ids=[team.pk for team, _ in teams])
        if recount_months:
            organization_months_rebuild(
                organization_ids={team.organization_id for team, _ in teams}
            )
    return len(flat)


def _results_and_steps_add(
    catalogue: maturity.Catalogue,
    assessments: list[list[tuple[Assessment, dict[str, str]]]],
) -> None:
    """Each assessment's result and capability rows, and each team's roadmap steps replayed."""
    score = _Scorer(catalogue)
    result_ids = iter(ids_reserve(Result, sum(len(history) for history in assessments)))
    results: list[tuple[int, Assessment, _Scored]] = []
    steps: list[RoadmapStep] = []
    for history in assessments:
        by_step_id: dict[str, RoadmapStep] = {}
        for assessment, answers in history:
            scored = score(answers)
            results.append((next(result_ids), assessment, scored))
            roadmap_steps_advance(
                by_step_id, assessment=assessment, roadmap=scored.roadmap, outcome=scored.outcome
            )
        steps.extend(by_step_id.values())
    if not results:
        return
    outcome_fields = tuple(results[0][2].result_values)
    rows_insert(
        Result,
        (*RESULT_OWN_FIELDS, *outcome_fields),
        (
            (
                result_id,
                assessment.pk,
                assessment.team_id,
                assessment.submitted_at,
                assessment.submitted_at,  # computed as it was submitted
                *scored.result_values.values(),
            )
            for result_id, assessment, scored in results
        ),
    )
    rows_insert(
        ResultCapability,
        ("result_id", *CAPABILITY_FIELDS),
        (
            (result_id, *values)
            for result_id, _, scored in results
            for values in scored.capability_values
        ),
    )
    rows_insert(
        RoadmapStep,
        STEP_FIELDS,
        (tuple(getattr(step, name) for name in STEP_FIELDS) for step in steps),
    )


def _monthly_answers(
    catalogue: maturity.Catalogue, spec: SyntheticTeam, months: int, now: datetime
) -> Iterator[tuple[datetime, dict[str, str]]]:
    """(submitted_at, answers) per month: practice drifts from `maturity_from` to `maturity_to`
    with a little noise, so some gaps close and reopen as they do in real teams."""
    rng = random.Random(f"history:{spec.slug}")  # noqa: S311 - synthetic data, not security
    offset_days = rng.randint(0, 6)
    for month in range(months):
        progress = month / max(months - 1, 1)
        practice = spec.maturity_from + (spec.maturity_to - spec.maturity_from) * progress
        practice = min(1.0, max(0.0, practice + rng.gauss(0, 0.03)))
        days_ago = DAYS_PER_ASSESSMENT * (months - 1 - month) + offset_days
        yield now - timedelta(days=days_ago), demo_answers(catalogue, spec, practice)
