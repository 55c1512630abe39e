"""Evaluating an organisation's own checks on a snapshot: evidence paths, and hostile content."""

import pytest

from assessments.maturity import load_catalogue
from assessments.maturity.custom_checks import parse_check_set
from assessments.scanning import scan_repository
from assessments.scanning.custom_checks import MAX_FILE_BYTES, evaluate_check_set

from .gitrepo import commit, make_repo, write_files
from .snapshots import snapshot_of

CHECKS = """\
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    rule: {dependency_present: Acme_Registry}
  - key: model_card
    title: A model card
    dimension: governance
    level: 0
    rule: {file_exists: "**/MODEL_CARD.md"}
  - key: registry_config
    title: Registry configured
    dimension: validation_registry
    level: 1
    rule:
      file_contains: {path: "configs/*.yaml", pattern: 'registry:\\s+acme'}
"""


@pytest.fixture(scope="module")
def check_set():
    return parse_check_set(CHECKS, load_catalogue())


def outcomes(check_set, files, **options):
    return {o.key: o for o in evaluate_check_set(check_set, snapshot_of(files, **options))}


def test_each_rule_passes_with_the_file_and_line_that_show_it(check_set):
    found = outcomes(
        check_set,
        {
            "requirements.txt": "pandas==2.2\nacme-registry>=1.0\n",
            "docs/models/MODEL_CARD.md": "# Card\n",
            "configs/prod.yaml": "name: x\nregistry:   acme\n",
        },
    )
    assert all(o.passed for o in found.values())
    registry = found["internal_registry"]
    assert (registry.path, registry.line) == ("requirements.txt", 2)
    assert found["model_card"].path == "docs/models/MODEL_CARD.md"
    assert (found["registry_config"].path, found["registry_config"].line) == (
        "configs/prod.yaml",
        2,
    )


def test_each_rule_fails_with_a_reason_when_nothing_shows_it(check_set):
    found = outcomes(
        check_set, {"train.py": "import acme_registry\n", "configs/a/b.yaml": "registry: acme"}
    )
    assert not any(o.passed for o in found.values())
    assert found["internal_registry"].reason == "No manifest declares Acme_Registry."
    assert found["model_card"].reason == "No file matches **/MODEL_CARD.md."
    # configs/*.yaml stays within one folder
    assert found["registry_config"].reason == "No file matches configs/*.yaml."


def test_binary_missing_and_oversized_files_never_match_a_pattern(check_set):
    found = outcomes(
        check_set,
        {
            "configs/binary.yaml": b"registry: acme\x00\x01\x02",
            "configs/missing.yaml": None,
            "configs/huge.yaml": "x" * MAX_FILE_BYTES + "\nregistry: acme\n",
        },
    )
    assert found["registry_config"].passed is False
    # The oversized and missing files were never read: the reason says so, not "nothing matched".
    assert found["registry_config"].reason == (
        "No file read contains the pattern; 2 file(s) matching configs/*.yaml were too large "
        "or beyond the scan's reading limits."
    )
    binary_only = outcomes(check_set, {"configs/binary.yaml": b"registry: acme\x00\x01"})
    assert binary_only["registry_config"].reason.startswith("No text file matching configs/*.yaml")


def test_a_long_line_is_cut_before_the_pattern_runs(check_set):
    found = outcomes(check_set, {"configs/a.yaml": "x" * 10_000 + "registry: acme\n"})
    assert found["registry_config"].passed is False


def test_a_real_repository_is_judged_at_the_scanned_commit(tmp_path, check_set):
    repo = make_repo(tmp_path / "repo", {"train.py": "import sklearn\n"})
    seen = []

    def scan():
        seen.clear()
        scan_repository(
            str(repo), also=lambda snap: seen.extend(evaluate_check_set(check_set, snap))
        )
        return {o.key: o.passed for o in seen}

    assert scan() == {"internal_registry": False, "model_card": False, "registry_config": False}
    write_files(repo, {"requirements.txt": "acme-registry==1.2\n", "MODEL_CARD.md": "# card\n"})
    commit(repo, "Register models")
    assert scan() == {"internal_registry": True, "model_card": True, "registry_config": False}


def test_a_symlink_out_of_the_repository_is_never_read(tmp_path, check_set):
    repo = make_repo(
        tmp_path / "repo",
        {"train.py": "import sklearn\n"},
        symlinks={"configs/prod.yaml": "/etc/passwd", "MODEL_CARD.md": "../outside.md"},
    )
    (tmp_path / "outside.md").write_text("registry: acme\n")
    seen = []
    scan_repository(str(repo), also=lambda snap: seen.extend(evaluate_check_set(check_set, snap)))
    assert {o.key: o.passed for o in seen} == {
        "internal_registry": False,
        "model_card": False,
        "registry_config": False,
    }
