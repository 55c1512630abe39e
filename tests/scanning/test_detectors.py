"""Detector tables: given these files, the strongest evidence for a capability is this.

Each row is one small repository in memory. ``None`` means no finding at all.
"""

import json

import pytest

from assessments.maturity import load_catalogue
from assessments.scanning.detectors import (
    Finding,
    Strength,
    UnknownDetector,
    detector_names,
    get_detector,
    register,
    run_all,
)

from .archetypes import notebook
from .snapshots import best_for, snapshot_of

CODE, CI, NAME, MENTION = Strength.CODE, Strength.CI_CONFIG, Strength.FILE_NAME, Strength.MENTION
SK = "from sklearn.linear_model import LogisticRegression\n"
GH_TESTS = (
    "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: pytest\n"
)
A_TEST = "from x import f\ndef test_f():\n    assert f() == 1\n"
CHAT = "from openai import OpenAI\nclient = OpenAI()\n"


def CHAT_WITH(model):  # noqa: N802 - reads as the constant it builds
    return CHAT + f"client.chat.completions.create(model='{model}', messages=[])\n"


PROMPTS = ("prompt_versioning",)
PROMPT_MD = {"prompts/answer.md": "Answer {q}.\n"}
PINNING = ("llm_model_pinning",)
GH_ON_PR = "on: [pull_request]\njobs:\n  e:\n    runs-on: ubuntu-latest\n    steps:\n"
DEEPEVAL_TEST = (
    "from deepeval import assert_test\nfrom deepeval.metrics import AnswerRelevancyMetric\n"
    "def test_answer():\n    assert_test(case, [AnswerRelevancyMetric(threshold=0.7)])\n"
)
LLM_GUARD = "from llm_guard import scan_output, scan_prompt\n"
AGENTS_GUARD = (
    "from agents import Agent, GuardrailFunctionOutput, input_guardrail\n"
    "@input_guardrail\nasync def relevance(ctx, agent, text):\n"
    "    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)\n"
)
LC_MIDDLEWARE = "from langchain.agents.middleware import AgentMiddleware\n"
MAIN_GUARD = "\nif __name__ == '__main__':\n    main()\n"
TS_OPENAI = "import OpenAI from 'openai'\nconst openai = new OpenAI()\n"
TS_INGEST = (
    TS_OPENAI + "import { createClient } from '@supabase/supabase-js'\n"
    "const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input })\n"
    "await supabase.from('sections').upsert({ content, embedding: e.data[0].embedding })\n"
)
BUILD_EMBEDS = {"build": "pnpm run embeddings && next build", "embeddings": "tsx lib/embed.ts"}


def ts_manifest(scripts=None):
    manifest = {"dependencies": {"openai": "^4.0.0", "next": "14.0.0"}}
    if scripts:
        manifest["scripts"] = scripts
    return {"package.json": json.dumps(manifest)}


TS_MANIFEST = ts_manifest()


def arm_parameters(version):
    parameters = {
        "chatModelName": {"value": "${AZURE_OPENAI_CHAT_MODEL=gpt-4o}"},
        "chatDeploymentVersion": {"value": version},
    }
    return {"infra/main.parameters.json": json.dumps({"parameters": parameters})}


INGEST = (
    "import chromadb\nfrom langchain_chroma import Chroma\n"
    "Chroma.from_documents(documents, embeddings, collection_name='docs')\n"
)


def row(name, files, capability, grade, strength):
    return pytest.param(files, capability, grade, strength, id=name)


TABLE = [
    # version control and code
    row("ml-script", {"train.py": SK}, "version_control", 1, CODE),
    row("no-ml-code", {"app.py": "import flask\n"}, "version_control", None, None),
    row("model-binary-smell-only", {"model.pkl": b"\x80" * 4096}, "version_control", 0, NAME),
    row(
        "packaged",
        {"pyproject.toml": "[project]\nname='x'\n", "src/x/__init__.py": "", "src/x/train.py": SK},
        "modular_code",
        1,
        CODE,
    ),
    row(
        "modules-no-package",
        {"train.py": SK + "from features import build\n", "features.py": "def build(): pass\n"},
        "modular_code",
        0.5,
        CODE,
    ),
    row("notebooks-only", {f"n{i}.ipynb": notebook(SK) for i in range(5)}, "modular_code", 0, NAME),
    row(
        "kfp-components",
        {"p.py": "from kfp import dsl\n@dsl.component(base_image='python')\ndef f(): pass\n"},
        "modular_code",
        1,
        CODE,
    ),
    # environment
    row("uv-lock", {"uv.lock": "version = 1\n"}, "reproducible_environment", 1, NAME),
    row(
        "pinned",
        {"requirements.txt": "torch==2.2.0\nnumpy==1.26.0\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "half-pinned",
        {"requirements.txt": "torch==2.2.0\nnumpy\npandas\n"},
        "reproducible_environment",
        0.5,
        CODE,
    ),
    row(
        "unpinned", {"requirements.txt": "torch\nnumpy>=1.0\n"}, "reproducible_environment", 0, CODE
    ),
    row(
        "lock-checked-in-ci-not-committed-yet",
        {
            "pyproject.toml": "[project]\nname = 'm'\ndependencies = ['pandas>=2']\n",
            ".github/workflows/lock.yml": GH_ON_PR + "      - run: uv lock --check\n",
        },
        "reproducible_environment",
        0.5,
        CI,
    ),
    row(
        "lock-checked-in-ci-and-committed",
        {
            "pyproject.toml": "[project]\nname = 'm'\ndependencies = ['pandas>=2']\n",
            "uv.lock": "version = 1\n",
            ".github/workflows/lock.yml": GH_ON_PR + "      - run: uv lock --check\n",
        },
        "reproducible_environment",
        1,
        CI,
    ),
    row(
        "pip-hash-lines",
        {"requirements.txt": "torch==2.2.0 \\\n    --hash=sha256:abc\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "conda-pins",
        {"environment.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26\n"},
        "reproducible_environment",
        1,
        CODE,
    ),
    row(
        "lock-checked-in-ci",
        {
            "requirements.txt": "torch\n",
            ".github/workflows/lock.yml": GH_TESTS.replace(
                "run: pytest", "run: make lock && git diff --exit-code -- requirements.lock"
            ),
        },
        "reproducible_environment",
        0.5,
        CI,
    ),
    row("dockerfile", {"Dockerfile": "FROM python:3.11\n"}, "containerization", 1, CODE),
    row(
        "dockerfile-in-folder",
        {"docker/train.Dockerfile": "FROM nvidia/cuda:12.1\n"},
        "containerization",
        1,
        CODE,
    ),
    row(
        "dockerfile-in-docs",
        {"docs/Dockerfile": "FROM python:3.11\n"},
        "containerization",
        None,
        None,
    ),
    row("params-yaml", {"params.yaml": "lr: 0.1\n"}, "config_outside_code", 1, NAME),
    row(
        "hydra",
        {"train.py": SK + "import hydra\n@hydra.main(config_path='conf')\ndef m(c): ...\n"},
        "config_outside_code",
        1,
        CODE,
    ),
    row(
        "argparse",
        {"train.py": SK + "import argparse\np = argparse.ArgumentParser()\n"},
        "config_outside_code",
        0.5,
        CODE,
    ),
    row(
        "terraform",
        {"infra/main.tf": 'resource "google_storage_bucket" "b" {}\n'},
        "infrastructure_as_code",
        1,
        CODE,
    ),
    row(
        "helm-chart",
        {"deploy/chart/Chart.yaml": "name: serving\n"},
        "infrastructure_as_code",
        1,
        NAME,
    ),
    row(
        "declared-not-used",
        {"requirements.txt": "mlflow==2.0\n", "train.py": SK},
        "experiment_tracking",
        0,
        MENTION,
    ),
    # experimentation
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
    # pipeline
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
    # CI/CD
    row("github-actions", {".github/workflows/ci.yml": GH_TESTS}, "ci", 1, CI),
    row("gitlab-ci", {".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}, "ci", 1, CI),
    row(
        "jenkinsfile",
        {
            "Jenkinsfile": "pipeline {\n  stages {\n"
            "    stage('t') { steps { sh 'pytest' } }\n  }\n}\n"
        },
        "ci",
        1,
        CI,
    ),
    row(
        "manual-only-ci",
        {
            ".github/workflows/m.yml": "on: workflow_dispatch\njobs:\n  m:\n"
            "    runs-on: x\n    steps:\n      - run: make test\n"
        },
        "ci",
        0.5,
        CI,
    ),
    row(
        "ci-by-content",
        {"build/pipelines/ml.yml": "jobs:\n  - job: t\n    steps:\n      - script: pytest\n"},
        "ci",
        1,
        CI,
    ),
    row(
        "ci-runs-tests",
        {".github/workflows/ci.yml": GH_TESTS, "tests/test_x.py": A_TEST},
        "automated_tests",
        1,
        CI,
    ),
    row(
        "tests-without-ci",
        {"tests/test_x.py": A_TEST},
        "automated_tests",
        0.5,
        CODE,
    ),
    row(
        "tox-in-ci",
        {".gitlab-ci.yml": "test:\n  script:\n    - tox -e py311\n", "tests/test_x.py": A_TEST},
        "automated_tests",
        1,
        CI,
    ),
    row(
        "ml-tests-in-ci",
        {
            ".github/workflows/ci.yml": GH_TESTS,
            "tests/test_m.py": "import numpy as np\nfrom model import train\n"
            "def test_no_nan():\n    assert not np.isnan(train()).any()\n",
            "model.py": SK,
        },
        "ml_specific_tests",
        1,
        CODE,
    ),
    row(
        "kfp-upload-in-ci",
        {
            ".github/workflows/cd.yml": "on: [push]\njobs:\n  d:\n    runs-on: x\n"
            "    steps:\n      - run: kfp pipeline upload -p churn pipeline.yaml\n"
        },
        "pipeline_cd",
        1,
        CI,
    ),
    row(
        "compile-script-by-hand",
        {
            "deploy.py": "from kfp import compiler\n"
            "compiler.Compiler().compile(pipeline_func=p, package_path='p.json')\n"
        },
        "pipeline_cd",
        0.5,
        CODE,
    ),
    row(
        "deploy-on-tag",
        {
            ".github/workflows/release.yml": "on:\n  push:\n    tags:\n      - 'churn@*'\n"
            "jobs:\n  d:\n    runs-on: x\n    steps:\n"
            "      - run: gcloud ai endpoints deploy-model 123 --model=churn\n"
        },
        "model_cd",
        1,
        CI,
    ),
    row(
        "kserve-manifest",
        {"k8s/isvc.yaml": "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"},
        "model_cd",
        0.5,
        CODE,
    ),
    row(
        "locust",
        {"load/locustfile.py": "from locust import HttpUser, task\n"},
        "pre_deployment_checks",
        1,
        CODE,
    ),
    row(
        "canary",
        {"k8s/isvc.yaml": "spec:\n  predictor:\n    canaryTrafficPercent: 10\n"},
        "staged_promotion",
        1,
        CODE,
    ),
    row(
        "github-environment",
        {
            ".github/workflows/d.yml": "on: [push]\njobs:\n  d:\n    runs-on: x\n"
            "    environment: production\n    steps:\n      - run: make deploy\n"
        },
        "staged_promotion",
        1,
        CI,
    ),
    # serving and monitoring
    row(
        "fastapi-model",
        {
            "app.py": "from fastapi import FastAPI\nimport joblib\n"
            "model = joblib.load('model.joblib')\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "bentoml",
        {"service.py": "import bentoml\n@bentoml.service\nclass S: pass\n"},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "batch-scoring",
        {"predict.py": "import joblib\nm = joblib.load('m')\nm.predict(x)\n"},
        "prediction_service",
        0.5,
        CODE,
    ),
    row(
        "flask-without-model",
        {"app.py": "from flask import Flask\n"},
        "prediction_service",
        None,
        None,
    ),
    row(
        "data-capture",
        {
            "deploy.py": "from sagemaker.model_monitor import DataCaptureConfig\n"
            "c = DataCaptureConfig(enable_capture=True)\n"
        },
        "prediction_logging",
        1,
        CODE,
    ),
    row(
        "evidently", {"monitor.py": "from evidently.report import Report\n"}, "monitoring", 1, CODE
    ),
    row(
        "prometheus-only-is-no-drift-monitoring",
        {"app.py": "from prometheus_client import Counter\n"},
        "monitoring",
        None,
        None,
    ),
    row(
        "prometheus-service-metrics",
        {"app.py": "from prometheus_client import Counter\n"},
        "serving_health_monitoring",
        1,
        CODE,
    ),
    row(
        "one-pipeline-per-environment-config",
        {
            ".github/workflows/train.yml": "on: [push]\njobs:\n  t:\n    runs-on: x\n"
            "    steps:\n      - run: python run_pipeline.py --config config-dev.yml\n"
            "      - run: python run_pipeline.py --config config-prod.yml\n"
        },
        "same_pipeline_across_environments",
        1,
        CI,
    ),
    row(
        "drift-triggers-retrain",
        {
            "monitor.py": "from evidently.report import Report\n"
            "import boto3\nboto3.client('sagemaker').start_pipeline_execution(PipelineName='t')\n"
        },
        "monitoring_triggers_retraining",
        1,
        CODE,
    ),
    # governance
    row("codeowners", {".github/CODEOWNERS": "* @ml-team\n"}, "ownership", 1, NAME),
    row("model-card", {"MODEL_CARD.md": "# Churn model\n"}, "model_documentation", 1, NAME),
    row("dependabot", {".github/dependabot.yml": "version: 2\n"}, "dependency_updates", 1, NAME),
    row("renovate", {"renovate.json": "{}\n"}, "dependency_updates", 1, NAME),
    # LLM applications
    row(
        "prompt-files-the-code-loads",
        {"app.py": CHAT + "TEMPLATE = open('prompts/answer.md').read()\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-folder-joined-to-a-path",
        {"app.py": CHAT + "FOLDER = Path(__file__).parent / 'prompts'\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-folder-named-in-configuration",
        {"app.py": CHAT, "config.yaml": "prompt_dir: prompts/\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    # Markdown in a prompts/ folder nothing loads: notes about prompting, not prompts.
    row("prompt-notes-nothing-loads", {"app.py": CHAT, **PROMPT_MD}, *PROMPTS, None, None),
    row(
        "planning-notes-in-notes-prompts",
        {"app.py": CHAT, "notes/prompts/plans/ui-plan.md": "# Plan\n"},
        *PROMPTS,
        None,
        None,
    ),
    row(
        "prompts-data-file",
        {"app.py": CHAT, "rails/prompts.yml": "prompts:\n  - task: self_check_input\n"},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-data-file-in-tests",
        {"app.py": CHAT, "tests/test_prompts.json": "[]\n"},
        *PROMPTS,
        None,
        None,
    ),
    row(
        "prompt-template-format",
        {"app.py": CHAT, "prompts/answer.j2": "Answer {{ q }}.\n"},
        *PROMPTS,
        1,
        NAME,
    ),
    row("prompty-file", {"app.py": CHAT, "support.prompty": "---\nname: s\n"}, *PROMPTS, 1, NAME),
    row(
        "prompt-registry",
        {
            "app.py": "from langfuse import Langfuse\n"
            "p = Langfuse().get_prompt('answer', version=3)\n"
        },
        *PROMPTS,
        1,
        CODE,
    ),
    row("prompts-inline", {"app.py": CHAT + "PROMPT = 'Answer {q}.'\n"}, *PROMPTS, None, None),
    row(
        "promptfoo-in-ci",
        {
            "promptfooconfig.yaml": "prompts: [prompts/a.txt]\n",
            ".github/workflows/eval.yml": GH_ON_PR + "      - run: npx promptfoo@latest eval\n",
        },
        "llm_evaluation",
        1,
        CI,
    ),
    row(
        "promptfoo-config-only",
        {"promptfooconfig.yaml": "tests: []\n"},
        "llm_evaluation",
        0.5,
        NAME,
    ),
    row(
        "deepeval-tests-in-ci",
        {"tests/test_answers.py": DEEPEVAL_TEST, ".github/workflows/ci.yml": GH_TESTS},
        "llm_evaluation",
        1,
        CI,
    ),
    row(
        "deepeval-tests-no-ci",
        {"tests/test_answers.py": DEEPEVAL_TEST},
        "llm_evaluation",
        0.5,
        CODE,
    ),
    row(
        "ragas-script",
        {"evaluate_rag.py": "from ragas import evaluate\nresult = evaluate(dataset)\n"},
        "llm_evaluation",
        0.5,
        CODE,
    ),
    row(
        "guardrails-ai",
        {"app.py": "from guardrails import Guard\nguard = Guard().use(ToxicLanguage)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "llm-guard-both-sides",
        {"app.py": LLM_GUARD + "scan_prompt(i, p)\nscan_output(o, p, r)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "llm-guard-input-only",
        {"app.py": LLM_GUARD + "scan_prompt(i, p)\n"},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "nemo-guardrails",
        {"rails.py": "from nemoguardrails import LLMRails, RailsConfig\nrails = LLMRails(c)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "agents-sdk-input-guardrail",
        {"requirements.txt": "openai-agents\n", "guard.py": AGENTS_GUARD},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "agents-sdk-guardrails-both-sides",
        {
            "requirements.txt": "openai-agents\n",
            "guard.py": AGENTS_GUARD + "@output_guardrail\nasync def no_pii(c, a, o): ...\n",
        },
        "guardrails",
        1,
        CODE,
    ),
    row(
        "agents-sdk-without-guardrails",
        {"requirements.txt": "openai-agents\n", "bot.py": "from agents import Agent, Runner\n"},
        "guardrails",
        None,
        None,
    ),
    # The project's own guardrails.py imported relatively is not the Guardrails AI library.
    row(
        "local-guardrails-module",
        {
            "app/guardrails.py": "def check(text):\n    return text\n",
            "app/chat.py": CHAT + "from .guardrails import check\n",
        },
        "guardrails",
        None,
        None,
    ),
    row(
        "langchain-guard-middleware",
        {"mw.py": LC_MIDDLEWARE + "class GuardrailsMiddleware(AgentMiddleware):\n    pass\n"},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "langchain-other-middleware",
        {"mw.py": LC_MIDDLEWARE + "class RetryMiddleware(AgentMiddleware):\n    pass\n"},
        "guardrails",
        None,
        None,
    ),
    row(
        "typescript-moderation",
        {
            **TS_MANIFEST,
            "pages/api/chat.ts": TS_OPENAI
            + "const m = await openai.moderations.create({ input })\n",
        },
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "typescript-moderation-without-manifest",
        {"pages/api/chat.ts": TS_OPENAI + "const m = await openai.moderations.create({ input })\n"},
        "guardrails",
        None,
        None,
    ),
    row("no-guardrails", {"app.py": CHAT}, "guardrails", None, None),
    row(
        "langfuse-observe",
        {"app.py": "from langfuse.decorators import observe\n@observe()\ndef answer(q): pass\n"},
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "langsmith-env",
        {"deploy/app.yaml": "env:\n  - name: LANGCHAIN_TRACING_V2\n    value: 'true'\n"},
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "openinference",
        {
            "otel.py": "from openinference.instrumentation.openai import OpenAIInstrumentor\n"
            "OpenAIInstrumentor().instrument()\n"
        },
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "prompty-tracer",
        {
            "chat.py": "from prompty.tracer import trace, Tracer, PromptyTracer\n"
            "Tracer.add('PromptyTracer', PromptyTracer().tracer)\n@trace\ndef answer(q): pass\n"
        },
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "prompty-trace-decorator-without-a-tracer",
        {"chat.py": "from prompty.tracer import trace\n@trace\ndef answer(q): pass\n"},
        "llm_tracing",
        0.5,
        CODE,
    ),
    row("no-tracing", {"app.py": CHAT}, "llm_tracing", None, None),
    row("dated-models", {"app.py": CHAT_WITH("gpt-4o-2024-08-06")}, *PINNING, 1, CODE),
    row("anthropic-dated", {"app.py": CHAT_WITH("claude-3-5-sonnet-20241022")}, *PINNING, 1, CODE),
    row(
        "bedrock-dated",
        {"app.py": CHAT_WITH("anthropic.claude-3-5-sonnet-20241022-v2:0")},
        *PINNING,
        1,
        CODE,
    ),
    row(
        "mixed-models",
        {"app.py": CHAT_WITH("gpt-4o-2024-08-06"), "config.yaml": "model: 'gpt-4o-mini'\n"},
        *PINNING,
        0.5,
        CODE,
    ),
    row("floating-model", {"app.py": CHAT_WITH("gpt-4o")}, *PINNING, 0, CODE),
    row("latest-alias", {"app.py": CHAT_WITH("claude-3-5-sonnet-latest")}, *PINNING, 0, CODE),
    row("model-in-comment", {"app.py": CHAT + "# try 'gpt-4o' later\n"}, *PINNING, None, None),
    # Dated snapshots in their other forms: month-day before -preview, MMDD, Gemini's MM-DD.
    row("openai-month-day-preview", {"app.py": CHAT_WITH("gpt-4-1106-preview")}, *PINNING, 1, CODE),
    row("openai-month-day", {"app.py": CHAT_WITH("gpt-3.5-turbo-0613")}, *PINNING, 1, CODE),
    row(
        "gemini-preview-month-day",
        {"app.py": CHAT_WITH("gemini-2.5-pro-preview-05-06")},
        *PINNING,
        1,
        CODE,
    ),
    row("undated-preview", {"app.py": CHAT_WITH("gpt-4-vision-preview")}, *PINNING, 0, CODE),
    # An Azure deployment template fixing each model deployment's version pins it.
    row(
        "azure-deployment-version",
        {"app.py": CHAT, **arm_parameters("${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION=2024-08-06}")},
        *PINNING,
        1,
        CODE,
    ),
    row(
        "azure-deployment-version-and-floating-fallback",
        {"app.py": CHAT_WITH("gpt-4o"), **arm_parameters("2024-08-06")},
        *PINNING,
        0.5,
        CODE,
    ),
    row(
        "azure-deployment-version-left-to-the-environment",
        {"app.py": CHAT, **arm_parameters("${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION}")},
        *PINNING,
        None,
        None,
    ),
    row(
        "azure-parameters-malformed",
        {"app.py": CHAT, "infra/main.parameters.json": "[" * 50_000},
        *PINNING,
        None,
        None,
    ),
    # Open weights the team runs itself are no hosted alias that changes under it.
    row("self-hosted-mistral", {"app.py": CHAT_WITH("mistral-7b-instruct")}, *PINNING, None, None),
    row("self-hosted-gpt-oss", {"app.py": CHAT_WITH("gpt-oss-20b")}, *PINNING, None, None),
    row("self-hosted-mixtral", {"app.py": CHAT_WITH("mistral-8x7b-v0.1")}, *PINNING, None, None),
    row(
        "scheduled-ingestion",
        {
            "ingest.py": INGEST,
            ".github/workflows/refresh.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
            "jobs:\n  i:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python ingest.py\n",
        },
        "retrieval_data_refresh",
        1,
        CI,
    ),
    row(
        "orchestrated-ingestion",
        {"ingest.py": "from prefect import flow\n" + INGEST},
        "retrieval_data_refresh",
        1,
        CODE,
    ),
    row(
        "ingestion-by-hand",
        {"ingest.py": INGEST + MAIN_GUARD},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "ingestion-command-importing-the-store",
        {"store.py": INGEST, "build_index.py": "import argparse\nfrom store import Chroma\n"},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "scheduled-ingestion-importing-the-store",
        {
            "store.py": INGEST,
            "ingest.py": "from store import Chroma\n",
            ".github/workflows/refresh.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
            "jobs:\n  i:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python ingest.py\n",
        },
        "retrieval_data_refresh",
        1,
        CI,
    ),
    # An application indexing its users' uploads, or a library module nothing runs: no corpus
    # refresh at all.
    row(
        "ingestion-on-upload",
        {
            "store.py": INGEST,
            "api.py": "from fastapi import FastAPI\nfrom store import Chroma\n" + MAIN_GUARD,
        },
        "retrieval_data_refresh",
        None,
        None,
    ),
    row(
        "ingestion-in-a-library-module", {"ingest.py": INGEST}, "retrieval_data_refresh", None, None
    ),
    row(
        "typescript-ingestion-on-every-build",
        {**ts_manifest(BUILD_EMBEDS), "lib/embed.ts": TS_INGEST},
        "retrieval_data_refresh",
        1,
        CODE,
    ),
    row(
        "typescript-ingestion-by-hand",
        {**ts_manifest({"embeddings": "tsx lib/embed.ts"}), "lib/embed.ts": TS_INGEST},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "typescript-ingestion-from-a-route",
        {**TS_MANIFEST, "pages/api/upload.ts": TS_INGEST},
        "retrieval_data_refresh",
        None,
        None,
    ),
    # JavaScript and TypeScript LLM applications
    row(
        "typescript-llm-app", {**TS_MANIFEST, "src/chat.ts": TS_OPENAI}, "version_control", 1, CODE
    ),
    row(
        "vercel-ai-sdk-app",
        {
            "package.json": '{"dependencies": {"ai": "^3", "@ai-sdk/openai": "^1"}}',
            "app/chat.tsx": "import { useChat } from 'ai/react'\n",
        },
        "version_control",
        1,
        CODE,
    ),
    row(
        "langchain-js-require",
        {
            "package.json": '{"devDependencies": {"@langchain/openai": "^0.3"}}',
            "index.cjs": "const { ChatOpenAI } = require('@langchain/openai')\n",
        },
        "version_control",
        1,
        CODE,
    ),
    # Not installed (no manifest), type declarations, built bundles: no LLM code of its own.
    row("typescript-without-manifest", {"src/chat.ts": TS_OPENAI}, "version_control", None, None),
    row(
        "typescript-declarations-and-bundles",
        {**TS_MANIFEST, "types/openai.d.ts": TS_OPENAI, "dist/bundle.js": TS_OPENAI},
        "version_control",
        None,
        None,
    ),
    row(
        "typescript-web-app-without-llm",
        {
            "package.json": '{"dependencies": {"react": "18.2.0"}}',
            "src/app.tsx": "import React from 'react'\n",
        },
        "version_control",
        None,
        None,
    ),
    row(
        "nextjs-api-route",
        {**TS_MANIFEST, "pages/api/chat.ts": TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "app-router-route",
        {**TS_MANIFEST, "app/api/chat/route.ts": TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "express-server",
        {**TS_MANIFEST, "server.js": "const express = require('express')\n" + TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    # A client library in lib/api/ calls someone else's API; it serves nothing.
    row(
        "typescript-api-client",
        {**TS_MANIFEST, "frontend/lib/api/client.ts": TS_OPENAI},
        "prediction_service",
        None,
        None,
    ),
    row(
        "typescript-llm-lock-file",
        {**TS_MANIFEST, "src/chat.ts": TS_OPENAI, "pnpm-lock.yaml": "lockfileVersion: '6.0'\n"},
        "reproducible_environment",
        1,
        NAME,
    ),
    # A web front end's lock file says nothing about a Python model's environment, even when
    # the front end calls the model too.
    row(
        "llm-front-end-lock-file-beside-python-llm-code",
        {
            "agent.py": CHAT,
            "ui/package.json": json.dumps({"dependencies": {"openai": "^4.0.0"}}),
            "ui/chat.ts": TS_OPENAI,
            "ui/package-lock.json": "{}\n",
        },
        "reproducible_environment",
        None,
        None,
    ),
    row(
        "front-end-lock-file",
        {
            "train.py": SK,
            "frontend/package.json": '{"dependencies": {"react": "18.2.0"}}',
            "frontend/package-lock.json": "{}\n",
        },
        "reproducible_environment",
        None,
        None,
    ),
    # The OpenAI Agents SDK's module is ``agents``: it counts when the SDK is declared.
    row(
        "agents-sdk-app",
        {"requirements.txt": "openai-agents\n", "bot.py": "from agents import Agent, Runner\n"},
        "version_control",
        1,
        CODE,
    ),
    row(
        "agents-sdk-served",
        {
            "requirements.txt": "openai-agents\nfastapi\n",
            "airline/agents.py": "from agents import Agent\n",
            "main.py": "from fastapi import FastAPI\nfrom airline.agents import triage\n",
        },
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "nemo-guardrails-app",
        {"app.py": "import streamlit as st\nfrom nemoguardrails import LLMRails, RailsConfig\n"},
        "prediction_service",
        0.5,
        CODE,
    ),
    row(
        "nemo-agent-toolkit-declared",
        {
            "requirements.txt": "nvidia-nat[langchain]~=1.3\n",
            "flow.py": "from nat.runtime.loader import load_workflow\n",
        },
        "version_control",
        1,
        CODE,
    ),
    row(
        "local-nat-module",
        {"nat.py": "def translate(a):\n    return a\n", "net.py": "from nat import translate\n"},
        "version_control",
        None,
        None,
    ),
    row(
        "local-agents-package",
        {"agents/__init__.py": "", "run.py": "from agents import Agent\n"},
        "version_control",
        None,
        None,
    ),
]


@pytest.mark.parametrize(("files", "capability", "grade", "strength"), TABLE)
def test_detector_table(files, capability, grade, strength, request):
    refs = ("refs/exps/ab/cdef/exp-1",) if request.node.callspec.id == "dvc-experiments-ref" else ()
    assert best_for(files, capability, refs=refs) == (grade, strength)


CATALOGUE = load_catalogue()


def test_the_table_covers_every_capability_the_catalogue_gives_detectors():
    covered = {param.values[1] for param in TABLE}
    assert covered == {c.key for c in CATALOGUE.capabilities if c.detectors}


def test_the_catalogue_names_exactly_the_detectors_that_report_each_capability():
    files = {f"{param.id}/{p}": c for param in TABLE for p, c in param.values[0].items()}
    refs = ("refs/exps/ab/cdef/exp-1",)
    reported = {(f.capability, f.detector) for f in run_all(snapshot_of(files, refs=refs))}
    declared = {(c.key, name) for c in CATALOGUE.capabilities for name in c.detectors}
    assert reported - declared == set(), "findings from detectors the catalogue does not name"
    assert {name for _, name in declared} == set(detector_names())


def test_a_capability_without_detectors_is_never_observable_yes():
    # The scanner could never find it, so its absence would always read as missing.
    assert [
        c.key for c in CATALOGUE.capabilities if not c.detectors and c.observable == "yes"
    ] == []


def test_every_finding_names_its_detector_and_a_short_reason():
    files = {}
    for param in TABLE:
        files.update({f"{param.id}/{path}": content for path, content in param.values[0].items()})
    findings = run_all(snapshot_of(files))
    assert findings
    for finding in findings:
        assert finding.detector in detector_names()
        assert finding.reason.endswith(".")
        assert len(finding.reason) < 160
        assert CATALOGUE.has_capability(finding.capability)


def test_findings_are_deterministic():
    files = {f"{param.id}/{p}": c for param in TABLE for p, c in param.values[0].items()}
    assert run_all(snapshot_of(files)) == run_all(snapshot_of(dict(reversed(files.items()))))


def test_the_registry_refuses_duplicate_names_and_unknown_lookups():
    with pytest.raises(ValueError, match="already registered"):
        register(name="experiment_trackers")(lambda snapshot: [])
    with pytest.raises(UnknownDetector):
        get_detector("no_such_detector")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capability": "no_such_key"}, "Unknown capability"),
        ({"grade": 0.7}, "Grade must be"),
        ({"strength": "code"}, "Strength must be"),
        ({"grade": 1, "strength": Strength.MENTION}, "mention cannot"),
    ],
)
def test_a_finding_refuses_invalid_values(kwargs, message):
    values = {"capability": "ci", "grade": 1, "strength": Strength.CODE, "reason": "Because."}
    with pytest.raises(ValueError, match=message):
        Finding(**{**values, **kwargs})


def test_strength_ranks_ci_config_above_code_above_file_name_above_mention():
    assert Strength.CI_CONFIG > Strength.CODE > Strength.FILE_NAME > Strength.MENTION
    assert [s.label for s in Strength] == ["mention", "file_name", "code", "ci_config"]
