"""Hostile and broken repositories: nothing is followed, fetched, executed or crashed on."""

import json
import os
import random
from pathlib import Path

import pytest

from assessments.scanning import LimitExceeded, ScanLimits, scan_repository
from assessments.scanning.addresses import SafeRepositoryURL
from assessments.scanning.git import Deadline, GitSession, fetch_shallow
from assessments.scanning.scan import analyze_snapshot, open_snapshot

from . import archetypes
from .gitrepo import commit, git, make_repo

PASSWD_LINE = "root:x:0:0"


def all_text(report) -> str:
    return json.dumps(report.to_dict()) + "".join(f.reason for f in report.findings)


def test_symlinks_are_never_followed_or_read(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {"model/train.py": "import torch\n"},
        symlinks={
            "requirements.txt": "/etc/passwd",
            "train.py": "/etc/passwd",
            "configs": "../../..",
            "escape": "../../../../../../",
        },
    )
    report = scan_repository(str(repo))
    assert report.facts["symlinks_skipped"] == 4
    paths = {f.path for f in report.findings}
    assert not paths & {"requirements.txt", "train.py", "configs", "escape"}
    assert PASSWD_LINE not in all_text(report)
    assert grade_of(report, "reproducible_environment") == 0.0


def grade_of(report, key):
    return next((c.grade for c in report.capabilities if c.key == key), None)


def test_a_submodule_pointing_to_a_local_path_is_not_fetched(tmp_path):
    inner = make_repo(
        tmp_path / "inner",
        {
            "track.py": "import mlflow\nmlflow.log_metric('auc', 1)\n"
            "mlflow.register_model('x', 'y')\n"
        },
    )
    outer = make_repo(tmp_path / "outer", {"train.py": "import sklearn\n"})
    git(
        outer,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(inner),
        "libs/inner",
    )
    commit(outer, "Add submodule")
    report = scan_repository(str(outer))
    assert report.facts["submodules_skipped"] == 1
    assert grade_of(report, "experiment_tracking") == 0.0
    assert grade_of(report, "model_registry") == 0.0
    assert not any((f.path or "").startswith("libs/inner/") for f in report.findings)


def test_binary_junk_and_malformed_files_do_not_break_a_scan(tmp_path):
    noise = random.Random(4).randbytes(20_000)
    deep = "[" * 100_000 + "]" * 100_000
    files = {
        "train.py": "import sklearn\nimport mlflow\nmlflow.log_metric('a', 1)\n",
        "junk.py": b"import torch\0" + noise,
        "weights.bin": noise,
        "bad-utf8.yaml": b"jobs:\n  \xff\xfe: \x00\x01\n",
        "dvc.yaml": "stages: [unclosed\n  - {{{\n",
        "dvc.lock": b"\0\0\0",
        "pyproject.toml": "[project\nname = \n",
        "Pipfile": "[packages\n",
        "environment.yml": "dependencies: - - - :\n",
        "setup.py": "install_requires=[\n",
        "nb/broken.ipynb": '{"cells": [',
        "nb/odd.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": {"a": 1}}, 7, None]}),
        "nb/deep.ipynb": deep,
        "nb/v3.ipynb": json.dumps(
            {
                "worksheets": [
                    {"cells": [{"cell_type": "code", "input": "import wandb\nwandb.init()"}]}
                ]
            }
        ),
        ".github/workflows/broken.yml": "on: [push\njobs: {{{\n",
        "artifacts.yaml": ":\n-\n",
        ".gitattributes": b"\xff\xfe*.csv filter=lfs\n",
    }
    report = scan_repository(str(make_repo(tmp_path / "repo", files)))
    assert report.inconclusive is False
    assert grade_of(report, "experiment_tracking") == 1.0
    json.dumps(report.to_dict())  # serialisable whatever the input


def test_a_path_with_a_newline_is_reported_faithfully(tmp_path):
    repo = make_repo(tmp_path / "repo", {"odd\nname.py": "import torch\n", "ok.py": "x = 1\n"})
    report = scan_repository(str(repo))
    assert report.inconclusive is False
    assert report.facts["ml_files"] == 1
    version = next(c for c in report.capabilities if c.key == "version_control")
    assert version.evidence[0].path == "odd\nname.py"
    assert "odd\\nname.py" in json.dumps(report.to_dict())


def test_files_over_the_blob_limit_are_skipped_not_fatal(tmp_path):
    files = {
        **archetypes.TRAINING_SCRIPTS,
        "requirements.txt": "".join(f"package{i}=={i}.0\n" for i in range(200)),
        "nb/huge.ipynb": archetypes.notebook("import torch\n" + "x = 1\n" * 5000),
    }
    limits = ScanLimits(max_blob_bytes=1_000, max_notebook_bytes=1_000)
    report = scan_repository(str(make_repo(tmp_path / "repo", files)), limits=limits)
    assert report.overall_level == 0
    assert grade_of(report, "reproducible_environment") == 0.0  # too big to read: no claim


def test_blobs_left_out_by_a_partial_fetch_are_flagged_missing(tmp_path):
    source = make_repo(
        tmp_path / "source",
        {
            **archetypes.TRAINING_SCRIPTS,
            "model.onnx": b"\x08\x07" + os.urandom(50_000),
            "data/train.csv": "a,b\n" + "1,2\n" * 30_000,
        },
    )
    git(source, "config", "uploadpack.allowFilter", "true")
    safe = SafeRepositoryURL(url=str(source), host="", port=0, address=None, is_local=True)
    session = GitSession(str(tmp_path / "work"), deadline=Deadline(60), source=safe)
    fetched = fetch_shallow(session, f"file://{source}", branch=None, blob_limit=20_000)
    with open_snapshot(session, fetched, ScanLimits(max_blob_bytes=20_000)) as snapshot:
        report = analyze_snapshot(snapshot, repository=str(source))
    assert "missing_blobs" in report.flags
    assert "model_binaries_committed" in report.flags  # size unknown because it was too big
    assert report.facts["missing_blobs"] == 2
    assert report.overall_level == 0


def test_the_file_count_cap_is_enforced(tmp_path):
    files = {f"pkg/module_{i:03}.py": "import sklearn\n" for i in range(40)}
    report = scan_repository(
        str(make_repo(tmp_path / "repo", files)), limits=ScanLimits(max_files=15)
    )
    assert "truncated" in report.flags
    assert report.facts["files"] == 15


def test_the_byte_budget_is_enforced(tmp_path):
    files = {f"requirements-{i}.txt": "numpy==1.26.0\n" * 50 for i in range(10)}
    files["train.py"] = "import sklearn\n"
    report = scan_repository(
        str(make_repo(tmp_path / "repo", files)), limits=ScanLimits(max_total_bytes=2_000)
    )
    assert "truncated" in report.flags
    assert report.facts["bytes_read"] <= 2_000


def test_a_scan_past_its_deadline_stops_with_a_clear_error(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    with pytest.raises(LimitExceeded, match="longer than"):
        scan_repository(str(repo), limits=ScanLimits(timeout_seconds=0.0001))


def test_the_temporary_workspace_is_removed(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    scan_repository(str(repo), limits=ScanLimits(work_dir=str(work)))
    assert list(Path(work).iterdir()) == []


@pytest.mark.parametrize(
    "files",
    [
        {"environment.yml": "name: x\ndependencies: 5\n", "train.py": "import sklearn\n"},
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = 5\n',
            "train.py": "import sklearn\n",
        },
        {"Pipfile": "[packages]\nnumpy = {version = 1}\n", "train.py": "import sklearn\n"},
    ],
    ids=["conda-number", "pyproject-number", "pipfile-number"],
)
def test_config_files_of_an_unexpected_shape_never_break_the_scan(tmp_path, files):
    report = scan_repository(str(make_repo(tmp_path / "odd", files)))
    assert report.overall_level == 0
    assert report.commit
