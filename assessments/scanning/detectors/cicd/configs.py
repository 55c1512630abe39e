"""CI configurations as the CI/CD detectors read them: display names, delivery, test runs."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..ciconfig import CIConfig, ci_configs

CI_NAMES = {
    "github": "GitHub Actions",
    "gitlab": "GitLab CI",
    "jenkins": "Jenkins",
    "azure": "Azure Pipelines",
    "circleci": "CircleCI",
    "cloudbuild": "Cloud Build",
    "buildspec": "AWS CodeBuild",
    "bitbucket": "Bitbucket Pipelines",
    "drone": "Drone",
    "travis": "Travis CI",
    "buildkite": "Buildkite",
    "woodpecker": "Woodpecker",
    "appveyor": "AppVeyor",
    "tekton": "Tekton",
    "codefresh": "Codefresh",
    "semaphore": "Semaphore",
    "generic": "A CI configuration",
}
TEST_RUN = re.compile(
    r"\b(pytest|py\.test|tox|nox)\b|\bunittest\b|\bmake\s+(test|check)\b|\bcoverage run\b|"
    r"\bhatch (run )?test|\bpoe test\b|\bdagster.*test|\bgo test\b"
)


def delivering_configs(snapshot: RepositorySnapshot) -> list[CIConfig]:
    """CI definitions that do something: a workflow whose steps only print messages delivers
    nothing, however its jobs and environments are named."""
    return [c for c in ci_configs(snapshot) if not c.only_prints]


def ci_name(config: CIConfig) -> str:
    name = CI_NAMES.get(config.system, "A CI configuration")
    return f"{name} (found by its content)" if config.by_content else name


def tests_run_by_ci(snapshot: RepositorySnapshot) -> list[tuple[CIConfig, int]]:
    def compute() -> list[tuple[CIConfig, int]]:
        return [(c, hits[0][0]) for c in ci_configs(snapshot) if (hits := c.search(TEST_RUN))]

    return snapshot.memo("tests_run_by_ci", compute)
