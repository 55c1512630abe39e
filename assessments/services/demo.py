"""Demo data: one organisation, teams of different maturity, users with the password `demo`."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ..errors import ApplicationError
from ..models import Role
from .tenancy import membership_set, organization_get_or_create, team_get_or_create

DEMO_PASSWORD = "demo"  # noqa: S105 - public by design, refused in production mode
DEMO_ORGANIZATION = ("northwind", "Northwind Retail")


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    description: str


DEMO_TEAMS = (
    DemoTeam("fraud-detection", "Fraud Detection", "Real-time card fraud scoring; critical."),
    DemoTeam("recommendations", "Recommendations", "Product recommendations on web and app."),
    DemoTeam("demand-forecasting", "Demand Forecasting", "Weekly store demand forecasts."),
    DemoTeam("search-ranking", "Search Ranking", "Learning-to-rank for site search."),
    DemoTeam("churn-insights", "Churn Insights", "Monthly churn propensity for CRM."),
    DemoTeam("pricing-lab", "Pricing Lab", "Proof of concept for dynamic pricing."),
)


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
            user=_demo_user("demo-admin"), role=Role.ORG_ADMIN, organization=organization
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
                    user=_demo_user(username), role=role, organization=organization, team=team
                )
                logins.append(DemoLogin(username, role.label, spec.name))
    return logins


def _demo_user(username: str):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
