"""Synthetic organisations of any size, for dashboards at scale and their benchmark.

`load_demo --teams N --months M` adds an organisation of N teams, each with M monthly submitted
assessments, written batch by batch of teams (`synthetic_history`): computing each result
through `result_compute` would cost a dozen queries per assessment, hours at 500 x 24 on
PostgreSQL instead of minutes. Every table the app reads looks as if the teams had used it for
months. The organisation's months (`OrganizationMonth`) are recounted once, at the end: each
recount reads every result of the organisation so far.

The only user is the organisation's admin (one password hash, computed once); synthetic teams
have no members. Everything is seeded by the organisation's slug, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from ..errors import ApplicationError
from ..maturity.catalogue import REQUIRED_CONTEXT_OPTIONS
from ..models import Assessment, Membership, Organization, Role, Team, TeamTag
from ..services.organization_months import organization_months_rebuild
from .bulk import INSERT_BATCH
from .organisation import DEMO_PASSWORD
from .synthetic_history import SyntheticTeam, synthetic_history_add

MAX_TEAMS = 20_000
MAX_MONTHS = 120
# Teams written per transaction: an interrupted run keeps the batches it finished.
BATCH_TEAMS = 100

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
    added = synthetic_teams_complete(organization=organization, teams=teams, months=months)
    return SyntheticSummary(
        organization=organization,
        admin_username=admin_username,
        teams=teams,
        assessments=Assessment.objects.filter(team__organization=organization).count(),
        created=bool(added),
    )


def synthetic_teams_complete(*, organization: Organization, teams: int, months: int) -> int:
    """Add the teams numbered 1 to `teams` that the organisation lacks, batch by batch, then
    recount its months. Returns the number of teams added."""
    existing = set(Team.objects.filter(organization=organization).values_list("slug", flat=True))
    missing = [n for n in range(1, teams + 1) if _team_slug(organization.slug, n) not in existing]
    for start in range(0, len(missing), BATCH_TEAMS):
        synthetic_teams_add(
            organization=organization,
            numbers=missing[start : start + BATCH_TEAMS],
            months=months,
            recount_months=False,
        )
    # Also after a run that stopped between two batches, without recounting.
    organization_months_rebuild(organization_ids=[organization.pk])
    return len(missing)


def synthetic_teams_add(
    *,
    organization: Organization,
    numbers: Iterable[int],
    months: int,
    now: datetime | None = None,
    with_answers: bool = True,
    recount_months: bool = True,
) -> list[Team]:
    """Add the teams numbered `numbers` to the organisation, each with `months` of history
    (`recount_months` as in `synthetic_history_add`)."""
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
            recount_months=recount_months,
        )
    return teams


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
