"""Scan speed against the physical floor: one ``git grep`` of the same patterns.

Generates a committed repository of N files / M megabytes of text (Python modules, YAML
configs, notebooks, docs, data), then measures in the same run:

- the wall time of ``scan_repository`` on it (in a fresh process, so its peak memory is its own);
- the wall time of one ``git grep -F`` of the scanner's keywords over HEAD, with the same
  pathspecs, its output read through a pipe like the scanner reads it;

and prints both, their ratio (goal: at most 2x) and the peak memory of the scanning process
(goal: under 300 MB).

    python benchmarks/scan_speed.py                    # 20,000 files, ~200 MB
    python benchmarks/scan_speed.py --files 2000 --mb 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": tempfile.gettempdir(),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Benchmark",
    "GIT_AUTHOR_EMAIL": "benchmark@example.com",
    "GIT_COMMITTER_NAME": "Benchmark",
    "GIT_COMMITTER_EMAIL": "benchmark@example.com",
    "LANG": "C",
}

ML_IMPORTS = [
    "import numpy as np",
    "import pandas as pd",
    "from sklearn.ensemble import RandomForestClassifier",
    "from sklearn.metrics import roc_auc_score",
    "import torch",
    "import mlflow",
    "from airflow import DAG",
    "import great_expectations as gx",
]
PLAIN_IMPORTS = [
    "import os",
    "import json",
    "import logging",
    "from pathlib import Path",
    "from dataclasses import dataclass",
    "from collections import defaultdict",
]
WORDS = [
    "customer",
    "order",
    "invoice",
    "amount",
    "total",
    "score",
    "feature",
    "label",
    "batch",
    "window",
    "value",
    "record",
    "metric",
    "stream",
    "source",
    "target",
    "weight",
    "bias",
    "layer",
    "epoch",
    "step",
    "config",
    "params",
    "table",
    "column",
    "index",
    "frame",
    "vector",
    "matrix",
    "tensor",
    "cache",
    "result",
    "status",
    "request",
    "response",
    "handler",
]


TEMPLATES = [
    "    {a}_{b} = {c}_{d}.get('{e}', {n})",
    "    for {a} in {b}_{c}:",
    "        {a}.append({b}_{c}[{n}])",
    "    if {a}_{b} > {n}:",
    "        logger.info('{a} %s {b}', {c}_{d})",
    "    return {a}_{b}({c}, {d}={n})",
    "def {a}_{b}({c}, {d}):",
    "class {A}{B}:",
    '    """Compute the {a} of each {b} from its {c}."""',
    "    # keep the {a} aligned with the {b} before computing {c}",
    "    {a} = np.asarray({b}, dtype=float) * {n}",
    "    {a}_frame = pd.DataFrame({{'{b}': {c}, '{d}': {e}}})",
]
# Lines an ML code base has now and then, so detectors find real work.
RARE_TEMPLATES = [
    "    mlflow.log_metric('{a}', {n})",
    "    model = RandomForestClassifier(random_state={n})",
    "    score = roc_auc_score(y_true, y_pred)",
    "    np.random.seed({n})",
    "    loss = criterion(output_{a}, target_{b})",
]


def _line(rng: random.Random) -> str:
    """A fresh plausible Python line: no pool, so lines repeat only as much as real code."""
    template = rng.choice(RARE_TEMPLATES if rng.random() < 0.01 else TEMPLATES)
    words = {key: rng.choice(WORDS) for key in "abcde"}
    words.update(A=rng.choice(WORDS).title(), B=rng.choice(WORDS).title(), n=rng.randint(0, 9999))
    return template.format(**words)


def _python_file(rng, size):
    header = rng.sample(PLAIN_IMPORTS, 3)
    if rng.random() < 0.4:
        header += rng.sample(ML_IMPORTS, 2)
    lines = [*header, "", "logger = logging.getLogger(__name__)", ""]
    total = sum(len(line) + 1 for line in lines)
    while total < size:
        line = _line(rng)
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def _yaml_file(rng, size):
    lines, total = [], 0
    while total < size:
        key, value = rng.choice(WORDS), rng.randint(0, 10_000)
        line = f"{key}_{rng.choice(WORDS)}:\n  {rng.choice(WORDS)}: {value}\n  enabled: true"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def _text_file(rng, size):
    words = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    text = " ".join(words)
    return "\n".join(text[i : i + 90] for i in range(0, len(text), 90)) + "\n"


def _notebook(rng, size):
    cells = []
    total = 0
    while total < size:
        source = [_line(rng).strip() + "\n" for _ in range(12)]
        cells.append({"cell_type": "code", "metadata": {}, "outputs": [], "source": source})
        total += sum(map(len, source)) + 80
    cells[0]["source"] = ["import pandas as pd\n", "from sklearn.linear_model import Ridge\n"]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


FIXED_FILES = {
    "pyproject.toml": '[project]\nname = "bench"\nversion = "0.1"\n',
    "requirements.txt": "numpy==1.26.4\npandas==2.2.0\nscikit-learn==1.4.0\nmlflow==2.10.0\n",
    "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
    ".github/workflows/ci.yml": "on: [push, pull_request]\njobs:\n  t:\n"
    "    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q\n",
    "dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n"
    "  train:\n    cmd: python train.py\n",
}


def generate(root: Path, *, files: int, megabytes: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    average = int(megabytes * 1024 * 1024 / files)
    for relative, content in FIXED_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    for index in range(files - len(FIXED_FILES)):
        size = max(200, int(rng.gauss(average, average / 3)))
        folder = root / f"services/svc_{index % 40:02}/pkg_{index % 400:03}"
        kind = rng.random()
        if kind < 0.70:
            path, content = folder / f"module_{index}.py", _python_file(rng, size)
        elif kind < 0.82:
            path, content = folder / f"config_{index}.yaml", _yaml_file(rng, size)
        elif kind < 0.92:
            path, content = folder / f"notes_{index}.md", _text_file(rng, size)
        elif kind < 0.94:
            path, content = folder / f"explore_{index}.ipynb", _notebook(rng, size)
        else:
            path, content = folder / f"data_{index}.csv", _text_file(rng, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        if index % 10 == 0:
            (folder / "__init__.py").touch()


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, env=GIT_ENV, check=True, capture_output=True, text=True
    ).stdout


def build_repository(root: Path, *, files: int, megabytes: float) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    generate(root, files=files, megabytes=megabytes)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Generated benchmark repository")
    git(root, "repack", "-a", "-d", "-q", "--window=0")  # packed, as real repositories are
    git(root, "prune-packed")


def time_git_grep(root: Path) -> float:
    """One ``git grep`` of the scanner's keywords and pathspecs, output read through a pipe.

    The keywords are given as one alternation (``-E``), git's fastest way to search for
    hundreds of fixed strings (``-F -f`` tries them one by one: about 30x slower).
    """
    from assessments.scanning.detectors import all_keywords
    from assessments.scanning.gitobjects import extended_regex
    from assessments.scanning.tree import GREP_PATHSPECS, grep_exclude_pathspecs

    argv = [
        "git",
        "grep",
        "-E",
        "-I",
        "-n",
        "-z",
        "--no-color",
        "-e",
        extended_regex(sorted(all_keywords())),
        "HEAD",
        "--",
        *GREP_PATHSPECS,
        *grep_exclude_pathspecs(),
    ]
    started = time.perf_counter()
    with subprocess.Popen(argv, cwd=root, env=GIT_ENV, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
    return time.perf_counter() - started


def scan_in_fresh_process(root: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--scan-only", str(root)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def scan_only(path: str) -> None:
    from assessments.scanning import ScanLimits, scan_repository

    limits = ScanLimits(timeout_seconds=3600, max_files=1_000_000)
    started = time.perf_counter()
    report = scan_repository(path, limits=limits)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_kb / 1024,
                "level": report.overall_level,
                "files": report.facts["files"],
                "flags": report.flags,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--mb", type=float, default=200.0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best is kept")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--scan-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_only:
        scan_only(args.scan_only)
        return

    workdir = Path(tempfile.mkdtemp(prefix="mlmaturity-bench-"))
    repo = workdir / "repo"
    try:
        started = time.perf_counter()
        build_repository(repo, files=args.files, megabytes=args.mb)
        size_mb = (
            sum(p.stat().st_size for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)
            / 1024
            / 1024
        )
        print(
            f"generated {args.files} files, {size_mb:.0f} MB of text"
            f" in {time.perf_counter() - started:.1f} s ({repo})"
        )
        time_git_grep(repo)  # warm the page cache for both contestants
        scans, greps = [], []
        for _ in range(args.runs):  # interleaved, so load from elsewhere hits both alike
            scans.append(scan_in_fresh_process(repo))
            greps.append(time_git_grep(repo))
        scan_seconds = min(s["seconds"] for s in scans)
        grep_seconds = min(greps)
        peak = max(s["peak_mb"] for s in scans)
        runs = ", ".join(f"{scan['seconds']:.2f}" for scan in scans)
        print(
            f"scan_repository: {scan_seconds:.2f} s (runs: {runs}); level {scans[0]['level']},"
            f" {scans[0]['files']} files, flags {scans[0]['flags']}"
        )
        print(
            f"git grep:        {grep_seconds:.2f} s (runs: {', '.join(f'{g:.2f}' for g in greps)})"
        )
        print(f"ratio:           {scan_seconds / grep_seconds:.2f}x (goal <= 2x)")
        print(f"peak memory:     {peak:.0f} MB in the scanning process (goal < 300 MB)")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
