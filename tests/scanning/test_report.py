"""The report's JSON shape is stable (the CLI and the API share it) and facts come from refs."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from assessments.maturity import load_catalogue
from assessments.scanning import (
    SCANNER_VERSION,
    CapabilityResult,
    Finding,
    RepositoryUnavailable,
    ScanReport,
    UnsafeRepositoryURL,
    scan_repository,
)

from . import archetypes
from .gitrepo import commit, git, make_repo, write_files

CAPABILITY_KEYS = [c.key for c in load_catalogue().capabilities]

TOP_LEVEL_KEYS = [
    "repository",
    "commit",
    "scanner_version",
    "overall_level",
    "index",
    "inconclusive",
    "flags",
    "dimensions",
    "capabilities",
    "unknown",
    "missing_for_next_level",
    "next_level_progress",
    "project",
    "facts",
    "duration_ms",
]


@pytest.fixture
def level_two_report(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.LEVEL_TWO)
    return scan_repository(str(repo))


def test_the_json_has_exactly_the_stable_keys(level_two_report):
    data = json.loads(json.dumps(level_two_report.to_dict()))
    assert list(data) == TOP_LEVEL_KEYS
    assert data["scanner_version"] == SCANNER_VERSION
    assert data["overall_level"] in (0, 1, 2, None)
    assert 0 <= data["index"] <= 100
    assert isinstance(data["inconclusive"], bool)
    assert isinstance(data["duration_ms"], int)
    assert len(data["commit"]) == 40
    for capability in data["capabilities"]:
        assert list(capability) == ["key", "grade", "strength", "reason", "evidence"]
        assert capability["key"] in CAPABILITY_KEYS
        assert capability["grade"] in (0, 0.5, 1)
        assert capability["strength"] in ("ci_config", "code", "file_name", "mention", None)
        for item in capability["evidence"]:
            assert list(item) == ["path", "line", "detector"]


def test_capabilities_are_listed_in_catalogue_order(level_two_report):
    keys = [c["key"] for c in level_two_report.to_dict()["capabilities"]]
    assert keys == sorted(keys, key=CAPABILITY_KEYS.index)


def test_the_report_exposes_raw_findings_for_the_maturity_engine(level_two_report):
    assert level_two_report.findings
    assert all(isinstance(f, Finding) for f in level_two_report.findings)
    assert all(isinstance(c, CapabilityResult) for c in level_two_report.capabilities)
    assert isinstance(level_two_report, ScanReport)


def test_two_scans_of_one_commit_give_the_same_report(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.LEVEL_TWO)
    first, second = scan_repository(str(repo)).to_dict(), scan_repository(str(repo)).to_dict()
    first.pop("duration_ms"), second.pop("duration_ms")
    assert first == second


def test_it_scans_the_requested_branch(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    git(repo, "checkout", "-q", "-b", "pipeline")
    write_files(repo, archetypes.ORCHESTRATED)
    commit(repo, "Add the pipeline")
    git(repo, "checkout", "-q", "main")
    assert scan_repository(str(repo)).overall_level == 0
    on_branch = scan_repository(str(repo), branch="pipeline")
    assert on_branch.overall_level == 1
    assert on_branch.facts["branch"] == "pipeline"


def test_a_missing_branch_is_a_clear_permanent_error(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    with pytest.raises(RepositoryUnavailable, match="branch") as failed:
        scan_repository(str(repo), branch="nope")
    assert failed.value.transient is False


def test_local_paths_are_refused_when_not_allowed(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    with pytest.raises(UnsafeRepositoryURL, match="Only https://"):
        scan_repository(str(repo), allow_local_paths=False)


def test_facts_come_from_tags_experiment_refs_and_history(tmp_path):
    repo = make_repo(tmp_path / "repo", archetypes.DVC_PIPELINE)
    now = datetime.now(tz=UTC).replace(microsecond=0)
    for days_ago, tag in ((44, "v1.0.0"), (30, "v1.1.0"), (16, "churn@v1.2.0")):
        when = (now - timedelta(days=days_ago)).isoformat()
        write_files(repo, {"CHANGELOG.md": f"release {tag}\n"})
        commit(repo, f"Release {tag}", date=when)
        git(repo, "tag", "-a", tag, "-m", tag, env={"GIT_COMMITTER_DATE": when})
    git(repo, "tag", "churn#prod#1")
    git(repo, "update-ref", "refs/exps/ab/cdef0123/exp-lucky-ride", "HEAD")
    report = scan_repository(str(repo))
    facts = report.facts
    assert facts["tags"] == 4
    assert facts["registry_tags"] == ["churn#prod#1", "churn@v1.2.0"]
    assert facts["dvc_experiments"] == 1
    assert facts["releases"] == 3
    assert facts["release_cadence_days"] == 14.0
    assert facts["history_available"] is True
    assert facts["commits_last_90_days"] == 4
    registry = next(c for c in report.capabilities if c.key == "model_registry")
    assert registry.grade == 1.0
    tracking = next(c for c in report.capabilities if c.key == "experiment_tracking")
    assert any(f.path == "refs/exps/ab/cdef0123/exp-lucky-ride" for f in tracking.evidence)


def test_the_unknown_list_names_capabilities_a_repository_cannot_show(level_two_report):
    data = level_two_report.to_dict()
    assert "prediction_logging" in data["unknown"]
    assert not set(data["unknown"]) & {c["key"] for c in data["capabilities"]}


# The detectors each scanner version runs. A new, renamed or removed detector changes reports:
# bump SCANNER_VERSION (a rescan of an unchanged commit would otherwise keep the old evidence),
# then record the new set here.
DETECTORS_OF_VERSION = {"1.2.0": "c4365091a0dc3c16"}


def test_the_scanner_version_changes_with_its_detectors():
    import hashlib

    from assessments.scanning.detectors import detector_names

    fingerprint = hashlib.sha256(",".join(sorted(detector_names())).encode()).hexdigest()[:16]
    assert DETECTORS_OF_VERSION.get(SCANNER_VERSION) == fingerprint, (
        "The detectors changed: bump SCANNER_VERSION and record the new fingerprint."
    )
