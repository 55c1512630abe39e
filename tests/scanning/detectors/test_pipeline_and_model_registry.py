"""Detector table: pipelines, model validation and the registry.

Given these files, the strongest evidence for the capability is this. The rows cover pipeline
orchestration and triggers, model validation, the model registry and rollback. Each row is one small
repository in memory; ``None`` means no finding at all.
"""

from .tables import CI, CODE, NAME, SK, detector_table_test, row

TABLE = [
    row(
        "airflow-dag",
        {"dags/t.py": "from airflow import DAG\nwith DAG('t') as d: pass\n"},
        "pipeline_orchestration",
        1,
        CODE,
    ),
    row(
        "kfp-pipeline",
        {"p.py": "from kfp import dsl\n@dsl.pipeline(name='p')\ndef p(): pass\n"},
        "pipeline_orchestration",
        1,
        CODE,
    ),
    row(
        "sagemaker-pipeline",
        {
            "p.py": "from sagemaker.workflow.pipeline import Pipeline\n"
            "p = Pipeline(name='x', steps=[])\n"
        },
        "pipeline_orchestration",
        1,
        CODE,
    ),
    row(
        "vertex-pipeline-job",
        {
            "run.py": "from google.cloud import aiplatform\n"
            "aiplatform.PipelineJob(template_path='p.json').submit()\n"
        },
        "pipeline_orchestration",
        1,
        CODE,
    ),
    row(
        "bare-pipeline-file",
        {"pipeline.py": SK + "def run(): train(); evaluate()\n"},
        "pipeline_orchestration",
        0,
        NAME,
    ),
    row(
        "dvc-stages-by-hand",
        {"dvc.yaml": "stages:\n  a:\n    cmd: python a.py\n  b:\n    cmd: python b.py\n"},
        "pipeline_orchestration",
        0.5,
        CODE,
    ),
    row(
        "argo-workflow",
        {"wf.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"},
        "pipeline_orchestration",
        1,
        CODE,
    ),
    row(
        "airflow-schedule",
        {"dags/t.py": "from airflow import DAG\nwith DAG('t', schedule='@daily'): pass\n"},
        "pipeline_triggers",
        1,
        CODE,
    ),
    row(
        "ci-cron-retrain",
        {
            ".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\n"
            "jobs:\n  r:\n    runs-on: x\n    steps:\n      - run: python train.py\n"
        },
        "pipeline_triggers",
        1,
        CI,
    ),
    row(
        "ci-cron-without-training",
        {
            ".github/workflows/lint.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  l:\n"
            "    runs-on: x\n    steps:\n      - run: ruff check\n"
        },
        "pipeline_triggers",
        None,
        None,
    ),
    row(
        "pubsub-trigger",
        {
            "trigger/main.py": "import functions_framework\nfrom google.cloud import aiplatform\n"
            "@functions_framework.cloud_event\ndef go(e):\n"
            "    aiplatform.PipelineJob(template_path='p.json').submit()\n"
        },
        "pipeline_triggers",
        1,
        CODE,
    ),
    # validation and registry
    row(
        "tfx-evaluator-threshold",
        {
            "p.py": "from tfx.components import Evaluator\n"
            "import tensorflow_model_analysis as tfma\n"
            "t = tfma.MetricThreshold(value_threshold=v)\ne = Evaluator(eval_config=c)\n"
        },
        "model_validation",
        1,
        CODE,
    ),
    row(
        "sagemaker-condition",
        {
            "p.py": "from sagemaker.workflow.condition_step import ConditionStep\n"
            "s = ConditionStep(name='check')\n"
        },
        "model_validation",
        1,
        CODE,
    ),
    row(
        "metrics-only-gate-nothing",
        {"evaluate.py": SK + "from sklearn.metrics import f1_score\nf1_score(y, p)\n"},
        "model_validation",
        None,
        None,
    ),
    row(
        "mlflow-register",
        {"r.py": "import mlflow\nmlflow.register_model('runs:/1/m', 'churn')\n"},
        "model_registry",
        1,
        CODE,
    ),
    row(
        "vertex-upload",
        {
            "r.py": "from google.cloud import aiplatform\n"
            "aiplatform.Model.upload(display_name='m')\n"
        },
        "model_registry",
        1,
        CODE,
    ),
    row("gto-artifacts", {"artifacts.yaml": "churn:\n  type: model\n"}, "model_registry", 1, NAME),
    row(
        "hf-hub-push",
        {"t.py": "import transformers\nmodel.push_to_hub('org/m')\n"},
        "model_registry",
        0.5,
        CODE,
    ),
    row(
        "registry-alias",
        {"s.py": "import mlflow\nmlflow.pyfunc.load_model('models:/churn@champion')\n"},
        "model_rollback",
        1,
        CODE,
    ),
    row(
        "rollback-script",
        {"scripts/rollback.sh": "kubectl set image deploy/m m=old\n"},
        "model_rollback",
        0.5,
        NAME,
    ),
]

test_detector_table = detector_table_test(TABLE)
