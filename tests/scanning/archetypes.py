"""File sets of typical ML repositories, from a notebook folder to a level-2 setup.

Each archetype is small but written the way such repositories are (real imports, real CI
syntax), so the detectors meet realistic evidence rather than keywords planted for them.
"""

from __future__ import annotations

import json
from textwrap import dedent


def src(text: str) -> str:
    """Source text written indented inside this module, without the indentation."""
    return dedent(text).lstrip("\n")


def notebook(*cells: str, markdown: tuple[str, ...] = ()) -> str:
    """A minimal nbformat-4 notebook with code cells (and optional markdown cells)."""
    body = [{"cell_type": "markdown", "metadata": {}, "source": [text]} for text in markdown]
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

DVC_PIPELINE = {
    "README.md": "# Sentiment\n",
    "requirements.txt": "dvc==3.30.0\ndvclive==3.4.0\nscikit-learn==1.3.2\npandas\n",
    "params.yaml": "prepare:\n  split: 0.2\ntrain:\n  n_estimators: 100\n  seed: 42\n",
    "dvc.yaml": src(
        """
        stages:
          prepare:
            cmd: python src/prepare.py data/data.xml
            deps: [src/prepare.py, data/data.xml]
            outs: [data/prepared]
          featurize:
            cmd: python src/featurization.py data/prepared data/features
            deps: [data/prepared]
            outs: [data/features]
          train:
            cmd: python src/train.py data/features model.pkl
            deps: [data/features]
            outs: [model.pkl]
          evaluate:
            cmd: python src/evaluate.py model.pkl data/features
            metrics: [eval/metrics.json]
        """
    ),
    "dvc.lock": "schema: '2.0'\nstages:\n  prepare:\n    cmd: python src/prepare.py\n",
    "data/data.xml.dvc": "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  path: data.xml\n",
    ".dvc/config": "[core]\n    remote = storage\n",
    "src/prepare.py": "import random\nimport sys\n\nrandom.seed(20170428)\n",
    "src/featurization.py": "import pandas as pd\n"
    "from sklearn.feature_extraction.text import TfidfVectorizer\n",
    "src/train.py": src(
        """
        import pickle

        import yaml
        from dvclive import Live
        from sklearn.ensemble import RandomForestClassifier

        params = yaml.safe_load(open("params.yaml"))["train"]
        clf = RandomForestClassifier(params["n_estimators"], random_state=params["seed"])
        with Live() as live:
            live.log_param("n_estimators", params["n_estimators"])
        """
    ),
    "src/evaluate.py": src(
        """
        from dvclive import Live
        from sklearn import metrics

        with Live("eval") as live:
            live.log_metric("avg_prec", metrics.average_precision_score(y, p))
        """
    ),
    ".github/workflows/cml.yaml": src(
        """
        name: CML report
        on: [pull_request]
        jobs:
          report:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: iterative/setup-cml@v2
              - run: |
                  pip install -r requirements.txt
                  dvc pull
                  dvc repro
                  dvc metrics diff main --md >> report.md
                  cml comment create report.md
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

DOCS_ONLY = {
    "README.md": "# ML platform notes\n\nWe use mlflow.register_model and Kubeflow pipelines.\n",
    "docs/index.md": "```python\nimport mlflow\nmlflow.log_metric('x', 1)\n```\n",
    "docs/examples/train.py": "import mlflow\nimport sklearn\nmlflow.log_metric('auc', 0.9)\n",
    "mkdocs.yml": "site_name: Notes\nnav:\n  - Home: index.md\n",
    "images/architecture.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
}

UNUSUAL_CI = {
    "requirements.txt": "torch==2.2.0\npytest==8.0.0\n",
    "model/net.py": "import torch\n\n\nclass Net(torch.nn.Module):\n    pass\n",
    "tests/test_net.py": src(
        """
        from model.net import Net


        def test_it_builds():
            assert Net()
        """
    ),
    "build/pipelines/ml.yml": src(
        """
        trigger:
          branches:
            include: [main]
        jobs:
          - job: unit
            steps:
              - script: |
                  pip install -r requirements.txt
                  python -m pytest tests
                displayName: Run tests
        """
    ),
}

# Shaped like Google's TFX template (level 1): ExampleValidator, Evaluator with a blessing
# threshold, Pusher, a Kubeflow V2 runner, tests run by hand.
TFX_REFERENCE = {
    "requirements.txt": "tfx==1.14.0\ntensorflow==2.13.1\ntensorflow-transform==1.14.0\n",
    "Dockerfile": "FROM tensorflow/tfx:1.14.0\nWORKDIR /pipeline\nCOPY ./ ./\n",
    "pipeline/__init__.py": "",
    "pipeline/configs.py": src(
        """
        import os

        PIPELINE_NAME = "taxi"
        GCP_PROJECT_ID = os.environ.get("GOOGLE_CLOUD_PROJECT")
        EVAL_ACCURACY_THRESHOLD = 0.6
        """
    ),
    "pipeline/pipeline.py": src(
        """
        import tensorflow_model_analysis as tfma
        from ml_metadata.proto import metadata_store_pb2
        from tfx import v1 as tfx


        def create_pipeline(name, root, data_path, preprocessing_fn, run_fn, threshold, serving_dir,
                            metadata_connection_config=None):
            example_gen = tfx.components.CsvExampleGen(input_base=data_path)
            statistics = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
            schema = tfx.components.SchemaGen(statistics=statistics.outputs["statistics"])
            validator = tfx.components.ExampleValidator(
                statistics=statistics.outputs["statistics"], schema=schema.outputs["schema"]
            )
            transform = tfx.components.Transform(
                examples=example_gen.outputs["examples"], schema=schema.outputs["schema"],
                preprocessing_fn=preprocessing_fn,
            )
            trainer = tfx.components.Trainer(
                run_fn=run_fn, examples=transform.outputs["transformed_examples"]
            )
            accuracy = tfma.MetricThreshold(
                value_threshold=tfma.GenericValueThreshold(lower_bound={"value": threshold})
            )
            eval_config = tfma.EvalConfig(metrics_specs=[tfma.MetricsSpec(metrics=[
                tfma.MetricConfig(class_name="BinaryAccuracy", threshold=accuracy)])])
            evaluator = tfx.components.Evaluator(
                examples=example_gen.outputs["examples"], model=trainer.outputs["model"],
                eval_config=eval_config,
            )
            pusher = tfx.components.Pusher(
                model=trainer.outputs["model"], model_blessing=evaluator.outputs["blessing"],
                push_destination=tfx.proto.PushDestination(
                    filesystem=tfx.proto.PushDestination.Filesystem(base_directory=serving_dir)
                ),
            )
            components = [example_gen, statistics, schema, validator, transform, trainer,
                          evaluator, pusher]
            return tfx.dsl.Pipeline(
                pipeline_name=name, pipeline_root=root, components=components,
                metadata_connection_config=metadata_connection_config,
            )
        """
    ),
    "models/__init__.py": "",
    "models/preprocessing.py": src(
        """
        import tensorflow_transform as tft


        def preprocessing_fn(inputs):
            return {key: tft.scale_to_z_score(value) for key, value in inputs.items()}
        """
    ),
    "models/model.py": src(
        """
        import tensorflow as tf


        def run_fn(fn_args):
            model = tf.keras.Sequential()
        """
    ),
    "models/model_test.py": src(
        """
        import tensorflow as tf

        from models import model


        class ModelTest(tf.test.TestCase):
            def testBuildKerasModel(self):
                built = model._build_keras_model()
                self.assertEqual(len(built.layers), 4)
        """
    ),
    "kubeflow_v2_runner.py": src(
        """
        import os

        from tfx import v1 as tfx

        from pipeline import configs, pipeline

        config = tfx.orchestration.experimental.KubeflowV2DagRunnerConfig(
            default_image=os.environ.get("KUBEFLOW_TFX_IMAGE")
        )
        runner = tfx.orchestration.experimental.KubeflowV2DagRunner(
            config=config, output_filename="pipeline.json"
        )
        runner.run(pipeline.create_pipeline(name=configs.PIPELINE_NAME))
        """
    ),
    "local_runner.py": src(
        """
        from tfx import v1 as tfx

        from pipeline import configs, pipeline

        tfx.orchestration.LocalDagRunner().run(pipeline.create_pipeline(name=configs.PIPELINE_NAME))
        """
    ),
}

# Shaped like Google's Vertex AI pipeline samples (level 2): kfp components, a metric gate,
# model upload and deployment, compiled and submitted by Cloud Build after the tests.
VERTEX_REFERENCE = {
    "requirements.txt": src(
        """
        kfp==2.5.0
        google-cloud-aiplatform==1.38.0
        google-cloud-pipeline-components==2.8.0
        """
    ),
    "src/__init__.py": "",
    "src/pipeline.py": src(
        """
        from google_cloud_pipeline_components.v1.endpoint import EndpointCreateOp, ModelDeployOp
        from google_cloud_pipeline_components.v1.model import ModelUploadOp
        from kfp import compiler, dsl


        @dsl.component(base_image="python:3.11", packages_to_install=["tensorflow-data-validation"])
        def validate_data(dataset: dsl.Input[dsl.Dataset]) -> bool:
            import tensorflow_data_validation as tfdv

            stats = tfdv.generate_statistics_from_csv(dataset.path)
            return not tfdv.validate_statistics(stats, schema).anomaly_info


        @dsl.component(base_image="python:3.11", packages_to_install=["scikit-learn"])
        def train(dataset: dsl.Input[dsl.Dataset], metrics: dsl.Output[dsl.Metrics]):
            from sklearn.ensemble import RandomForestClassifier

            metrics.log_metric("auc", 0.91)


        @dsl.pipeline(name="fraud-training")
        def pipeline(project: str, min_auc: float = 0.85):
            check = validate_data(dataset=ingest_op.outputs["dataset"])
            trained = train(dataset=ingest_op.outputs["dataset"])
            with dsl.If(trained.outputs["auc"] >= min_auc):
                upload = ModelUploadOp(project=project, display_name="fraud")
                endpoint = EndpointCreateOp(project=project, display_name="fraud")
                ModelDeployOp(model=upload.outputs["model"], endpoint=endpoint.outputs["endpoint"])


        if __name__ == "__main__":
            compiler.Compiler().compile(pipeline_func=pipeline, package_path="pipeline.json")
        """
    ),
    "src/submit.py": src(
        """
        from google.cloud import aiplatform

        job = aiplatform.PipelineJob(
            display_name="fraud", template_path="pipeline.json", parameter_values={"project": "p"}
        )
        job.submit()
        """
    ),
    "tests/test_components.py": src(
        """
        import numpy as np

        from src import pipeline


        def test_train_outputs_no_nan():
            assert not np.isnan(pipeline.score_sample()).any()
        """
    ),
    "cloudbuild.yaml": src(
        """
        steps:
          - name: python:3.11
            entrypoint: bash
            args: ["-c", "pip install -r requirements.txt && pytest tests"]
          - name: python:3.11
            entrypoint: bash
            args: ["-c", "python src/pipeline.py && python src/submit.py"]
        """
    ),
}
