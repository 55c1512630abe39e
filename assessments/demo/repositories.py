"""Small example repositories for the demo teams, built with git on the local disk.

Each one looks like a team's repository at a different maturity: notebooks only, training
scripts, an orchestrated pipeline, and the same with CI/CD. The demo connects and scans them, so
a newcomer sees evidence, flags and scan history on the first run. They are the scanner tests'
archetypes, so the levels the demo shows are the levels those tests hold the scanner to.
"""

import os
import subprocess
from pathlib import Path

from django.conf import settings

from .archetypes import LEVEL_TWO, NOTEBOOK_ONLY, ORCHESTRATED, TRAINING_SCRIPTS, src

# The teams at level 1 and 2 answer that their data is versioned, features come from a store,
# and the model has an owner, a card and automated dependency updates: their repositories
# show it.
GOVERNED = {
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://models/dvc\n",
    "features/feature_store.yaml": src(
        """
        project: fraud_features
        registry: data/registry.db
        provider: local
        """
    ),
    ".github/CODEOWNERS": "* @ml-platform/model-owners\n",
    "MODEL_CARD.md": "# Model card\n\nOwner, intended use, training data, metrics and limits.\n",
    ".github/dependabot.yml": src(
        """
        version: 2
        updates:
          - package-ecosystem: pip
            directory: /
            schedule:
              interval: weekly
        """
    ),
}

# The notebook team committed the model its notebook pickles, so the demo shows that flag.
COMMITTED_MODEL = {"model.pkl": b"\x80\x04" + b"\0" * 64 * 1024}

# The scripts team answers that its environment and training are reproducible; unpinned
# requirements let the demo show the scan contradicting those answers.
UNPINNED_REQUIREMENTS = {"requirements.txt": "pandas\nscikit-learn\nxgboost\n"}


def _for_project(files: dict[str, str | bytes], project: str) -> dict[str, str | bytes]:
    """The archetype's files with its example project ("churn") renamed to the team's own, in
    paths and text alike, so a forecasting team's evidence reads `src/forecast/...`."""

    def renamed(text: str) -> str:
        return text.replace("churn", project).replace("Churn", project.capitalize())

    return {
        renamed(path): renamed(content) if isinstance(content, str) else content
        for path, content in files.items()
    }


DEMO_REPOSITORY_FILES: dict[str, dict[str, str | bytes]] = {
    "pricing-lab": _for_project({**NOTEBOOK_ONLY, **COMMITTED_MODEL}, "pricing"),
    "churn-insights": {**TRAINING_SCRIPTS, **UNPINNED_REQUIREMENTS},
    "demand-forecasting": _for_project({**ORCHESTRATED, **GOVERNED}, "forecast"),
    "search-ranking": _for_project({**LEVEL_TWO, **GOVERNED}, "ranking"),
    "recommendations": _for_project({**LEVEL_TWO, **GOVERNED}, "recommend"),
    "fraud-detection": _for_project({**LEVEL_TWO, **GOVERNED}, "fraud"),
}


def demo_repository_build(slug: str) -> Path:
    """Create (once) the team's example repository and return its path."""
    root = Path(settings.DEMO_REPOSITORIES_DIR) / slug
    if (root / ".git").is_dir():
        return root
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in DEMO_REPOSITORY_FILES[slug].items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Demo",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Demo",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Demo"]):
        subprocess.run(  # noqa: S603 - fixed arguments, no user input
            ["git", *args],  # noqa: S607 - git from PATH, as the scanner uses it
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    return root
