"""Demo data: one organisation, teams of different maturity, users with the password `demo`."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import maturity
from ..errors import ApplicationError
from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Campaign,
    Exemption,
    Organization,
    Role,
    Team,
)
from ..selectors.teams import team_leads
from ..services.campaigns import campaign_create
from ..services.exemptions import exemption_approve, exemption_request
from ..services.memberships import (
    membership_set,
    organization_get_or_create,
    team_get_or_create,
    team_tags_set,
)
from ..services.repositories import repository_connect
from ..services.results import result_compute
from .repositories import demo_repository_build

DEMO_PASSWORD = "demo"  # noqa: S105 - public by design, refused in production mode
DEMO_ORGANIZATION = ("northwind", "Northwind Retail")


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    description: str
    # How far along the team is (0 to 1) at the start and the end of its history.
    maturity_from: float
    maturity_to: float
    context: dict[str, str]


_CRITICAL = {
    "llm_applications_in_use": "no",
    "online_serving": "yes",
    "models_in_production": "several",
    "data_change_frequency": "daily",
    "retraining_frequency": "weekly",
    "business_criticality": "critical",
    "team_size": "medium",
}
_STEADY = {
    "llm_applications_in_use": "no",
    "online_serving": "no",
    "models_in_production": "one",
    "data_change_frequency": "weekly",
    "retraining_frequency": "monthly",
    "business_criticality": "non_critical",
    "team_size": "small",
}
_POC = {
    "llm_applications_in_use": "no",
    "online_serving": "no",
    "models_in_production": "none",
    "data_change_frequency": "monthly",
    "retraining_frequency": "rarely",
    "business_criticality": "proof_of_concept",
    "team_size": "one",
}

DEMO_TEAMS = (
    DemoTeam(
        "fraud-detection", "Fraud Detection", "Real-time card fraud scoring.", 0.3, 0.95, _CRITICAL
    ),
    DemoTeam(
        "recommendations",
        "Recommendations",
        "Product recommendations on web and app.",
        0.25,
        0.55,
        # A shopping assistant answers from the product catalogue: an LLM with retrieval.
        {**_CRITICAL, "models_in_production": "many", "llm_applications_in_use": "with_retrieval"},
    ),
    DemoTeam(
        "search-ranking",
        "Search Ranking",
        "Learning-to-rank for site search.",
        0.5,
        0.65,
        {**_CRITICAL, "business_criticality": "non_critical"},
    ),
    DemoTeam(
        "demand-forecasting",
        "Demand Forecasting",
        "Weekly store demand forecasts.",
        0.15,
        0.6,
        _STEADY,
    ),
    DemoTeam(
        "churn-insights",
        "Churn Insights",
        "Monthly churn propensity for CRM.",
        0.05,
        0.3,
        # Summaries of customer feedback for the CRM: an LLM without retrieval.
        {
            **_STEADY,
            "retraining_frequency": "rarely",
            "llm_applications_in_use": "without_retrieval",
        },
    ),
    DemoTeam(
        "pricing-lab", "Pricing Lab", "Proof of concept for dynamic pricing.", 0.0, 0.12, _POC
    ),
)
DEMO_MONTHS = 6
DEMO_TAGS = {
    "fraud-detection": ("unit:payments", "area:risk"),
    "recommendations": ("unit:digital", "area:personalisation"),
    "search-ranking": ("unit:digital", "area:search"),
    "demand-forecasting": ("unit:supply-chain", "area:forecasting"),
    "churn-insights": ("unit:marketing", "area:crm"),
    "pricing-lab": ("unit:commercial", "area:pricing"),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    team: str | None


def demo_load() -> list[DemoLogin]:
    """Create (or complete) the demo organisation; safe to run again, it changes nothing twice."""
    if not settings.DEMO_USERS_ALLOWED:
        raise ApplicationError(
            "Demo users have the public password 'demo' and are refused in production mode "
            "(DJANGO_DEBUG is off)."
        )
    with transaction.atomic():
        slug, name = DEMO_ORGANIZATION
        organization = organization_get_or_create(slug=slug, name=name)
        logins = [DemoLogin("demo-admin", Role.ORG_ADMIN.label, None)]
        membership_set(
            user=_demo_user("demo-admin"),
            role=Role.ORG_ADMIN,
            organization=organization,
            actor=None,
        )
        for spec in DEMO_TEAMS:
            team = team_get_or_create(
                organization=organization,
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
            )
            for suffix, role in (("lead", Role.LEAD), ("member", Role.MEMBER)):
                username = f"{spec.slug}-{suffix}"
                membership_set(
                    user=_demo_user(username),
                    role=role,
                    organization=organization,
                    team=team,
                    actor=None,
                )
                logins.append(DemoLogin(username, role.label, spec.name))
            team_tags_set(team=team, names=DEMO_TAGS.get(spec.slug, ()))
            _history_load(team=team, spec=spec, months=DEMO_MONTHS)
    for spec in DEMO_TEAMS:
        _repository_load(team=Team.objects.get(slug=spec.slug))
    _exemptions_load(organization=organization)
    _campaigns_load(organization=organization)
    return logins


# Two campaigns, so that the campaign pages, their chart and the home page's lines have
# something to show: (title, goal, scope, days since the start, days to the deadline).
# (title, goal fields, scope fields, days since the start, days left to the deadline)
DEMO_CAMPAIGNS: tuple[tuple[str, dict[str, Any], dict[str, Any], int, int], ...] = (
    (
        "Every business-critical team at level 1",
        {"goal_kind": "level", "goal_level": 1},
        {"scope_criticalities": ["critical"]},
        120,
        40,
    ),
    (
        "Data validation in every pipeline",
        {"goal_kind": "capability", "goal_capability": "data_validation"},
        {"scope_tags": ["unit:digital", "unit:payments", "unit:marketing", "unit:commercial"]},
        75,
        12,
    ),
)


def _campaigns_load(*, organization: Organization) -> None:
    """Start the demo campaigns once, as the organisation's admin."""
    if Campaign.objects.filter(organization=organization).exists():
        return
    admin = _demo_user("demo-admin")
    today = timezone.localdate()
    for title, goal, scope, since, left in DEMO_CAMPAIGNS:
        campaign_create(
            organization=organization,
            user=admin,
            title=title,
            starts_on=today - timedelta(days=since),
            deadline=today + timedelta(days=left),
            **goal,
            **scope,
        )


# One exemption in force and one request waiting for the admin, so that both readings and the
# decision queue have something to show: (team, capability, reason, approved).
DEMO_EXEMPTIONS = (
    (
        "recommendations",
        "infrastructure_as_code",
        "The platform team owns and versions the cluster our services run on; we deploy "
        "through its templates.",
        True,
    ),
    (
        "churn-insights",
        "model_rollback",
        "Churn scores are a nightly batch: a bad model is replaced by re-running the "
        "previous night's model.",
        False,
    ),
)


def _exemptions_load(*, organization: Organization) -> None:
    """Ask for the demo exemptions once, as each team's lead, and approve the first as the
    organisation's admin."""
    if Exemption.objects.filter(team__organization=organization).exists():
        return
    admin = _demo_user("demo-admin")
    for slug, capability, reason, approved in DEMO_EXEMPTIONS:
        team = Team.objects.get(slug=slug)
        exemption = exemption_request(
            team=team,
            user=_demo_user(f"{slug}-lead"),
            capability_key=capability,
            reason=reason,
            expires_on=timezone.localdate() + timedelta(days=92),
        )
        if approved:
            exemption_approve(exemption=exemption, user=admin, note="Agreed until the next review.")


def _repository_load(*, team: Team) -> None:
    """Connect the team's example repository once; connecting queues its first scan."""
    if team.repositories.exists():
        return
    path = demo_repository_build(team.slug)
    lead = get_user_model().objects.get(username=f"{team.slug}-lead")
    repository_connect(team=team, user=lead, url=str(path))


def _history_load(*, team: Team, spec: DemoTeam, months: int) -> None:
    """Monthly submitted assessments that drift from `maturity_from` to `maturity_to`.

    Teams with history already keep it, so the command can run again safely.
    """
    if Assessment.objects.filter(team=team).exists():
        return
    catalogue = maturity.load_catalogue()
    author = team_leads(team_ids=[team.pk]).values_list("user_id", flat=True).first()
    now = timezone.now()
    for month in range(months):
        progress = month / max(months - 1, 1)
        level_of_practice = spec.maturity_from + (spec.maturity_to - spec.maturity_from) * progress
        submitted_at = now - timedelta(days=30 * (months - 1 - month))
        assessment = Assessment.objects.create(
            team=team,
            catalogue_version=catalogue.version,
            status=AssessmentStatus.SUBMITTED,
            created_by_id=author,
            submitted_by_id=author,
            submitted_at=submitted_at,
        )
        Answer.objects.bulk_create(
            Answer(assessment=assessment, question_key=key, option_key=option)
            for key, option in demo_answers(catalogue, spec, level_of_practice).items()
        )
        result_compute(assessment=assessment)


class TeamSpec(Protocol):
    """What `demo_answers` reads of a team: a demo team's or a synthetic one's."""

    @property
    def slug(self) -> str: ...

    @property
    def context(self) -> Mapping[str, str]: ...


def demo_answers(catalogue: maturity.Catalogue, spec: TeamSpec, practice: float) -> dict[str, str]:
    """Answers of a team whose practice is `practice` (0 to 1), stable as it grows.

    Each question gets a fixed pseudo-random hurdle per team, so a growing `practice` only ever
    improves answers; higher-level capabilities have higher hurdles.
    """
    answers = dict(spec.context)
    for question in catalogue.graded_questions:
        if not catalogue.is_visible(question, answers):
            continue  # skipped by the context, as the questionnaire skips it
        level = max(catalogue.capability(key).level for key in question.capabilities)
        digest = hashlib.sha256(f"{spec.slug}:{question.key}".encode()).digest()
        hurdle = (digest[0] / 255) * 0.3 + level * 0.2
        if practice >= hurdle:
            answers[question.key] = "yes"
        elif practice >= hurdle - 0.25:
            answers[question.key] = "partly"
        else:
            answers[question.key] = "no"
    return answers


def _demo_user(username: str) -> User:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
