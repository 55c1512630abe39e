"""Data and model validation as met in real public repositories.

Data preparation, data versioning and model validation. Each pattern is a small synthetic archetype
with a positive case and a negative one: what must count as evidence, and a near miss that must not.
"""

import pytest

from ..archetypes import notebook
from ..snapshots import best_for
from .cases import CODE, PARAMS, case

PREPARATION = [
    case(
        "a-monitoring-baseline-processing-step-is-no-data-preparation",
        {
            "pipeline.py": "from sagemaker.workflow.steps import ProcessingStep\n"
            "baseline_step = ProcessingStep('baseline', processor=monitor_analyzer)\n"
        },
        "data_extraction_automation",
        None,
        None,
    ),
    case(
        "a-notebook-that-prepares-data-next-to-a-pipeline-prepares-it-by-hand",
        {"notebook/mlops.ipynb": notebook("import stepfunctions\ndf = preprocess(raw)\n")},
        "data_extraction_automation",
        None,
        None,
    ),
    case(
        "a-preprocessing-step-in-pipeline-code-is-automated-preparation",
        {
            "pipeline.py": "from sagemaker.workflow.steps import ProcessingStep\n"
            "step_process = ProcessingStep('preprocess', processor=sklearn_processor)\n"
        },
        "data_extraction_automation",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, PREPARATION)
def test_data_preparation_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


DATA_VERSIONS = [
    case(
        "azure-ml-registers-each-dataset-state-as-a-version",
        {
            "build_pipeline.py": "from azureml.core import Dataset\n"
            "ds = ds.register(workspace=ws, name='diabetes', create_new_version=True)\n"
        },
        "data_versioning",
        1,
        CODE,
    ),
    case(
        "registering-a-dataset-once-keeps-no-versions",
        {
            "build_pipeline.py": "from azureml.core import Dataset\n"
            "ds = ds.register(workspace=ws, name='diabetes')\n"
        },
        "data_versioning",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, DATA_VERSIONS)
def test_data_versioning_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


VALIDATION = [
    case(
        "an-evaluation-step-that-only-logs-metrics-gates-nothing",
        {
            "src/evaluate.py": "from sklearn.metrics import roc_auc_score\nimport json\n"
            "auc = roc_auc_score(y, p)\njson.dump({'auc': auc}, open('metrics.json', 'w'))\n"
        },
        "model_validation",
        None,
        None,
    ),
    case(
        "an-evaluation-step-that-stops-below-a-threshold-gates-the-model",
        {
            "src/evaluate.py": "from sklearn.metrics import roc_auc_score\nMIN_AUC = 0.8\n"
            "def check(y, p, metric_threshold=MIN_AUC):\n"
            "    if roc_auc_score(y, p) < metric_threshold:\n        raise SystemExit(1)\n"
        },
        "model_validation",
        1,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, VALIDATION)
def test_model_validation_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
