"""Detector table: CI/CD.

Given these files, the strongest evidence for the capability is this. The rows cover CI, automated
and ML-specific tests, pipeline and model CD, pre-deployment checks and staged promotion. Each row
is one small repository in memory; ``None`` means no finding at all.
"""

from .tables import CI, CODE, GH_TESTS, SK, detector_table_test, row

A_TEST = "from x import f\ndef test_f():\n    assert f() == 1\n"


TABLE = [
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
]

test_detector_table = detector_table_test(TABLE)
