"""Small example repositories for the demo teams, built with git on the local disk.

Each one looks like a team's repository at a different maturity: notebooks only, training
scripts, an orchestrated pipeline, and the same with CI/CD. The demo connects and scans them, so
a newcomer sees evidence, flags and scan history on the first run.
"""

import os
import subprocess
import textwrap
from pathlib import Path

from django.conf import settings


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _notebook(code: str) -> str:
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    cell["source"] = code.splitlines(keepends=True)
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


NOTEBOOKS = {
    "README.md": "# Dynamic pricing experiments\n",
    "explore.ipynb": _notebook(
        "import pandas as pd\nfrom sklearn.linear_model import Ridge\n"
        "df = pd.read_csv('prices.csv')\nmodel = Ridge().fit(df[['x']], df['y'])\n"
    ),
    "model.pkl": b"\x80\x04" + b"\0" * 64 * 1024,
}

SCRIPTS = {
    "README.md": "# Churn propensity\n\nRun `python train.py` every month.\n",
    "requirements.txt": "pandas\nscikit-learn\n",
    "train.py": _src(
        """
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier

        df = pd.read_csv("customers.csv")
        model = RandomForestClassifier().fit(df.drop(columns="churned"), df["churned"])
        """
    ),
}

ORCHESTRATED = {
    "README.md": "# Training pipeline\n",
    "pyproject.toml": '[project]\nname = "forecast"\nversion = "1.0"\n',
    "requirements.txt": _src(
        """
        apache-airflow==2.8.1
        mlflow==2.10.0
        scikit-learn==1.4.0
        great-expectations==0.18.8
        pandas==2.2.0
        """
    ),
    "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n",
    "configs/train.yaml": "model:\n  max_depth: 6\nthreshold:\n  min_auc: 0.8\n",
    "dags/training.py": _src(
        """
        from datetime import datetime

        from airflow import DAG
        from airflow.operators.python import PythonOperator

        from forecast import evaluate, prepare, register, train, validate

        with DAG("training", schedule_interval="@weekly", start_date=datetime(2024, 1, 1)):
            extract = PythonOperator(task_id="extract", python_callable=prepare.extract)
            check = PythonOperator(task_id="validate", python_callable=validate.run)
            fit = PythonOperator(task_id="train", python_callable=train.run)
            gate = PythonOperator(task_id="evaluate", python_callable=evaluate.run)
            push = PythonOperator(task_id="register", python_callable=register.run)
            extract >> check >> fit >> gate >> push
        """
    ),
    "src/forecast/__init__.py": "",
    "src/forecast/prepare.py": _src(
        """
        import pandas as pd


        def extract():
            return pd.read_parquet("s3://bucket/sales")
        """
    ),
    "src/forecast/validate.py": _src(
        """
        import great_expectations as gx


        def run():
            validator = gx.get_context().sources.pandas_default.read_parquet("sales.parquet")
            validator.expect_column_values_to_not_be_null("store_id")
            if not validator.validate().success:
                raise ValueError("Data validation failed")
        """
    ),
    "src/forecast/train.py": _src(
        """
        import mlflow
        import numpy as np
        import yaml
        from sklearn.ensemble import GradientBoostingRegressor

        np.random.seed(7)


        def run():
            config = yaml.safe_load(open("configs/train.yaml"))
            with mlflow.start_run():
                model = GradientBoostingRegressor(max_depth=config["model"]["max_depth"])
                mlflow.log_params(config["model"])
                mlflow.sklearn.log_model(model, "model")
        """
    ),
    "src/forecast/evaluate.py": _src(
        """
        import mlflow


        def run(champion_run_id, new_score):
            champion = mlflow.get_run(champion_run_id).data.metrics["mape"]
            if new_score > champion:
                raise ValueError("The challenger is not better than the champion")
        """
    ),
    "src/forecast/register.py": _src(
        """
        import mlflow


        def run(run_id):
            mlflow.register_model(f"runs:/{run_id}/model", "forecast")
        """
    ),
}

# The teams at level 1 and 2 answer that their data is versioned, features come from a store,
# and the model has an owner, a card and automated dependency updates: their repositories
# show it.
GOVERNED = {
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://models/dvc\n",
    "features/feature_store.yaml": _src(
        """
        project: fraud_features
        registry: data/registry.db
        provider: local
        """
    ),
    ".github/CODEOWNERS": "* @ml-platform/model-owners\n",
    "MODEL_CARD.md": "# Model card\n\nOwner, intended use, training data, metrics and limits.\n",
    ".github/dependabot.yml": _src(
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

CICD = {
    **ORCHESTRATED,
    **GOVERNED,
    "tests/test_train.py": _src(
        """
        import numpy as np

        from forecast import train


        def test_training_loss_is_finite():
            model = train.fit_small_sample()
            assert not np.isnan(model.train_score_).any()
        """
    ),
    ".github/workflows/ci.yml": _src(
        """
        name: CI
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: pip install -r requirements.txt
              - run: pytest -q
          deploy-pipeline:
            needs: test
            if: github.ref == 'refs/heads/main'
            runs-on: ubuntu-latest
            environment: production
            steps:
              - run: gsutil -m rsync -r dags gs://composer-bucket/dags
        """
    ),
    ".github/workflows/deploy-model.yml": _src(
        """
        name: Deploy model
        on:
          repository_dispatch:
            types: [model-version-registered]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: python scripts/deploy_model.py --model forecast --alias champion
        """
    ),
    "scripts/deploy_model.py": _src(
        """
        from mlflow.deployments import get_deploy_client

        get_deploy_client("sagemaker").create_deployment("forecast", "models:/forecast@champion")
        """
    ),
}

DEMO_REPOSITORY_FILES = {
    "pricing-lab": NOTEBOOKS,
    "churn-insights": SCRIPTS,
    "demand-forecasting": {**ORCHESTRATED, **GOVERNED},
    "search-ranking": CICD,
    "recommendations": CICD,
    "fraud-detection": CICD,
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
