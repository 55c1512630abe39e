"""File sets of typical ML repositories, from a notebook folder to a level-2 setup.

Each archetype is small but written the way such repositories are (real imports, real CI
syntax), so the detectors meet realistic evidence rather than keywords planted for them. The
ones the demo builds its teams' repositories from live in `assessments.demo.archetypes`; the
ones only tests need (DVC, docs only, unusual CI, Google's reference pipelines) live here.
"""

from __future__ import annotations

from assessments.demo.archetypes import (
    LEVEL_TWO,
    NOTEBOOK_ONLY,
    ORCHESTRATED,
    TRAINING_SCRIPTS,
    notebook,
    src,
)

__all__ = [
    "DOCS_ONLY",
    "DVC_PIPELINE",
    "LEVEL_TWO",
    "NOTEBOOK_ONLY",
    "ORCHESTRATED",
    "TFX_REFERENCE",
    "TRAINING_SCRIPTS",
    "UNUSUAL_CI",
    "VERTEX_REFERENCE",
    "notebook",
    "src",
]

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
