"""Synthetic organisations of any size, for dashboards at scale and their benchmark.

`load_demo --teams N --months M` adds an organisation of N teams, each with M monthly submitted
assessments. Results come from the same engine calls as `result_compute` (score, target level,
roadmap), made in Python and stored with bulk inserts, batch by batch of teams: computing each
result through `result_compute` would cost a dozen queries per assessment, hours at 500 x 24 on
PostgreSQL instead of minutes. Roadmap steps are replayed in memory with the same open / done /
dropped rules, so every table the app reads looks as if the teams had used it for months.

The only user is the organisation's admin (one password hash, computed once); synthetic teams
have no members. Everything is seeded by the organisation's slug, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import maturity
from ..errors import ApplicationError
from ..maturity.catalogue import REQUIRED_CONTEXT_OPTIONS
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Membership,
    Organization,
    Result,
    ResultCapability,
    RoadmapStep,
    Role,
    Team,
    TeamTag,
)
from ..services.organization_months import organization_months_rebuild
from ..services.results import (
    result_capability_rows,
    result_lens_fields,
    result_summary_fields,
    roadmap_steps_advance,
    teams_latest_result_refresh,
)
from .organisation import DEMO_PASSWORD, demo_answers

MAX_TEAMS = 20_000
MAX_MONTHS = 120
BATCH_TEAMS = 25
INSERT_BATCH = 2_000
DAYS_PER_ASSESSMENT = 30

UNITS = (
    "payments",
    "digital",
    "supply-chain",
    "marketing",
    "commercial",
    "risk",
    "logistics",
    "customer-care",
)
AREAS = (
    ("fraud", "Fraud Scoring"),
    ("recommendations", "Recommendations"),
    ("search", "Search Ranking"),
    ("forecasting", "Demand Forecasting"),
    ("churn", "Churn Prediction"),
    ("pricing", "Dynamic Pricing"),
    ("personalisation", "Personalisation"),
    ("advertising", "Ad Targeting"),
    ("vision", "Visual Inspection"),
    ("language", "Document Understanding"),
    ("anomalies", "Anomaly Detection"),
    ("credit", "Credit Risk"),
)
# How often each business criticality is drawn: most models are in production, few critical.
CRITICALITY_WEIGHTS = {"proof_of_concept": 2, "non_critical": 5, "critical": 3}


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
class SyntheticSummary:
    organization: Organization
    admin_username: str
    teams: int
    assessments: int
    created: bool


def synthetic_organization_slug(teams: int, months: int) -> str:
    return f"synthetic-{teams}x{months}"


def synthetic_organization_load(*, teams: int, months: int) -> SyntheticSummary:
    """Create (or complete) the organisation of `teams` teams with `months` months of history.

    Safe to run again: teams already there keep their history; missing ones are added, so an
    interrupted run resumes where it stopped.
    """
    _check_size(teams=teams, months=months)
    if not settings.DEMO_USERS_ALLOWED:
        raise ApplicationError(
            "Synthetic organisations have an admin with the public password 'demo' and are "
            "refused in production mode (DJANGO_DEBUG is off)."
        )
    slug = synthetic_organization_slug(teams, months)
    organization, created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": f"Synthetic organisation ({teams} teams, {months} months)"}
    )
    admin_username = f"{slug}-admin"
    admin, _ = get_user_model().objects.get_or_create(
        username=admin_username, defaults={"password": make_password(DEMO_PASSWORD)}
    )
    Membership.objects.get_or_create(
        user=admin, organization=organization, role=Role.ORG_ADMIN, team=None
    )
    existing = set(Team.objects.filter(organization=organization).values_list("slug", flat=True))
    missing = [n for n in range(1, teams + 1) if _team_slug(slug, n) not in existing]
    for start in range(0, len(missing), BATCH_TEAMS):
        synthetic_teams_add(
            organization=organization, numbers=missing[start : start + BATCH_TEAMS], months=months
        )
    return SyntheticSummary(
        organization=organization,
        admin_username=admin_username,
        teams=teams,
        assessments=Assessment.objects.filter(team__organization=organization).count(),
        created=bool(missing),
    )


def synthetic_teams_add(
    *,
    organization: Organization,
    numbers: Iterable[int],
    months: int,
    now: datetime | None = None,
    with_answers: bool = True,
) -> list[Team]:
    """Add the teams numbered `numbers` to the organisation, each with `months` of history."""
    specs = [synthetic_team_spec(organization.slug, n) for n in numbers]
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            Team(organization=organization, slug=s.slug, name=s.name, description="Synthetic team.")
            for s in specs
        )
        TeamTag.objects.bulk_create(
            (
                TeamTag(team=team, name=tag)
                for team, s in zip(teams, specs, strict=True)
                for tag in s.tags
            ),
            batch_size=INSERT_BATCH,
        )
        synthetic_history_add(
            teams=list(zip(teams, specs, strict=True)),
            months=months,
            now=now,
            with_answers=with_answers,
        )
    return teams


def synthetic_history_add(
    *,
    teams: list[tuple[Team, SyntheticTeam]],
    months: int,
    now: datetime | None = None,
    with_answers: bool = True,
) -> int:
    """Monthly submitted assessments with answers, results, capability rows and roadmap steps.

    Returns the number of assessments created. The teams must have no assessments yet.
    `with_answers=False` leaves the answers out (half the rows) for tests that only read
    results; the results are the same.
    """
    catalogue = maturity.load_catalogue()
    now = now or timezone.now()
    plans = []  # (team, spec, [(submitted_at, answers), ...])
    assessments: list[Assessment] = []
    for team, spec in teams:
        history = list(_monthly_answers(catalogue, spec, months, now))
        plans.append((team, history))
        assessments.extend(
            Assessment(
                team=team,
                catalogue_version=catalogue.version,
                status=AssessmentStatus.SUBMITTED,
                submitted_at=submitted_at,
            )
            for submitted_at, _ in history
        )
    Assessment.objects.bulk_create(assessments, batch_size=INSERT_BATCH)
    # created_at is set on insert; a history reads better when it matches the submission.
    Assessment.objects.filter(pk__in=[a.pk for a in assessments]).update(
        created_at=F("submitted_at")
    )

    answers: list[Answer] = []
    results: list[Result] = []
    capability_rows: list[ResultCapability] = []
    steps: list[RoadmapStep] = []
    by_assessment = iter(assessments)
    for team, history in plans:
        replay = _RoadmapReplay(team)
        for submitted_at, answer_set in history:
            assessment = next(by_assessment)
            if with_answers:
                answers.extend(
                    Answer(assessment=assessment, question_key=key, option_key=option)
                    for key, option in answer_set.items()
                )
            outcome = maturity.score(catalogue, answer_set, None)
            target = maturity.recommend_target(catalogue, answer_set, current_level=outcome.level)
            roadmap = maturity.build_roadmap(catalogue, outcome, target.level)
            result = Result(
                assessment=assessment,
                catalogue_version=catalogue.version,
                overall_level=outcome.level,
                index=outcome.index,
                target_level=target.level,
                weakest_dimension=outcome.weakest_dimension,
                ml_test_score=outcome.ml_test_score.score,
                snapshot={
                    "result": outcome.to_dict(),
                    "target": target.to_dict(),
                    "roadmap": [step.to_dict() for step in roadmap],
                },
                computed_at=submitted_at,
                **result_summary_fields(assessment, outcome, target),
                **result_lens_fields(catalogue, outcome),
            )
            results.append(result)
            capability_rows.extend(result_capability_rows(result, outcome))
            replay.apply(assessment=assessment, roadmap=roadmap, outcome=outcome)
        steps.extend(replay.steps())
    Answer.objects.bulk_create(answers, batch_size=INSERT_BATCH)
    Result.objects.bulk_create(results, batch_size=200)
    ResultCapability.objects.bulk_create(capability_rows, batch_size=INSERT_BATCH)
    RoadmapStep.objects.bulk_create(steps, batch_size=INSERT_BATCH)
    teams_latest_result_refresh(team_ids=[team.pk for team, _ in teams])
    organization_months_rebuild(organization_ids={team.organization_id for team, _ in teams})
    return len(assessments)


class _RoadmapReplay:
    """The rules of `results._roadmap_sync`, applied in memory over a team's whole history."""

    def __init__(self, team: Team):
        self.team = team
        self.by_id: dict[str, RoadmapStep] = {}

    def apply(
        self,
        *,
        assessment: Assessment,
        roadmap: Sequence[maturity.RoadmapStep],
        outcome: maturity.MaturityResult,
    ) -> None:
        roadmap_steps_advance(self.by_id, assessment=assessment, roadmap=roadmap, outcome=outcome)

    def steps(self) -> list[RoadmapStep]:
        return list(self.by_id.values())


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


def _team_slug(organization_slug: str, number: int) -> str:
    return f"{organization_slug}-{number:05d}"


def synthetic_team_spec(organization_slug: str, number: int) -> SyntheticTeam:
    """The profile of team `number`: name, tags, context and trajectory (deterministic)."""
    rng = random.Random(f"team:{organization_slug}:{number}")  # noqa: S311 - synthetic data
    area, title = AREAS[(number - 1) % len(AREAS)]
    unit = rng.choice(UNITS)
    context = {key: rng.choice(options) for key, options in REQUIRED_CONTEXT_OPTIONS.items()}
    context["business_criticality"] = rng.choices(
        list(CRITICALITY_WEIGHTS), weights=list(CRITICALITY_WEIGHTS.values())
    )[0]
    start = rng.uniform(0.0, 0.45)
    return SyntheticTeam(
        slug=_team_slug(organization_slug, number),
        name=f"{title} {number}",
        tags=(f"unit:{unit}", f"area:{area}"),
        context=context,
        maturity_from=start,
        maturity_to=min(1.0, start + rng.uniform(-0.05, 0.4)),
    )


def _check_size(*, teams: int, months: int) -> None:
    if not 1 <= teams <= MAX_TEAMS:
        raise ApplicationError(f"The number of teams must be between 1 and {MAX_TEAMS}.")
    if not 1 <= months <= MAX_MONTHS:
        raise ApplicationError(f"The number of months must be between 1 and {MAX_MONTHS}.")
