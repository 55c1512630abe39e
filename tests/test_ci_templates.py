"""The CI templates in docs/ci are valid for their CI system, and their command lines work.

Each template is checked against the CI system's published schema (as check-jsonschema ships
them), then its shell steps run, in order, in a workspace laid out as the CI system lays it out:
the ML repository cloned from a remote with the target branch, MLMaturity beside it. Only the
steps that need the network (installing packages, fetching MLMaturity) are left out, and the
test names them, so a template that grows another step is noticed.
"""

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from .scanning import archetypes
from .scanning.gitrepo import commit, git, make_repo

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "docs" / "ci"
NETWORK_STEPS = {
    "pip install -r mlmaturity/requirements.txt",
    'git clone --depth 1 "$MLMATURITY_REPOSITORY" ../mlmaturity',
    "pip install -r ../mlmaturity/requirements.txt",
}


def load(name: str):
    # YAML 1.2, as the CI systems read it: `on:` is a key, not the boolean true.
    return YAML(typ="safe").load((TEMPLATES / name).read_text())


def published_schema(name: str) -> dict:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath(name).read_text())


@pytest.mark.parametrize(
    ("template", "schema"),
    [("github-actions.yml", "github-workflows.json"), ("gitlab-ci.yml", "gitlab-ci.json")],
)
def test_the_template_is_valid_for_its_ci_system(template, schema):
    published = published_schema(schema)
    validator = jsonschema.validators.validator_for(published)(published)
    errors = [error.message for error in validator.iter_errors(load(template))]
    assert errors == []


def test_no_github_expression_is_expanded_inside_a_script():
    # Expressions in `run:` are pasted into the script before the shell sees it: a branch
    # name could run commands. They go through the environment instead.
    steps = load("github-actions.yml")["jobs"]["maturity"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)


@pytest.fixture
def workspace(tmp_path):
    """An upstream repository at the maturity of ORCHESTRATED on main, cloned with a pull
    request branch checked out; MLMaturity beside it; `python` this interpreter."""
    upstream = make_repo(tmp_path / "upstream", archetypes.ORCHESTRATED)
    work = tmp_path / "work"
    work.mkdir()
    git(work, "clone", "-q", str(upstream), "repository")
    clone = work / "repository"
    git(clone, "checkout", "-q", "-b", "pull-request")
    (work / "mlmaturity").symlink_to(ROOT)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A wrapper, not a link: a virtual environment's python finds its packages from the path
    # it was started by.
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return work, clone, bin_dir


def run_script(script: str, *, cwd: Path, bin_dir: Path, env: dict[str, str]):
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        **env,
    }
    for name in ("DATABASE_URL", "REDIS_URL"):  # the CLI needs neither
        environment.pop(name, None)
    return subprocess.run(  # noqa: S603 - the template's own script, in a temporary workspace
        ["bash", "-eo", "pipefail", "-c", script],  # noqa: S607
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def github_scripts():
    steps = load("github-actions.yml")["jobs"]["maturity"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts[0].strip() in NETWORK_STEPS
    return scripts[1:]


@pytest.mark.parametrize("worse", [False, True])
def test_the_github_actions_steps_scan_compare_and_gate(workspace, worse):
    work, clone, bin_dir = workspace
    if worse:
        (clone / "src/churn/validate.py").unlink()
    commit(clone, "The pull request's change")
    summary = work / "summary.md"
    env = {"BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    scan, baseline, gate = github_scripts()

    scanned = run_script(scan, cwd=work, bin_dir=bin_dir, env=env)
    assert scanned.returncode == 0, scanned.stderr
    assert json.loads((work / "maturity.sarif").read_text())["version"] == "2.1.0"
    assert run_script(baseline, cwd=work, bin_dir=bin_dir, env=env).returncode == 0
    assert json.loads((work / "baseline.json").read_text())["overall_level"] == 1

    gated = run_script(gate, cwd=work, bin_dir=bin_dir, env=env)
    assert gated.returncode == (3 if worse else 0), gated.stderr
    if worse:
        assert "this change is worse than the baseline" in summary.read_text()
        assert "Data validation gate went from 1 to 0" in summary.read_text()
    else:
        assert "this change is no worse than the baseline" in summary.read_text()


@pytest.mark.parametrize("worse", [False, True])
def test_the_gitlab_ci_job_scans_compares_and_gates(workspace, worse):
    work, clone, bin_dir = workspace
    if worse:
        (clone / "src/churn/validate.py").unlink()
    commit(clone, "The merge request's change")
    job = load("gitlab-ci.yml")["mlops-maturity"]
    assert set(job["before_script"]) <= NETWORK_STEPS
    env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    outcomes = [
        run_script(line, cwd=clone, bin_dir=bin_dir, env=env).returncode for line in job["script"]
    ]
    assert outcomes == [0, 3 if worse else 0]
    assert json.loads((clone / "maturity.json").read_text())["overall_level"] in (0, 1)
    comment = (clone / "maturity.md").read_text()
    assert ("is worse than" in comment) is worse
