"""Connecting a repository: its first scan, its token kept secret, the refusals, project
folders, what it holds and its name, on real git repositories in tmp dirs.
"""

import json

import pytest
from django.urls import reverse

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import Repository, Scan, ScanStatus
from assessments.services.encryption import decrypt
from assessments.services.repositories import repository_connect

from .repository_helpers import connect
from .scanning.archetypes import NOTEBOOK_ONLY, ORCHESTRATED
from .scanning.gitrepo import make_repo

TOKEN = "ghp_SECRETtokenVALUE1234567890"


def test_connecting_a_repository_scans_it_and_keeps_the_evidence(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    scan = Scan.objects.get(repository=repository)
    assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
    assert scan.trigger == "connect"
    assert len(scan.commit) == 40
    assert scan.report["overall_level"] == 1
    capabilities = {f["capability"] for f in scan.findings}
    assert {"pipeline_orchestration", "data_validation", "model_registry"} <= capabilities


def test_the_access_token_is_encrypted_and_never_shown(
    client, team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(
        team, lead, pipeline_repo, django_capture_on_commit_callbacks, access_token=TOKEN
    )
    repository.refresh_from_db()
    assert TOKEN not in repository.access_token_encrypted
    assert decrypt(repository.access_token_encrypted) == TOKEN
    client.force_login(lead)
    for url in (
        reverse("repository_detail", args=[repository.pk]),
        reverse("team_detail", args=[team.slug]),
        reverse("repository_connect", args=[team.slug]),
    ):
        assert TOKEN not in client.get(url).content.decode()
    scan = Scan.objects.get(repository=repository)
    assert TOKEN not in json.dumps(scan.report) + scan.failure_reason


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc", "Only https:// repository URLs are accepted"),
        ("ext::ssh", "Remote helper addresses"),
        ("http://github.com/org/repo", "Only https://"),
        ("https://user:pw@github.com/org/repo", "User names or passwords"),
        ("https://127.0.0.1/org/repo", "only public addresses are allowed"),
        ("https://169.254.169.254/latest", "only public addresses are allowed"),
    ],
)
def test_unsafe_urls_are_refused_with_a_sentence_and_nothing_is_saved(team, lead, url, message):
    with pytest.raises(ApplicationError) as refused:
        repository_connect(team=team, user=lead, url=url)
    assert message.lower() in refused.value.message.lower()
    assert not Repository.objects.exists()
    assert not Scan.objects.exists()


def test_local_paths_are_refused_when_the_setting_forbids_them(team, lead, pipeline_repo, settings):
    settings.SCAN_ALLOW_LOCAL_PATHS = False
    with pytest.raises(ApplicationError):
        repository_connect(team=team, user=lead, url=str(pipeline_repo))
    assert not Repository.objects.exists()


def test_only_leads_and_admins_connect_repositories(team, member, viewer, pipeline_repo):
    for user in (member, viewer):
        with pytest.raises(ActionNotAllowed):
            repository_connect(team=team, user=user, url=str(pipeline_repo))
    assert not Repository.objects.exists()


def test_a_bad_branch_name_is_refused(team, lead, pipeline_repo):
    with pytest.raises(ApplicationError, match="not a valid branch name"):
        repository_connect(team=team, user=lead, url=str(pipeline_repo), branch="--upload-pack=x")


class TestProjectFolders:
    """A monorepo connected once per project folder, each scanned on its own."""

    def test_a_project_folder_is_connected_and_scanned_on_its_own(
        self, team, lead, tmp_path, django_capture_on_commit_callbacks
    ):

        files = {f"projects/pricing/{p}": c for p, c in NOTEBOOK_ONLY.items()}
        repo = make_repo(tmp_path / "mono", files)
        with django_capture_on_commit_callbacks(execute=True):
            repository = repository_connect(
                team=team, user=lead, url=str(repo), project="/projects/pricing/"
            )
        assert repository.project == "projects/pricing"
        scan = repository.scans.get()
        assert scan.status == "succeeded"
        assert scan.report["project"] == "projects/pricing"
        assert all(not f["path"].startswith("projects/") for f in scan.findings)

    def test_the_same_repository_can_be_connected_once_per_project(self, team, lead, tmp_path):

        repo = make_repo(tmp_path / "mono", {"a/train.py": "import sklearn\n"})
        repository_connect(team=team, user=lead, url=str(repo), project="a")
        repository_connect(team=team, user=lead, url=str(repo))
        with pytest.raises(ApplicationError, match="project folder are already connected"):
            repository_connect(team=team, user=lead, url=str(repo), project="a/")

    def test_a_folder_outside_the_repository_is_refused_and_nothing_saved(
        self, client, team, lead, tmp_path
    ):
        repo = make_repo(tmp_path / "mono", {"a/train.py": "import sklearn\n"})
        client.force_login(lead)
        response = client.post(
            reverse("repository_connect", args=[team.slug]),
            {"url": str(repo), "project": "../../etc", "scan_interval_hours": 24},
        )
        assert response.status_code == 200
        assert "without &#x27;.&#x27; or &#x27;..&#x27; parts" in response.content.decode()
        assert not Repository.objects.exists()


class TestWhatARepositoryHolds:
    def test_a_lead_says_what_a_repository_holds_and_a_member_cannot(
        self, client, team, lead, member, tmp_path
    ):
        repository = repository_connect(
            team=team, user=lead, url=str(make_repo(tmp_path / "r", ORCHESTRATED)), holds=["cicd"]
        )
        assert repository.holds == ["cicd"]
        url = reverse("repository_holds", args=[repository.pk])
        client.force_login(member)
        assert client.post(url, {"holds": ["pipeline"]}).status_code == 403
        client.force_login(lead)
        client.post(url, {"holds": ["serving_monitoring", "pipeline"]})
        repository.refresh_from_db()
        assert repository.holds == ["pipeline", "serving_monitoring"]  # catalogue order
        page = client.get(reverse("repository_detail", args=[repository.pk])).content.decode()
        assert "Holds: Training pipeline, Serving and monitoring." in page

    def test_an_unknown_part_is_refused_with_a_sentence_and_nothing_saved(
        self, team, lead, tmp_path
    ):
        url = str(make_repo(tmp_path / "r", ORCHESTRATED))
        with pytest.raises(ApplicationError, match="nonsense is not a part of the ML system"):
            repository_connect(team=team, user=lead, url=url, holds=["nonsense"])
        assert not Repository.objects.exists()


@pytest.mark.parametrize(
    ("url", "project", "name"),
    [
        ("https://github.com/acme/churn.git", "", "acme/churn"),
        ("https://gitlab.example.com/group/sub/churn", "", "sub/churn"),
        ("https://github.com/acme/mono", "projects/a", "acme/mono/projects/a"),
        ("/srv/git/pricing-lab", "", "pricing-lab"),
    ],
)
def test_repositories_are_named_as_people_name_them(url, project, name):
    assert Repository(url=url, project=project).display_name == name
