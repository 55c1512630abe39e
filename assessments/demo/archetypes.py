"""File sets of typical ML repositories, from a notebook folder to a level-2 setup.

Each archetype is small but written the way such repositories are (real imports, real CI
syntax), so the detectors meet realistic evidence rather than keywords planted for them. The
demo teams' example repositories are built from these file sets and the scanner's tests scan
them too, so what a newcomer sees in the demo is what the tests hold the scanner to.
"""

from __future__ import annotations

import json
from textwrap import dedent


def src(text: str) -> str:
    """Source text written indented inside this module, without the indentation."""
    return dedent(text).lstrip("\n")


def notebook(*cells: str, markdown: tuple[str, ...] = ()) -> str:
    """A minimal nbformat-4 notebook with code cells (and optional markdown cells)."""
    body: list[dict[str, object]] = [
        {"cell_type": "markdown", "metadata": {}, "source": [text]} for text in markdown
    ]
    body += [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [line + "\n" for line in cell.splitlines()],
        }
        for cell in cells
    ]
    return json.dumps({"cells": body, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


NOTEBOOK_ONLY = {
    "README.md": "# Churn\n\nWe track experiments with MLflow and deploy with KServe.\n",
    "requirements.txt": "pandas\nscikit-learn\nmatplotlib\n",
    "notebooks/01_explore.ipynb": notebook(
        "import pandas as pd\ndf = pd.read_csv('data/churn.csv')\ndf.describe()"
    ),
    "notebooks/02_model.ipynb": notebook(
        "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.metrics import roc_auc_score",
        "model = RandomForestClassifier().fit(X, y)\nprint(roc_auc_score(y, model.predict(X)))",
        "import pickle\npickle.dump(model, open('model.pkl', 'wb'))",
        markdown=("We should use mlflow.register_model one day",),
    ),
}

TRAINING_SCRIPTS = {
    "README.md": "# Fraud model\n\nRun `python train.py` then `python evaluate.py`.\n",
    "requirements.txt": "pandas==2.1.0\nscikit-learn==1.3.2\nxgboost==2.0.0\n",
    "train.py": src(
        """
        import joblib
        import pandas as pd
        import xgboost as xgb

        df = pd.read_csv("data/train.csv")
        model = xgb.XGBClassifier().fit(df.drop(columns="y"), df.y)
        joblib.dump(model, "model.joblib")
        """
    ),
    "evaluate.py": src(
        """
        import joblib
        import pandas as pd
        from sklearn.metrics import accuracy_score

        model = joblib.load("model.joblib")
        df = pd.read_csv("data/test.csv")
        print(accuracy_score(df.y, model.predict(df.drop(columns="y"))))
        """
    ),
}


ORCHESTRATED = {
    "README.md": "# Churn pipeline\n",
    "pyproject.toml": '[project]\nname = "churn"\nversion = "1.0"\n',
    "requirements.txt": src(
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
    "dags/churn_training.py": src(
        """
        from datetime import datetime

        from airflow import DAG
        from airflow.operators.python import PythonOperator

        from churn import evaluate, prepare, register, train, validate

        start = datetime(2024, 1, 1)
        with DAG("churn_training", schedule_interval="@weekly", start_date=start) as dag:
            extract = PythonOperator(task_id="extract", python_callable=prepare.extract)
            prep = PythonOperator(task_id="prepare", python_callable=prepare.prepare)
            check = PythonOperator(task_id="validate", python_callable=validate.run)
            fit = PythonOperator(task_id="train", python_callable=train.run)
            gate = PythonOperator(task_id="evaluate", python_callable=evaluate.run)
            push = PythonOperator(task_id="register", python_callable=register.run)
            extract >> prep >> check >> fit >> gate >> push
        """
    ),
    "src/churn/__init__.py": "",
    "src/churn/prepare.py": src(
        """
        import pandas as pd


        def extract():
            return pd.read_parquet("s3://bucket/churn")


        def prepare():
            pass
        """
    ),
    "src/churn/validate.py": src(
        """
        import great_expectations as gx


        def run():
            context = gx.get_context()
            validator = context.sources.pandas_default.read_parquet("prepared.parquet")
            validator.expect_column_values_to_not_be_null("customer_id")
            result = validator.validate()
            if not result.success:
                raise ValueError("Data validation failed")
        """
    ),
    "src/churn/train.py": src(
        """
        import mlflow
        import numpy as np
        import yaml
        from sklearn.ensemble import GradientBoostingClassifier

        np.random.seed(7)


        def run():
            config = yaml.safe_load(open("configs/train.yaml"))
            with mlflow.start_run():
                model = GradientBoostingClassifier(max_depth=config["model"]["max_depth"])
                mlflow.log_params(config["model"])
                mlflow.sklearn.log_model(model, "model")
        """
    ),
    "src/churn/evaluate.py": src(
        """
        import mlflow
        from sklearn.metrics import roc_auc_score


        def run():
            champion_auc = mlflow.get_run(champion_run_id()).data.metrics["auc"]
            new_auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
            if new_auc < max(champion_auc, 0.8):
                raise ValueError("The challenger is not better")
        """
    ),
    "src/churn/register.py": src(
        """
        import mlflow


        def run(run_id):
            mlflow.register_model(f"runs:/{run_id}/model", "churn")
        """
    ),
}

LEVEL_TWO = {
    **ORCHESTRATED,
    "tests/test_train.py": src(
        """
        import numpy as np

        from churn import train


        def test_training_loss_is_finite():
            model = train.fit_small_sample()
            assert not np.isnan(model.train_score_).any()
        """
    ),
    "tests/test_prepare.py": src(
        """
        from churn import prepare


        def test_prepare_keeps_rows():
            assert prepare.prepare() is None
        """
    ),
    ".github/workflows/ci.yml": src(
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
    ".github/workflows/deploy-model.yml": src(
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
              - run: python scripts/deploy_model.py --model churn --alias champion
        """
    ),
    "scripts/deploy_model.py": src(
        """
        from mlflow.deployments import get_deploy_client

        client = get_deploy_client("sagemaker")
        client.create_deployment("churn", "models:/churn@champion")
        """
    ),
}
