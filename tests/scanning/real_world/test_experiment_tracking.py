"""Experiment tracking as met in real public repositories.

Tracking in scripts and in notebooks. Each pattern is a small synthetic archetype with a positive
case and a negative one: what must count as evidence, and a near miss that must not.
"""

import pytest

from ..archetypes import notebook
from ..snapshots import best_for
from .cases import CODE, PARAMS, case

TRACKING = [
    case(
        "sagemaker-jobs-recorded-as-experiment-trials",
        {
            "run_pipeline.py": "from stepfunctions import steps\n"
            "step = steps.sagemaker.TrainingStep('train', estimator=est,\n"
            "    experiment_config={'ExperimentName': name, 'TrialName': trial})\n"
        },
        "experiment_tracking",
        1,
        CODE,
    ),
    case(
        "an-experiment-config-without-a-trial-tracks-nothing",
        {"train.py": "import sklearn\nfit(experiment_config=None)\n"},
        "experiment_tracking",
        None,
        None,
    ),
]


@pytest.mark.parametrize(PARAMS, TRACKING)
def test_experiment_tracking_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)


NOTEBOOK_TRACKING = [
    case(
        "tensorboard-in-a-tutorial-notebook-tracks-no-runs",
        {
            "10_neural_nets.ipynb": notebook(
                "import tensorflow as tf\ncb = tf.keras.callbacks.TensorBoard(log_dir)\n"
            )
        },
        "experiment_tracking",
        None,
        None,
    ),
    case(
        "tensorboard-in-training-code-logs-each-run",
        {
            "train.py": "from torch.utils.tensorboard import SummaryWriter\n"
            "writer = SummaryWriter()\n"
        },
        "experiment_tracking",
        0.5,
        CODE,
    ),
]


@pytest.mark.parametrize(PARAMS, NOTEBOOK_TRACKING)
def test_notebook_tracking_patterns(files, capability, grade, strength):
    assert best_for(files, capability) == (grade, strength)
