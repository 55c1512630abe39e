"""Fixtures of the fault tests: a git that holds a clone mid-way, and a repository to scan."""

import pytest

from assessments.models import Repository

from ..scanning.archetypes import ORCHESTRATED
from ..scanning.gitrepo import make_repo
from . import HoldingGit


@pytest.fixture
def git(tmp_path):
    return HoldingGit(tmp_path / "git")


@pytest.fixture
def slow_repository(team, tmp_path):
    """A pipeline repository whose clone the held git keeps running until released."""
    return Repository.objects.create(
        team=team, url=str(make_repo(tmp_path / "slow-pipeline", ORCHESTRATED))
    )
