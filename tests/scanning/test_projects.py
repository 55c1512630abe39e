"""Monorepos: the projects a repository holds, each judged on its own."""

import json

import pytest
from django.core.management import call_command

from assessments.scanning import InvalidProjectFolder, normalize_project_folder, scan_repository

from . import archetypes
from .gitrepo import make_repo

# The level-2 project's CI lives at the repository's root, as monorepos' workflows do, and
# names the project's folder; a root workflow that names another project does not count.
ROOT_CI = archetypes.src(
    """
    name: churn
    on:
      push:
        paths: ["projects/churn/**"]
    jobs:
      test:
        runs-on: ubuntu-latest
        defaults:
          run:
            working-directory: projects/churn
        steps:
          - uses: actions/checkout@v4
          - run: pip install -r requirements.txt
          - run: pytest -q
      deploy-pipeline:
        needs: test
        if: github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        environment: production
        steps:
          - run: gsutil -m rsync -r projects/churn/dags gs://composer-bucket/dags
    """
)


def monorepo_files():
    files = {}
    for path, content in archetypes.LEVEL_TWO.items():
        if not path.startswith(".github/"):
            files[f"projects/churn/{path}"] = content
    for path, content in archetypes.NOTEBOOK_ONLY.items():
        files[f"projects/pricing/{path}"] = content
    for path, content in archetypes.ORCHESTRATED.items():
        files[f"projects/forecast/{path}"] = content
    files[".github/workflows/churn.yml"] = ROOT_CI
    files["README.md"] = "# Three teams' ML projects\n"
    return files


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("mono") / "repo", monorepo_files())


def test_a_monorepo_lists_its_projects(monorepo):
    report = scan_repository(str(monorepo))
    assert "monorepo" in report.flags
    assert report.facts["projects"] == ["projects/churn", "projects/forecast", "projects/pricing"]
    assert report.project == ""


def test_each_project_gets_its_own_level(monorepo):
    levels = {
        name: scan_repository(str(monorepo), project=f"projects/{name}").overall_level
        for name in ("churn", "forecast", "pricing")
    }
    assert levels == {"churn": 2, "forecast": 1, "pricing": 0}


def test_root_ci_counts_only_for_the_project_it_names(monorepo):
    churn = scan_repository(str(monorepo), project="projects/churn")
    ci = next(c for c in churn.capabilities if c.key == "ci")
    assert ci.grade == 1.0
    assert ci.evidence[0].path == ".github/workflows/churn.yml"
    # Paths inside the project read from the project's root.
    paths = {f.path for f in churn.findings}
    assert "pyproject.toml" in paths
    assert not any(path.startswith("projects/") for path in paths)
    forecast = scan_repository(str(monorepo), project="projects/forecast")
    assert next(c for c in forecast.capabilities if c.key == "ci").grade == 0.0


@pytest.mark.parametrize(
    "folder",
    ["../outside", "projects/../..", "projects\\churn", "projects/./churn", "a\x00b"],
)
def test_a_folder_that_could_leave_the_repository_is_refused(folder):
    with pytest.raises(InvalidProjectFolder) as refused:
        normalize_project_folder(folder)
    assert refused.value.message.endswith(".")
    assert folder not in refused.value.message or folder.isprintable()


def test_folders_are_normalised():
    assert normalize_project_folder(" /projects/churn/ ") == "projects/churn"
    assert normalize_project_folder("") == ""
    assert normalize_project_folder(None) == ""


def test_a_missing_folder_is_a_clear_error(monorepo):
    with pytest.raises(InvalidProjectFolder, match="The folder projects/nope does not exist"):
        scan_repository(str(monorepo), project="projects/nope")


def test_the_cli_lists_projects_and_judges_one_with_subdir(monorepo, capsys):
    call_command("scan_repo", str(monorepo))
    text = capsys.readouterr().out
    assert "projects: projects/churn, projects/forecast, projects/pricing" in text
    call_command("scan_repo", str(monorepo), "--subdir", "projects/pricing", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert (data["project"], data["overall_level"]) == ("projects/pricing", 0)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("paths: ['models/churn/**']", True),
        ("working-directory: ./models/churn", True),
        ('run: "cd models/churn && pytest"', True),
        ("paths: ['models/churn_v2/**']", False),
        ("paths: ['other/models/churn-old/**']", False),
        ("curl https://rapidapi.com/models/churnapi", False),
    ],
)
def test_a_root_ci_file_counts_only_when_it_names_the_whole_folder(text, named):
    from assessments.scanning.gitobjects import TreeEntry
    from assessments.scanning.projects import project_entries

    entries = [
        TreeEntry(path="models/churn/train.py", oid="a" * 40, size=10),
        TreeEntry(path=".github/workflows/ci.yml", oid="b" * 40, size=10),
    ]
    found = project_entries(entries, "models/churn", read_text=lambda entry: text)
    assert (".github/workflows/ci.yml" in {e.path for e in found}) is named
