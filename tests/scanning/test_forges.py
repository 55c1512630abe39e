"""Links to a scanned file on its forge: only for known forges and full commit ids."""

import pytest

from assessments.scanning.forges import forge_file_url

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("url", "path", "line", "expected"),
    [
        (
            "https://github.com/acme/churn.git",
            "src/train.py",
            12,
            f"https://github.com/acme/churn/blob/{COMMIT}/src/train.py#L12",
        ),
        (
            "https://gitlab.com/group/sub/churn",
            "ci.yml",
            None,
            f"https://gitlab.com/group/sub/churn/-/blob/{COMMIT}/ci.yml",
        ),
        (
            "https://bitbucket.org/acme/churn",
            "a b#c.py",
            3,
            f"https://bitbucket.org/acme/churn/src/{COMMIT}/a%20b%23c.py#lines-3",
        ),
    ],
)
def test_known_forges_link_to_the_file_at_the_commit(url, path, line, expected):
    assert forge_file_url(url, COMMIT, path, line) == expected


@pytest.mark.parametrize(
    ("url", "commit"),
    [
        ("https://git.example.com/acme/churn", COMMIT),  # a forge of unknown kind
        ("/srv/git/churn", COMMIT),  # a local path
        ("https://github.com/acme", COMMIT),  # not a repository
        ("https://github.com/acme/churn", "main"),  # not a commit id
        ("https://github.com/acme/churn", "javascript:alert(1)"),
    ],
)
def test_anything_else_gets_no_link(url, commit):
    assert forge_file_url(url, commit, "src/train.py", 1) is None


def test_a_project_folders_paths_read_from_the_folder_except_root_ci_files():
    url = "https://github.com/acme/mono"
    assert forge_file_url(url, COMMIT, "train.py", project="projects/churn").endswith(
        f"/blob/{COMMIT}/projects/churn/train.py"
    )
    assert forge_file_url(
        url, COMMIT, ".github/workflows/ci.yml", project="projects/churn"
    ).endswith(f"/blob/{COMMIT}/.github/workflows/ci.yml")
