"""Detector table: experiments and data.

Given these files, the strongest evidence for the capability is this. The rows cover experiment
tracking, metadata and reproducible training, and the data (validation, versioning, feature stores,
extraction, training-serving consistency). Each row is one small repository in memory; ``None``
means no finding at all.
"""

from ..archetypes import notebook
from .tables import CODE, NAME, SK, detector_table_test, row

TABLE = [
    row(
        "mlflow-logging",
        {"train.py": SK + "import mlflow\nmlflow.log_metric('auc', 1)\n"},
        "experiment_tracking",
        1,
        CODE,
    ),
    row(
        "mlflow-import-only", {"train.py": SK + "import mlflow\n"}, "experiment_tracking", 0.5, CODE
    ),
    row(
        "wandb",
        {"train.py": "import wandb\nwandb.init(project='x')\n"},
        "experiment_tracking",
        1,
        CODE,
    ),
    row(
        "wandb-in-notebook",
        {"nb.ipynb": notebook("import wandb\nwandb.init(project='x')")},
        "experiment_tracking",
        1,
        CODE,
    ),
    row(
        "mlflow-only-in-markdown-cell",
        {"nb.ipynb": notebook(SK, markdown=("import mlflow\nmlflow.log_metric('x', 1)",))},
        "experiment_tracking",
        None,
        None,
    ),
    row(
        "mlflow-in-readme",
        {"README.md": "import mlflow\nmlflow.log_metric('x', 1)\n", "train.py": SK},
        "experiment_tracking",
        None,
        None,
    ),
    row(
        "mlflow-in-vendor",
        {"vendor/lib/x.py": "import mlflow\nmlflow.log_metric('x', 1)\n"},
        "experiment_tracking",
        None,
        None,
    ),
    row(
        "mlflow-in-checkpoint",
        {
            "nb/.ipynb_checkpoints/a-checkpoint.ipynb": notebook(
                "import mlflow\nmlflow.log_metric('x', 1)"
            )
        },
        "experiment_tracking",
        None,
        None,
    ),
    row(
        "tensorboard",
        {
            "train.py": "import torch\nfrom torch.utils.tensorboard import SummaryWriter\n"
            "w = SummaryWriter()\n"
        },
        "experiment_tracking",
        0.5,
        CODE,
    ),
    row("dvc-experiments-ref", {"train.py": SK}, "experiment_tracking", 1, CODE),
    row(
        "tracking-uri",
        {"train.py": "import mlflow\nmlflow.set_tracking_uri('http://mlflow')\n"},
        "metadata_store",
        1,
        CODE,
    ),
    row(
        "dvc-lock",
        {"dvc.lock": "schema: '2.0'\n", "train.py": SK},
        "reproducible_training",
        1,
        CODE,
    ),
    row(
        "seeds-unpinned",
        {"train.py": SK + "import numpy as np\nnp.random.seed(0)\n"},
        "reproducible_training",
        0.5,
        CODE,
    ),
    # data
    row(
        "great-expectations",
        {"v.py": "import great_expectations as gx\nv.expect_column_values_to_not_be_null('a')\n"},
        "data_validation",
        1,
        CODE,
    ),
    row(
        "pandera",
        {"s.py": "import pandera as pa\nschema = pa.DataFrameSchema({})\n"},
        "data_validation",
        1,
        CODE,
    ),
    row(
        "tfx-example-validator",
        {
            "p.py": "from tfx.components import ExampleValidator\n"
            "v = ExampleValidator(statistics=s)\n"
        },
        "data_validation",
        1,
        CODE,
    ),
    row("schema-file-only", {"data/schema.pbtxt": "feature {}\n"}, "data_validation", 0.5, NAME),
    row("dvc-files", {"data/raw.csv.dvc": "outs:\n- md5: 1\n"}, "data_versioning", 1, NAME),
    row(
        "delta-time-travel",
        {"etl.py": "df = spark.read.format('delta').option('versionAsOf', 3)\n"},
        "data_versioning",
        1,
        CODE,
    ),
    row("feast-repo", {"features/feature_store.yaml": "project: x\n"}, "feature_store", 1, NAME),
    row(
        "feast-client",
        {"serve.py": "from feast import FeatureStore\nstore = FeatureStore('.')\n"},
        "feature_store",
        1,
        CODE,
    ),
    row(
        "prepare-script-by-hand",
        {"src/prepare.py": "import pandas\n"},
        "data_extraction_automation",
        0.5,
        NAME,
    ),
    row(
        "tf-transform",
        {"p.py": "import tensorflow_transform as tft\n"},
        "training_serving_consistency",
        1,
        CODE,
    ),
    row(
        "shared-feature-module",
        {
            "train.py": SK + "from features import build\n",
            "app.py": "from fastapi import FastAPI\nimport joblib\nfrom features import build\n"
            "model = joblib.load('m.joblib')\n",
            "features.py": "def build(x): return x\n",
        },
        "training_serving_consistency",
        1,
        CODE,
    ),
]

test_detector_table = detector_table_test(TABLE)
