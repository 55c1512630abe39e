"""Demo data: the demo organisation, its teams' example repositories, synthetic organisations.

Not a service: nothing here runs on a user's request. `load_demo`, the benchmarks and the tests
build data with it through the same services the app uses.
"""

from .organisation import DEMO_PASSWORD, DEMO_TEAMS, demo_answers, demo_load
from .repositories import demo_repository_build
from .synthetic import synthetic_organization_load, synthetic_teams_add
from .synthetic_history import SyntheticTeam, synthetic_history_add

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TEAMS",
    "SyntheticTeam",
    "demo_answers",
    "demo_load",
    "demo_repository_build",
    "synthetic_history_add",
    "synthetic_organization_load",
    "synthetic_teams_add",
]
