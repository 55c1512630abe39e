"""Dashboard fixtures: teams with months of history, inserted in bulk by the synthetic generator.

The fixture teams of tests/conftest.py (`team` and the other team of `other_team_member`) get
their history through the same code as `load_demo --teams`, so tests stay fast at 200 teams.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from assessments.demo import (
    SyntheticTeam,
    synthetic_history_add,
    synthetic_teams_add,
)
from assessments.models import Team

# A team that is critical (target level 1 or 2) and busy: its gaps are debt with interest.
CRITICAL = {
    "online_serving": "yes",
    "models_in_production": "several",
    "data_change_frequency": "daily",
    "retraining_frequency": "weekly",
    "business_criticality": "critical",
    "team_size": "medium",
}
# Histories end a day ago, so "today" is after every assessment whenever the tests run.
NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached dashboard: ids and dates repeat from test to test."""
    cache.clear()
    yield
    cache.clear()


def give_history(team: Team, *, months=3, start=0.2, end=0.6, context=None, now=NOW):
    """Monthly submitted assessments for an existing team, practice growing start -> end."""
    spec = SyntheticTeam(
        slug=team.slug,
        name=team.name,
        tags=(),
        context=context or CRITICAL,
        maturity_from=start,
        maturity_to=end,
    )
    synthetic_history_add(teams=[(team, spec)], months=months, now=now, with_answers=False)
    return team


def add_teams(organization, count, *, first=1, months=2, now=NOW):
    """`count` synthetic teams (with tags unit:... and area:...) in the organisation."""
    return synthetic_teams_add(
        organization=organization,
        numbers=range(first, first + count),
        months=months,
        now=now,
        with_answers=False,
    )


@pytest.fixture
def team_with_history(team):
    return give_history(team)


@pytest.fixture
def other_team(other_team_member):
    other = Team.objects.get(slug="search")
    return give_history(other, start=0.0, end=0.3)
