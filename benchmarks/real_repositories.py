"""How often the scanner agrees with labels written by reading real public ML repositories.

Each file in ``benchmarks/real_repositories/labels/`` states, for one repository, whether it is
conclusive, the evidence-only level range an expert would accept, capabilities it clearly has
(``present``) and clearly lacks (``absent``), and flags. Every statement is one label; this
script scans each repository found in the corpus folder and prints, per repository, which
labels hold, then:

- the share of labels that hold (goal: at least 97%);
- level-range hits among conclusive repositories, and inconclusive where expected;
- the scan time of the largest repository next to one ``git grep`` of the scanner's keywords
  over the same tree, measured in the same run (goal: the scan within 1.2x of it).

    python benchmarks/real_repositories.py [--corpus DIR] [--only NAME ...] [--verbose]

The corpus holds one git directory per repository, named ``<owner>+<name>`` (see the README
beside the labels); repositories missing from it are listed and left out of the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent / "real_repositories"
LABELS = HERE / "labels"
DEFAULT_CORPUS = HERE / "corpus"
MET = 0.5  # a capability counts as found from this grade on


@dataclass
class Outcome:
    name: str
    kind: str
    expected_level: str
    level: str
    seconds: float
    files: int
    held: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    level_hit: bool | None = None
    inconclusive_hit: bool | None = None


def git_dir(corpus: Path, name: str) -> Path | None:
    base = corpus / name
    for candidate in (base / "repo", base):
        if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
            return candidate.resolve()
    return None


def judge(label: dict, data: dict, outcome: Outcome) -> None:
    def check(ok: bool, text: str) -> None:
        (outcome.held if ok else outcome.broken).append(text)

    inconclusive = data["overall_level"] is None
    expect_conclusive = label.get("conclusive", True)
    check(inconclusive != expect_conclusive, f"conclusive={expect_conclusive}")
    if expect_conclusive:
        outcome.inconclusive_hit = None
    else:
        outcome.inconclusive_hit = inconclusive
    level_range = label.get("level")
    if expect_conclusive and level_range:
        low, high = level_range
        hit = not inconclusive and low <= data["overall_level"] <= high
        outcome.level_hit = hit
        check(hit, f"level in [{low}, {high}]")
    grades = {c["key"]: c["grade"] for c in data["capabilities"]}
    for key in label.get("present") or []:
        check(grades.get(key, 0) >= MET, f"present {key}")
    for key in label.get("absent") or []:
        check(grades.get(key, 0) == 0, f"absent {key} (scan: {grades.get(key, 0)})")
    for flag in label.get("flags") or []:
        check(flag in data["flags"], f"flag {flag}")
    for flag in label.get("not_flags") or []:
        check(flag not in data["flags"], f"not flag {flag}")


def grep_seconds(path: Path) -> float:
    """One ``git grep`` of every scanner keyword over HEAD, as the scanner greps: the floor.

    The keywords go in as one alternation (``-E``) with the scanner's pathspecs, as in
    benchmarks/scan_speed.py (``-F -f`` tries hundreds of strings one by one, far slower).
    """
    from assessments.scanning.detectors import all_keywords
    from assessments.scanning.gitobjects import extended_regex
    from assessments.scanning.tree import GREP_PATHSPECS, grep_exclude_pathspecs

    argv = ["git", "-C", str(path), "grep", "-E", "-I", "-n", "-z", "--no-color"]
    argv += ["-e", extended_regex(sorted(all_keywords())), "HEAD", "--"]
    argv += [*GREP_PATHSPECS, *grep_exclude_pathspecs()]
    started = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - started


def tree_size(path: Path) -> int:
    listing = subprocess.run(
        ["git", "-C", str(path), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return len(listing.stdout.splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--only", nargs="*", default=None, help="label names to run")
    parser.add_argument("--verbose", action="store_true", help="print the labels that hold too")
    args = parser.parse_args()

    from assessments import scanning

    outcomes: list[Outcome] = []
    missing: list[str] = []
    largest: tuple[int, str, Path, float] | None = None
    for label_path in sorted(LABELS.glob("*.yaml")):
        name = label_path.stem
        if args.only and name not in args.only:
            continue
        label = yaml.safe_load(label_path.read_text(encoding="utf-8"))
        path = git_dir(args.corpus, name)
        if path is None:
            missing.append(name)
            continue
        started = time.monotonic()
        try:
            report = scanning.scan_repository(str(path), allow_local_paths=True)
        except scanning.ScanError as error:
            print(f"{name}: scan failed: {error.message}")
            missing.append(name)
            continue
        seconds = time.monotonic() - started
        data = report.to_dict()
        level = "inconclusive" if data["overall_level"] is None else str(data["overall_level"])
        expected = (
            "inconclusive"
            if not label.get("conclusive", True)
            else "-".join(str(x) for x in label.get("level") or []) or "?"
        )
        files = tree_size(path)
        outcome = Outcome(name, label.get("kind", "?"), expected, level, seconds, files)
        judge(label, data, outcome)
        outcomes.append(outcome)
        if largest is None or files > largest[0]:
            largest = (files, name, path, seconds)
        mark = "ok " if not outcome.broken else "BAD"
        print(
            f"{mark} {name:<62} {outcome.kind:<16} expected {expected:<12} got {level:<12}"
            f" {len(outcome.held)}/{len(outcome.held) + len(outcome.broken)} labels"
            f"  {seconds:5.1f} s"
        )
        for text in outcome.broken:
            print(f"      fails: {text}")
        if args.verbose:
            for text in outcome.held:
                print(f"      holds: {text}")

    held = sum(len(o.held) for o in outcomes)
    total = held + sum(len(o.broken) for o in outcomes)
    print()
    print(f"repositories scanned: {len(outcomes)}; missing from the corpus: {len(missing)}")
    if missing:
        print("  missing: " + ", ".join(missing))
    if total:
        print(f"labels holding: {held} of {total} = {100 * held / total:.1f}% (goal: 97%)")
    levelled = [o for o in outcomes if o.level_hit is not None]
    if levelled:
        hits = sum(o.level_hit for o in levelled)
        print(f"level within the labelled range: {hits} of {len(levelled)} conclusive repositories")
    expected_inconclusive = [o for o in outcomes if o.inconclusive_hit is not None]
    if expected_inconclusive:
        hits = sum(o.inconclusive_hit for o in expected_inconclusive)
        print(f"inconclusive where expected: {hits} of {len(expected_inconclusive)}")
    if largest is not None:
        files, name, path, _ = largest
        # Measured again back to back, best of three, so both see the same page cache. The
        # scan's time includes its own clone of the repository.
        scan_times, floors = [], []
        for _ in range(3):
            started = time.monotonic()
            scanning.scan_repository(str(path), allow_local_paths=True)
            scan_times.append(time.monotonic() - started)
            floors.append(grep_seconds(path))
        scan_seconds, floor = min(scan_times), min(floors)
        print(
            f"largest repository: {name} ({files} files): scan {scan_seconds:.2f} s, "
            f"git grep of the same tree {floor:.2f} s, ratio {scan_seconds / floor:.2f}"
            if floor
            else f"largest repository: {name}: scan {scan_seconds:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
