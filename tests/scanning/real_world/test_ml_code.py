"""Shapes of ML code met in real public repositories, as small synthetic archetypes.

Each pattern has a case that must be recognised and one close to it that must not be.
"""

import json

from assessments.scanning import scan_repository

from ..gitrepo import make_repo

FLASK_SERVICE = """\
import flask

from model_store import load_estimator

app = flask.Flask(__name__)
estimator = load_estimator("artefacts/estimator.joblib")


@app.post("/predict")
def predict():
    return {"value": float(estimator.predict([flask.request.json["features"]])[0])}
"""


def scan(tmp_path, files):
    return scan_repository(str(make_repo(tmp_path / "repo", files)))


def grade(report, key):
    return next((c.grade for c in report.capabilities if c.key == key), None)


# -- ML code that only loads a model or calls a hosted one -----------------------------------


def test_a_service_loading_a_joblib_model_in_another_module_is_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "model_store.py": "import joblib\n\n\ndef load_estimator(path):\n"
            "    model = joblib.load(path)\n    return model\n",
            "app.py": FLASK_SERVICE,
        },
    )
    assert report.inconclusive is False
    assert "no_ml_code" not in report.flags
    assert grade(report, "version_control") == 1.0


def test_a_model_loaded_with_a_bare_load_and_predicted_with_is_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "score.py": "from pickle import load\n\nwith open('m.bin', 'rb') as f:\n"
            "    thing = load(f)\nprint(thing.predict([[1, 2]]))\n",
        },
    )
    assert report.inconclusive is False


def test_an_llm_application_is_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "chain.py": "from langchain_openai import ChatOpenAI\n\n"
            "llm = ChatOpenAI(model='some-model')\n",
        },
    )
    assert report.inconclusive is False
    assert grade(report, "version_control") == 1.0


def test_a_function_invoking_a_hosted_model_endpoint_is_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "handler.py": "import boto3\n\nruntime = boto3.client('sagemaker-runtime')\n\n\n"
            "def handler(event, context):\n"
            "    return runtime.invoke_endpoint(EndpointName='x', Body=event['body'])\n",
        },
    )
    assert report.inconclusive is False


def test_a_web_app_pickling_sessions_and_caches_is_not_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "app.py": "import pickle\n\nimport flask\n\napp = flask.Flask(__name__)\n\n\n"
            "def restore(path):\n    with open(path, 'rb') as f:\n"
            "        session = pickle.load(f)\n    return session\n",
            "cache.py": "from joblib import Memory, load\n\nmemory = Memory('.cache')\n"
            "rows = load('rows.joblib')\n",
            "README.md": "An ML platform using openai and a model.pkl.\n",
        },
    )
    assert report.inconclusive is True
    assert "no_ml_code" in report.flags


# -- committed model binaries, however small -------------------------------------------------

TRAIN = {"train.py": "from sklearn.linear_model import Ridge\nmodel = Ridge()\n"}


def test_a_tiny_committed_model_is_flagged(tmp_path):
    report = scan(tmp_path, {**TRAIN, "model.pkl": b"\x80\x04\x95\x10N."})
    assert "model_binaries_committed" in report.flags
    assert grade(report, "version_control") == 1.0  # the smell is a flag, not a lower grade


def test_less_common_and_compressed_model_formats_are_flagged(tmp_path):
    for name in ("models/booster.ubj.zip", "artefacts/pytorch_model.bin", "out/model.tar.gz"):
        report = scan(tmp_path / name.replace("/", "_"), {**TRAIN, name: b"\x00\x01binary"})
        assert "model_binaries_committed" in report.flags, name


def test_fixtures_lfs_pointers_and_unrelated_binaries_are_not_flagged(tmp_path):
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\n"
    report = scan(
        tmp_path,
        {
            **TRAIN,
            "tests/fixtures/tiny.joblib": b"\x80\x04N.",
            "models/model.pkl": pointer,
            "infra/lambda.zip": b"PK\x03\x04",
            "index/header.bin": b"\x00\x01",
            "empty.h5": b"",
        },
    )
    assert "model_binaries_committed" not in report.flags


# -- pipeline steps as separate scripts or modules, without packaging -------------------------


def step_script(name):
    return (
        "import argparse\n\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\n\n\n"
        "def main():\n    parser = argparse.ArgumentParser()\n"
        "    parser.add_argument('--data')\n    args = parser.parse_args()\n"
        f"    print('{name}', args.data, Ridge, pd)\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    )


AZURE_PIPELINE = """\
type: pipeline
jobs:
  prep:
    code: ../steps
    command: python prep.py --data ${{inputs.raw}}
  train:
    code: ../steps
    command: python train.py --data ${{outputs.prepared}}
"""


def test_a_pipeline_spec_running_one_script_per_step_is_modular(tmp_path):
    report = scan(
        tmp_path,
        {
            "pipelines/train.yml": AZURE_PIPELINE,
            "steps/prep.py": step_script("prep"),
            "steps/train.py": step_script("train"),
        },
    )
    assert grade(report, "modular_code") == 1.0


def test_an_airflow_dag_calling_functions_of_step_modules_is_modular(tmp_path):
    report = scan(
        tmp_path,
        {
            "dags/training_dag.py": "from airflow import DAG\n"
            "from airflow.operators.python import PythonOperator\n"
            "from src.ingest import fetch\nfrom src.model import fit\n\n"
            "with DAG('training') as dag:\n"
            "    PythonOperator(task_id='fetch', python_callable=fetch)\n"
            "    PythonOperator(task_id='fit', python_callable=fit)\n",
            "dags/src/__init__.py": "",
            "dags/src/ingest.py": "def fetch():\n    return []\n",
            "dags/src/model.py": "from sklearn.linear_model import Ridge\n\n\n"
            "def fit():\n    return Ridge()\n",
        },
    )
    assert grade(report, "modular_code") == 1.0


def test_step_scripts_without_an_orchestrator_are_not_modular_components(tmp_path):
    report = scan(tmp_path, {"prep.py": step_script("prep"), "train.py": step_script("train")})
    assert grade(report, "modular_code") < 1.0


def test_a_dag_importing_only_helpers_is_not_modular_components(tmp_path):
    report = scan(
        tmp_path,
        {
            "dags/dag.py": "from airflow import DAG\nfrom airflow.operators.bash import "
            "BashOperator\nfrom config import settings\nfrom utils import notify\n\n"
            "with DAG('d') as dag:\n    BashOperator(task_id='t', bash_command='make')\n",
            "dags/config.py": "settings = {}\n",
            "dags/utils.py": "def notify():\n    pass\n",
            "notebook_train.py": "from sklearn.linear_model import Ridge\nRidge()\n",
        },
    )
    assert grade(report, "modular_code") < 1.0


# -- notebook collections, monorepos and templates --------------------------------------------


def notebook(*lines):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    cells = [{**cell, "source": [line + "\n" for line in lines]}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


CHAPTER = notebook("from sklearn.svm import SVC", "from helpers import plot_margin", "SVC()")
HELPER = "import matplotlib.pyplot as plt\nfrom sklearn.svm import SVC\n\n\ndef plot_margin(m):\n"
HELPER += "    plt.plot([0, 1])\n"


def test_notebooks_with_a_helper_only_they_import_are_notebook_only(tmp_path):
    report = scan(tmp_path, {"chapters/05-svm.ipynb": CHAPTER, "chapters/helpers.py": HELPER})
    assert "notebook_only" in report.flags


def test_a_helper_a_training_script_also_imports_is_not_notebook_only(tmp_path):
    report = scan(
        tmp_path,
        {
            "chapters/05-svm.ipynb": CHAPTER,
            "chapters/helpers.py": HELPER,
            "chapters/train.py": "from helpers import plot_margin\nplot_margin(None)\n",
        },
    )
    assert "notebook_only" not in report.flags


def test_examples_each_with_requirements_in_make_a_monorepo(tmp_path):
    files = {}
    for name in ("forecasting", "churn", "vision"):
        files[f"examples/{name}/requirements.in"] = "scikit-learn\n"
        files[f"examples/{name}/{name}/workflow.py"] = "from sklearn.svm import SVC\nSVC()\n"
    assert "monorepo" in scan(tmp_path, files).flags


def test_services_under_one_projects_src_folder_are_not_a_monorepo(tmp_path):
    files = {"requirements.txt": "scikit-learn\n", "docker-compose.yml": "services: {}\n"}
    for name in ("inference", "training", "edge"):
        files[f"src/{name}/requirements.txt"] = "scikit-learn\n"
        files[f"src/{name}/main.py"] = "from sklearn.svm import SVC\nSVC()\n"
    assert "monorepo" not in scan(tmp_path, files).flags


def test_a_copier_template_and_a_collection_of_starters_are_templates(tmp_path):
    copier = {"copier.yaml": "project_name: {type: str}\n", "src/train.py.jinja": "import torch\n"}
    assert "template" in scan(tmp_path / "copier", copier).flags
    starters = {
        "iris/cookiecutter.json": "{}",
        "iris/prompts.yml": "name: iris\n",
        "iris/train.py": "from sklearn.svm import SVC\n",
    }
    assert "template" in scan(tmp_path / "starters", starters).flags


def test_a_project_rendering_pages_and_configs_with_jinja_is_not_a_template(tmp_path):
    files = {
        "train.py": "from sklearn.svm import SVC\n",
        "templates/index.html.jinja": "<p>{{ score }}</p>\n",
        "deploy/values.yaml.jinja": "replicas: {{ n }}\n",
        "tests/fixtures/gen/cookiecutter.json": "{}",
    }
    assert "template" not in scan(tmp_path, files).flags


# -- infrastructure and containers -----------------------------------------------------------

CLOUDFORMATION = """\
Description: Buckets and roles for the training pipeline.
Parameters:
  ProjectName:
    Type: String
Resources:
  ArtefactBucket:
    Type: AWS::S3::Bucket
"""


def test_a_cloudformation_template_without_a_format_version_is_infrastructure_as_code(tmp_path):
    report = scan(tmp_path, {**TRAIN, "project/template.yml": CLOUDFORMATION})
    assert grade(report, "infrastructure_as_code") == 1.0


def test_a_yaml_file_only_mentioning_aws_resource_types_is_not_infrastructure(tmp_path):
    notes = "Description: the stack creates an AWS::S3::Bucket by hand\nsteps: [train]\n"
    report = scan(tmp_path, {**TRAIN, "notes.yml": notes})
    assert not grade(report, "infrastructure_as_code")


def test_deploying_to_a_prebuilt_serving_image_is_not_containerisation(tmp_path):
    deploy = (
        "from sagemaker.model import Model\n\n"
        "Model(image_uri='prebuilt-inference:latest', model_data='s3://b/m.tar.gz')"
        ".deploy(initial_instance_count=1, instance_type='ml.m5.large')\n"
    )
    report = scan(tmp_path, {**TRAIN, "infra/deploy.py": deploy})
    assert not grade(report, "containerization")


def test_pipeline_steps_running_in_images_are_containerised(tmp_path):
    pipeline = (
        "from kfp import dsl\n\n\n@dsl.component(base_image='python:3.11')\n"
        "def train():\n    pass\n\n\n@dsl.pipeline(name='p')\ndef p():\n    train()\n"
    )
    report = scan(tmp_path, {**TRAIN, "pipeline.py": pipeline})
    assert grade(report, "containerization") == 0.5
