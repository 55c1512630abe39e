"""Serving as met in real public repositories.

The prediction service and its logging of predictions. Each pattern is a small synthetic
archetype with a positive case and a negative one: what must count as evidence, and a near miss
that must not.
"""

import pytest

from ..snapshots import best_for
from .cases import CODE, PARAMS, case

ROUTER = (
    "from fastapi import APIRouter\n"
    "from app.services.model import get_model\n"
    "router = APIRouter()\n"
    "@router.post('/predict')\n"
    "def predict(x):\n"
    "    return get_model().predict([x])\n"
)
MODEL_MODULE = "import joblib\ndef get_model():\n    return joblib.load('model.joblib')\n"


SERVING = [
    case(
        "router-serves-model-loaded-in-another-module",
        {"app/api/routes.py": ROUTER, "app/services/model.py": MODEL_MODULE},
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "app-imports-a-module-that-loads-a-pickle-but-nothing-predicts",
        {
            "app/main.py": "from fastapi import FastAPI\nfrom app.cache import table\n",
            "app/cache.py": "import pickle\ntable = pickle.load(open('lookup.pkl', 'rb'))\n",
        },
        "prediction_service",
        None,
        None,
    ),
    case(
        "flask-app-reaches-the-loader-through-two-sibling-modules",
        {
            "svc/flask_app.py": "from flask import Flask\nfrom pipeline import Inference\n",
            "svc/pipeline.py": "from load_model import load\nclass Inference:\n"
            "    def run(self, x):\n        return load().predict(x)\n",
            "svc/load_model.py": "import mlflow\ndef load():\n"
            "    return mlflow.pyfunc.load_model('models:/m/1')\n",
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "resource-predicts-with-a-model-the-package-restores",
        {
            "src/api/resources.py": "from flask_restx import Resource\nimport src.registry\n"
            "class Predict(Resource):\n    def post(self):\n"
            "        return src.registry.models['m'].predict(1)\n",
            "src/backend/models.py": "import tensorflow as tf\n"
            "model = tf.keras.models.load_model('m')\n",
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "predicting-route-with-no-model-loaded-anywhere",
        {"api/app.py": "from fastapi import FastAPI\ndef f(m, x):\n    return m.predict(x)\n"},
        "prediction_service",
        None,
        None,
    ),
    case(
        "lightgbm-booster-loaded-from-a-file-and-served",
        {
            "api/app.py": "from fastapi import FastAPI\nimport lightgbm as lgb\n"
            "model = lgb.Booster(model_file='model.txt')\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "lightgbm-trained-without-a-service",
        {"train.py": "import lightgbm as lgb\nmodel = lgb.train({}, data)\n"},
        "prediction_service",
        None,
        None,
    ),
    # managed endpoints
    case(
        "lambda-invokes-a-sagemaker-endpoint",
        {
            "lambda.py": "import boto3\nrt = boto3.client('sagemaker-runtime')\n"
            "def handler(e, c):\n    return rt.invoke_endpoint(EndpointName='m', Body=e)\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "endpoint-invoked-only-in-tests",
        {"tests/test_endpoint.py": "def test_it(rt):\n    rt.invoke_endpoint(EndpointName='m')\n"},
        "prediction_service",
        None,
        None,
    ),
    case(
        "sagemaker-sdk-deploys-the-model",
        {
            "deploy.py": "from sagemaker.model import Model\n"
            "Model(image_uri='i', model_data='s3://m').deploy(instance_type='ml.m5.large')\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "deploy-call-without-a-cloud-sdk",
        {"fabfile.py": "from fabric import Connection\nConnection('host').deploy()\n"},
        "prediction_service",
        None,
        None,
    ),
    case(
        "cloudformation-declares-an-endpoint",
        {
            "deploy-model.yml": "Resources:\n  Endpoint:\n"
            "    Type: 'AWS::SageMaker::Endpoint'\n    Properties: {}\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "cloudformation-without-an-endpoint",
        {"stack.yml": "Resources:\n  Bucket:\n    Type: 'AWS::S3::Bucket'\n"},
        "prediction_service",
        None,
        None,
    ),
    case(
        "mlflow-deployment-client-creates-an-endpoint",
        {
            "backend.py": "from mlflow.deployments import get_deploy_client\n"
            "client = get_deploy_client('sagemaker:/eu-west-1')\n"
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "justfile-recipe-serves-the-model",
        {"justfile": "serve:\n    mlflow models serve -m models:/m/latest --port 8080\n"},
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "justfile-without-serving",
        {"justfile": "test:\n    pytest -q\n"},
        "prediction_service",
        None,
        None,
    ),
    # applications answering with a language model
    case(
        "fastapi-backend-answers-with-a-local-llm",
        {
            "backend/main.py": "from fastapi import FastAPI\nfrom bot.client import answer\n",
            "bot/client.py": "from llama_cpp import Llama\n"
            "def answer(q):\n    return Llama('m')(q)\n",
        },
        "prediction_service",
        1,
        CODE,
    ),
    case(
        "streamlit-app-over-a-rag-agent",
        {
            "Home.py": "import streamlit as st\nfrom core.agent import build\n",
            "core/agent.py": "from llama_index.core import VectorStoreIndex\n",
        },
        "prediction_service",
        0.5,
        CODE,
    ),
    case(
        "llm-script-without-an-app",
        {"summarise.py": "from openai import OpenAI\nOpenAI().responses.create(input='x')\n"},
        "prediction_service",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, SERVING)
def test_serving_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


LOGGING = [
    case(
        "service-writes-each-inference-to-a-time-series-store",
        {
            "inference/app.py": "from flask import Flask\nfrom log_run import log_run\n",
            "inference/log_run.py": "def log_run(x, y):\n    write_inference_record(x, y)\n",
        },
        "prediction_logging",
        1,
        CODE,
    ),
    case(
        "served-model-saves-its-inputs-and-outputs",
        {
            "src/inference/model.py": "import mlflow\nclass Model(mlflow.pyfunc.PythonModel):\n"
            "    def predict(self, context, model_input):\n"
            "        model_output = self.model.predict(model_input)\n"
            "        self.backend.save(model_input, model_output)\n"
        },
        "prediction_logging",
        1,
        CODE,
    ),
    case(
        "batch-pipeline-writes-predictions-to-a-table",
        {
            "pipelines/etl.py": "import apache_beam as beam\n"
            "def run_store_predictions_pipeline(args):\n    pass\n",
            "pipelines/components.py": "from pipelines import etl\n"
            "def datastore_prediction_writer():\n    etl.run_store_predictions_pipeline({})\n",
        },
        "prediction_logging",
        None,
        None,
    ),
    case(
        "ui-shows-a-prediction-without-storing-it",
        {"frontend/app.py": "import streamlit as st\nst.write('Your prediction is ready.')\n"},
        "prediction_logging",
        None,
        None,
    ),
    case(
        "endpoint-template-captures-data",
        {
            "deploy-prod.yml": "Resources:\n  Config:\n"
            "    Type: 'AWS::SageMaker::EndpointConfig'\n    Properties:\n"
            "      DataCaptureConfig:\n        EnableCapture: true\n"
        },
        "prediction_logging",
        1,
        CODE,
    ),
    case(
        "data-capture-only-checked-in-a-test",
        {
            "tests/test_endpoint.py": "def test_it(r):\n"
            "    assert r['DataCaptureConfig']['EnableCapture']\n"
        },
        "prediction_logging",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, LOGGING)
def test_prediction_logging_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
