"""The snapshot: what counts as evidence, bounded reads, notebooks, and one line index that is
the same whether git or Python builds it."""

import json

import pytest

from assessments.scanning import ScanLimits
from assessments.scanning.addresses import SafeRepositoryURL
from assessments.scanning.detectors import all_keywords
from assessments.scanning.git import Deadline, GitSession, clone_local
from assessments.scanning.scan import open_snapshot
from assessments.scanning.tree import (
    KeywordMatcher,
    RepositorySnapshot,
    is_evidence_path,
    is_grep_candidate,
)

from .archetypes import LEVEL_TWO, VERTEX_REFERENCE, notebook
from .gitrepo import make_repo
from .snapshots import snapshot_of


@pytest.mark.parametrize(
    ("path", "evidence"),
    [
        ("train.py", True),
        ("src/pkg/model.py", True),
        ("requirements.txt", True),
        ("requirements/dev.txt", True),
        ("constraints-prod.txt", True),
        (".github/workflows/ci.yml", True),
        ("notebooks/eda.ipynb", True),
        ("Dockerfile", True),
        ("README.md", False),
        ("README", False),
        ("LICENSE", False),
        ("notes.txt", False),
        ("docs/conf.py", False),
        ("doc/examples/train.py", False),
        ("docs/index.rst", False),
        ("img/arch.png", False),
        ("diagram.svg", False),
        ("vendor/lib/mlflow.py", False),
        ("third_party/tfx/pipeline.py", False),
        ("web/node_modules/x/index.py", False),
        ("env/lib/python3.11/site-packages/mlflow/__init__.py", False),
        ("nb/.ipynb_checkpoints/eda-checkpoint.ipynb", False),
        (".venv/lib/x.py", False),
    ],
)
def test_what_counts_as_evidence(path, evidence):
    assert is_evidence_path(path) is evidence


@pytest.mark.parametrize(
    ("path", "candidate"),
    [
        ("a/b/train.py", True),
        ("ci/x.yaml", True),
        ("infra/main.tf", True),
        ("docker/train.Dockerfile", True),
        ("Dockerfile.gpu", True),
        ("Jenkinsfile", True),
        ("requirements-dev.txt", True),
        ("Makefile", True),
        ("data/big.csv", False),
        ("notebook.ipynb", False),
        ("package.json", False),
        ("model.pkl", False),
    ],
)
def test_which_files_the_line_index_covers(path, candidate):
    assert is_grep_candidate(path) is candidate


def test_the_matcher_reports_overlapping_keywords():
    matcher = KeywordMatcher(["mlflow.", "mlflow.register_model", "register_model(", "import "])
    line = "import mlflow; mlflow.register_model(uri, 'churn')"
    assert matcher.matches(line) == {
        "mlflow.",
        "mlflow.register_model",
        "register_model(",
        "import ",
    }
    assert matcher.matches("nothing here") == set()


def test_it_refuses_keywords_that_were_never_registered():
    with pytest.raises(KeyError, match="not registered"):
        snapshot_of({"a.py": "x"}).hits("definitely-not-registered")


def test_reads_are_bounded_by_size_and_budget():
    snapshot = snapshot_of(
        {"small.py": "x = 1\n", "big.py": "x" * 5000, "other.py": "y = 2\n"},
        max_blob_bytes=1000,
        max_total_bytes=8,
    )
    assert snapshot.read_text("big.py") is None
    assert snapshot.read_text("small.py") == "x = 1\n"
    assert snapshot.read_text("other.py") is None  # over the byte budget
    assert snapshot.budget_exhausted is True


def test_binary_files_read_as_none_and_are_counted():
    snapshot = snapshot_of({"weights.py": b"\x00\x01\x02"})
    assert snapshot.read_text("weights.py") is None
    assert snapshot.unreadable == {"weights.py"}


def test_missing_blobs_are_tracked():
    snapshot = snapshot_of({"gone.py": None, "here.py": "import torch\n"})
    assert snapshot.read_text("gone.py") is None
    assert snapshot.missing == {"gone.py"}


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"cells": "nope"}',
        json.dumps({"cells": [{"cell_type": "code", "source": 42}]}),
        "[" * 50_000 + "]" * 50_000,
    ],
)
def test_malformed_notebooks_give_no_code_and_no_error(content):
    snapshot = snapshot_of({"nb.ipynb": content})
    assert not snapshot.notebook_code("nb.ipynb")
    assert snapshot.hits("import ") == []


def test_notebook_code_cells_are_indexed_but_markdown_is_not():
    snapshot = snapshot_of({"nb.ipynb": notebook("import wandb", markdown=("import mlflow",))})
    assert [hit.text for hit in snapshot.hits("import ")] == ["import wandb"]
    assert snapshot.hits("import ")[0].line is None


@pytest.mark.parametrize("files", [LEVEL_TWO, VERTEX_REFERENCE], ids=["level-two", "vertex"])
def test_git_grep_and_python_build_the_same_line_index(tmp_path, files):
    repo = make_repo(tmp_path / "repo", files)
    source = SafeRepositoryURL(url=str(repo), host="", port=0, address=None, is_local=True)
    session = GitSession(str(tmp_path / "work"), deadline=Deadline(60), source=source)
    fetched = clone_local(session, branch=None, history_days=90)
    keywords = sorted(all_keywords())
    with open_snapshot(session, fetched, ScanLimits()) as from_git:
        git_index = {k: from_git.hits(k) for k in keywords}
        assert from_git.index_source == "git grep"
    in_memory = RepositorySnapshot.from_files(files, keywords=keywords)
    python_index = {k: in_memory.hits(k) for k in keywords}
    assert git_index == python_index
    assert sum(map(len, git_index.values())) > 20
