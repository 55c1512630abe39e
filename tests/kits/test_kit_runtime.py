"""Generated code run for real, as a team runs it: each kit applied to a team's repository as a
patch, its scripts run by the Python of an environment holding exactly the packages the kits
pin (tests/kits/kit_runtime.py), the MLflow ones against a real tracking server.

The runtime is built once per set of pins (minutes, the first time) and then reused from the
cache; the tracking server is shared by the tests, each of which registers its own model.
"""

import json
import random
import shutil
import subprocess
import urllib.parse
import urllib.request

import pytest

from assessments import kits
from assessments.demo.archetypes import src

from ..scanning.gitrepo import commit, git, make_repo
from .kit_runtime import (
    COMPLETE,
    KitRuntimeError,
    kit_runtime,
    mlflow_server,
    requirement_lines,
    runtime_folder,
)
from .test_kits import kit_of

# The first run builds the runtime inside the first test that needs it.
pytestmark = [pytest.mark.kit_runtime, pytest.mark.timeout(2400)]

# The kits whose packages the runtime holds: every one that adds requirements.
PINNING_KITS = ("monitoring", "experiment_tracking", "model_registry", "model_cd")
TRAIN = """
import json

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

data = pd.read_csv("data/train.csv")
features = pd.get_dummies(data.drop(columns="churned"), dtype=float)
train_x, test_x, train_y, test_y = train_test_split(features, data.churned, random_state=0)
model = LogisticRegression(max_iter=1000).fit(train_x, train_y)
joblib.dump(model, "{model_file}")
with open("metrics.json", "w") as metrics:
    json.dump({{"accuracy": model.score(test_x, test_y)}}, metrics)
"""


def customers(seed: int, *, drifted: bool = False, rows: int = 300) -> str:
    """A CSV sample of customers; drifted ones are older, richer, corporate and churn more."""
    rng = random.Random(seed)
    lines = ["age,income,segment,churned"]
    for _ in range(rows):
        age = rng.randint(45, 85) if drifted else rng.randint(18, 65)
        income = round(rng.gauss(95000 if drifted else 45000, 8000), 2)
        segment = rng.choice(
            ["corporate"] * 4 + ["retail"] if drifted else ["retail"] * 3 + ["corporate"]
        )
        churned = int(age > 60 or rng.random() < 0.1)
        lines.append(f"{age},{income},{segment},{churned}")
    return "\n".join(lines) + "\n"


def team_files(model_file: str = "model.joblib") -> dict[str, str]:
    """A team with a pinned requirements file, a training script that saves its model and
    writes its metrics, and a sample of its training data."""
    return {
        "README.md": "# Churn\n\nRun `python train.py`.\n",
        "requirements.txt": "pandas==2.2.3\nscikit-learn==1.6.1\n",
        "train.py": src(TRAIN.format(model_file=model_file)),
        "data/train.csv": customers(seed=1),
    }


def apply_kit(repo, step: str) -> kits.Kit:
    """The kit of the repository's last commit, applied with git and committed."""
    kit = kit_of(repo, step)
    patch = repo.parent / f"{step}.patch"
    patch.write_text(kits.as_patch(kit.changes))
    git(repo, "apply", str(patch))
    commit(repo, f"Level-up kit: {step}")
    return kit


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    """The kits' packages, as the requirements file of a team that applied them all says."""
    repo = make_repo(tmp_path_factory.mktemp("pins") / "repo", team_files())
    files = [
        change.after
        for step in PINNING_KITS
        for change in kit_of(repo, step).changes
        if change.path == "requirements.txt"
    ]
    try:
        return kit_runtime(requirement_lines(*files))
    except KitRuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def tracking_server(runtime, tmp_path_factory):
    server = mlflow_server(runtime, tmp_path_factory.mktemp("mlflow"))
    try:
        started = server.__enter__()
    except KitRuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield started
    server.__exit__(None, None, None)


def script_path(runtime) -> str:
    return f"{runtime / 'bin'}:/usr/bin:/bin"


def run(runtime, repo, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The runtime's Python running a script in the team's repository."""
    return subprocess.run(  # noqa: S603 - the kit's own scripts, in a temporary repository
        [str(runtime / "bin" / "python"), *args],
        cwd=repo,
        env={"PATH": script_path(runtime), "HOME": str(repo.parent), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def api(server, path: str, body: dict | None = None, **query: str) -> dict:
    """A call to the tracking server's REST API: GET with `query`, or POST of `body`."""
    url = f"{server.url}/api/2.0/mlflow/{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the local tracking server
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost
        return json.loads(response.read())


def tracked_repo(tmp_path, server, model: str):
    """A team that applied the tracking and registry kits, with an experiment of its own."""
    repo = make_repo(tmp_path / "repo", team_files(f"{model}.joblib"))
    apply_kit(repo, "experiment_tracking")
    apply_kit(repo, "model_registry")
    experiment = api(server, "experiments/create", {"name": model})["experiment_id"]
    env = {"MLFLOW_TRACKING_URI": server.url, "MLFLOW_EXPERIMENT_ID": experiment}
    return repo, env, experiment


def assert_ran(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_runtime_that_cannot_be_built_fails_saying_why_and_is_not_kept(tmp_path):
    requirements = ["not one requirement"]  # refused by pip before it asks the index
    with pytest.raises(KitRuntimeError) as refused:
        kit_runtime(requirements, cache=tmp_path)
    assert str(refused.value).startswith(
        "The kit runtime was not built: pip could not install the kits' requirements "
        "['not one requirement'] on Python 3."
    )
    assert "Invalid requirement" in str(refused.value)
    assert not (runtime_folder(requirements, tmp_path) / COMPLETE).exists()


def test_the_drift_script_alerts_on_drifted_data_and_not_on_fresh_data(runtime, tmp_path):
    repo = make_repo(tmp_path / "repo", team_files())
    apply_kit(repo, "monitoring")
    (tmp_path / "drifted.csv").write_text(customers(seed=2, drifted=True))
    (tmp_path / "fresh.csv").write_text(customers(seed=3))
    report = repo / "drift_report.html"

    # As CI runs it: the current data named by the CURRENT_DATA variable.
    drifted = run(runtime, repo, "monitor_drift.py", CURRENT_DATA=str(tmp_path / "drifted.csv"))
    assert drifted.returncode == 1, drifted.stderr[-3000:]
    assert drifted.stdout == "100% of the columns drifted; the report is in drift_report.html.\n"
    assert drifted.stderr.endswith("The data has drifted from the reference.\n")
    assert "<html" in report.read_text()[:2000].lower()

    report.unlink()
    fresh = run(runtime, repo, "monitor_drift.py", str(tmp_path / "fresh.csv"))
    assert_ran(fresh)
    assert "has drifted" not in fresh.stderr
    share = int(fresh.stdout.split("%", 1)[0])
    assert share < 50
    assert report.exists()


def test_a_tracked_training_is_registered_and_delivered_from_the_registry(
    runtime, tracking_server, tmp_path
):
    repo, env, experiment = tracked_repo(tmp_path, tracking_server, "churn_delivered")
    apply_kit(repo, "model_cd")

    assert_ran(run(runtime, repo, "train_tracked.py", **env))
    (trained,) = api(tracking_server, "runs/search", {"experiment_ids": [experiment]})["runs"]
    params = {p["key"]: p["value"] for p in trained["data"]["params"]}
    assert params["training_script"] == "train.py"
    assert params["max_iter"] == "1000"  # autologged from the team's estimator
    assert trained["info"]["status"] == "FINISHED"

    for version in ("1", "2"):
        registered = assert_ran(run(runtime, repo, "register_model.py", **env))
        assert registered.endswith(f"\nRegistered churn_delivered version {version}\n")
    versions = api(tracking_server, "model-versions/search", filter="name='churn_delivered'")
    assert sorted(v["version"] for v in versions["model_versions"]) == ["1", "2"]

    assert_ran(run(runtime, repo, "deploy_model.py", "promote", MODEL_VERSION="1", **env))
    unknown = run(runtime, repo, "deploy_model.py", "promote", MODEL_VERSION="9", **env)
    assert unknown.returncode == 1
    assert "RESOURCE_DOES_NOT_EXIST" in unknown.stderr
    alias = api(
        tracking_server, "registered-models/alias", name="churn_delivered", alias="production"
    )
    assert alias["model_version"]["version"] == "1"

    # No docker on the scripts' PATH (no daemon runs here): the build gets as far as running
    # it, with the version's model fetched from the registry to make the image of.
    assert shutil.which("docker", path=script_path(runtime)) is None
    image = {"IMAGE": "ghcr.io/team/churn", **env}
    built = run(runtime, repo, "deploy_model.py", "build", MODEL_VERSION="2", **image)
    assert built.returncode == 1
    command = (
        "mlflow models build-docker --model-uri models:/churn_delivered/2 "
        "--name ghcr.io/team/churn:v2"
    )
    assert built.stderr.endswith(f"build stopped: {command} exited with 1.\n")
    fetched, running = built.stderr.split("Building docker image with name ghcr.io/team/churn:v2")
    assert "Downloading artifacts: 100%" in fetched
    assert "No such file or directory: 'docker'" in running
    missing = run(runtime, repo, "deploy_model.py", "build", MODEL_VERSION="9", **image)
    assert missing.returncode == 1
    assert "RESOURCE_DOES_NOT_EXIST" in missing.stderr
    assert "Building docker image" not in missing.stderr


def test_validation_compares_the_candidate_with_the_production_version_both_ways(
    runtime, tracking_server, tmp_path
):
    repo, env, _ = tracked_repo(tmp_path, tracking_server, "churn_validated")
    # Now that the code imports mlflow, the validation kit reads production from the registry.
    validation = apply_kit(repo, "model_validation")
    script = next(c.after for c in validation.changes if c.path == "validate_model.py")
    assert "REGISTERED_MODEL = 'churn_validated'" in script
    apply_kit(repo, "model_cd")
    assert_ran(run(runtime, repo, "train.py"))  # as the validation workflow trains

    first = run(runtime, repo, "validate_model.py", **env)
    assert assert_ran(first) == "No production model yet: the candidate passes.\n"
    assert_ran(run(runtime, repo, "register_model.py", **env))
    promoted = run(runtime, repo, "deploy_model.py", "promote", MODEL_VERSION="1", **env)
    assert assert_ran(promoted) == "churn_validated version 1 is now production.\n"

    production = json.loads((repo / "metrics.json").read_text())["accuracy"]
    same = run(runtime, repo, "validate_model.py", **env)
    assert assert_ran(same) == "The candidate is at least as good as the production model.\n"
    (repo / "metrics.json").write_text(json.dumps({"accuracy": production - 0.1}))
    worse = run(runtime, repo, "validate_model.py", **env)
    assert worse.returncode == 1, worse.stderr[-3000:]
    assert f"accuracy: {production - 0.1} is worse than production's {production}" in worse.stderr
