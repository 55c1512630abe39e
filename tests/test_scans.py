"""Connecting repositories and the scan lifecycle, on real git repositories in tmp dirs."""

import hashlib
import hmac
import json
import shutil
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import Repository, Scan, ScanStatus
from assessments.services.encryption import decrypt, encrypt
from assessments.services.repositories import repository_connect
from assessments.services.scans import scan_claim, scan_enqueue, scans_reap, scans_schedule

from .scanning.archetypes import NOTEBOOK_ONLY, ORCHESTRATED
from .scanning.gitrepo import commit, make_repo, write_files

TOKEN = "ghp_SECRETtokenVALUE1234567890"


@pytest.fixture
def pipeline_repo(tmp_path):
    return make_repo(tmp_path / "pipeline", ORCHESTRATED)


def connect(team, lead, path, capture, **extra):
    with capture(execute=True):
        return repository_connect(team=team, user=lead, url=str(path), **extra)


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


def test_rescanning_the_same_commit_stores_one_result(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    first, second = Scan.objects.filter(repository=repository).order_by("pk")
    assert (first.status, second.status) == (ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED)
    assert second.same_as == first
    assert second.commit == first.commit


def test_a_new_commit_gets_a_new_result(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    write_files(pipeline_repo, {"notes.txt": "more\n"})
    commit(pipeline_repo, "More")
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    statuses = list(Scan.objects.filter(repository=repository).values_list("status", flat=True))
    assert statuses.count(ScanStatus.SUCCEEDED) == 2


def test_a_vanished_repository_fails_with_a_reason(
    team, lead, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    shutil.rmtree(pipeline_repo)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_enqueue(repository=repository, trigger="manual")
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "does not exist" in scan.failure_reason


def test_queueing_twice_while_a_scan_waits_queues_one(team, lead, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    first = scan_enqueue(repository=repository, trigger="manual")
    assert scan_enqueue(repository=repository, trigger="webhook") == first
    assert Scan.objects.count() == 1


def test_a_finished_or_claimed_scan_cannot_be_claimed_again(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    assert scan_claim(scan_id=scan.pk) is not None
    assert scan_claim(scan_id=scan.pk) is None, "running and not stale"
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.FAILED)
    assert scan_claim(scan_id=scan.pk) is None


def test_the_reaper_requeues_a_scan_whose_worker_died_and_the_rescan_finishes(
    team, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    long_ago = timezone.now() - timedelta(hours=2)
    scan = Scan.objects.create(
        repository=repository, status=ScanStatus.RUNNING, started_at=long_ago, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = scans_reap()
    assert counts["requeued"] == 1
    scan.refresh_from_db()
    assert (scan.status, scan.attempts) == (ScanStatus.SUCCEEDED, 2)


def test_the_reaper_gives_up_after_the_last_attempt(team, pipeline_repo, settings):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(
        repository=repository,
        status=ScanStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
        attempts=settings.SCAN_MAX_ATTEMPTS,
    )
    assert scans_reap()["failed"] == 1
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "will not be retried" in scan.failure_reason


def test_the_reaper_sends_lost_queued_scans_again(
    team, pipeline_repo, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    Scan.objects.filter(pk=scan.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert scans_reap()["redispatched"] == 1
    scan.refresh_from_db()
    assert scan.status == ScanStatus.SUCCEEDED


def test_the_schedule_queues_only_repositories_that_are_due(team, tmp_path):
    due = Repository.objects.create(team=team, url=str(tmp_path / "a"), scan_interval_hours=1)
    fresh = Repository.objects.create(team=team, url=str(tmp_path / "b"), scan_interval_hours=24)
    old = Scan.objects.create(repository=due, status=ScanStatus.SUCCEEDED)
    Scan.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    Scan.objects.create(repository=fresh, status=ScanStatus.SUCCEEDED)
    assert scans_schedule() == 1
    assert Scan.objects.filter(repository=due, status=ScanStatus.QUEUED).count() == 1
    assert not Scan.objects.filter(repository=fresh, status=ScanStatus.QUEUED).exists()


def github_signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_signed_github_push_queues_a_scan(client, team, pipeline_repo):
    repository = Repository.objects.create(
        team=team,
        url=str(pipeline_repo),
        branch="main",
        webhook_secret_encrypted=encrypt("s3cret"),
    )
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    response = client.post(
        reverse("webhook", args=["github", repository.pk]),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": github_signature("s3cret", body), "X-GitHub-Event": "push"},
    )
    assert response.status_code == 202
    assert Scan.objects.filter(repository=repository, trigger="webhook").count() == 1


@pytest.mark.parametrize(
    ("provider", "headers"),
    [
        ("github", {"X-Hub-Signature-256": "sha256=" + "0" * 64, "X-GitHub-Event": "push"}),
        ("github", {"X-GitHub-Event": "push"}),
        ("gitlab", {"X-Gitlab-Token": "wrong", "X-Gitlab-Event": "Push Hook"}),
    ],
)
def test_a_bad_webhook_signature_is_refused_and_nothing_is_queued(
    client, team, pipeline_repo, provider, headers
):
    repository = Repository.objects.create(
        team=team, url=str(pipeline_repo), webhook_secret_encrypted=encrypt("s3cret")
    )
    response = client.post(
        reverse("webhook", args=[provider, repository.pk]),
        b'{"ref": "refs/heads/main"}',
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "signature does not match" in response.json()["detail"]
    assert not Scan.objects.exists()


def test_a_gitlab_push_to_another_branch_is_ignored(client, team, pipeline_repo):
    repository = Repository.objects.create(
        team=team, url=str(pipeline_repo), branch="main", webhook_secret_encrypted=encrypt("s3")
    )
    response = client.post(
        reverse("webhook", args=["gitlab", repository.pk]),
        b'{"ref": "refs/heads/feature"}',
        content_type="application/json",
        headers={"X-Gitlab-Token": "s3", "X-Gitlab-Event": "Push Hook"},
    )
    assert response.status_code == 202
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    ("provider", "payload", "queued"),
    [
        ("github", {"ref": "refs/heads/feature", "repository": {"default_branch": "main"}}, 0),
        ("github", {"ref": "refs/heads/main", "repository": {"default_branch": "main"}}, 1),
        ("gitlab", {"ref": "refs/heads/wip", "project": {"default_branch": "trunk"}}, 0),
        ("gitlab", {"ref": "refs/heads/trunk", "project": {"default_branch": "trunk"}}, 1),
        ("gitlab", {"ref": "refs/heads/anything"}, 1),
        ("gitlab", ["not", "an", "object"], 0),
    ],
)
def test_a_repository_without_a_branch_follows_the_default_branch_the_push_names(
    client, team, pipeline_repo, provider, payload, queued
):
    repository = Repository.objects.create(
        team=team, url=str(pipeline_repo), webhook_secret_encrypted=encrypt("s3")
    )
    body = json.dumps(payload).encode()
    headers = (
        {"X-Hub-Signature-256": github_signature("s3", body), "X-GitHub-Event": "push"}
        if provider == "github"
        else {"X-Gitlab-Token": "s3", "X-Gitlab-Event": "Push Hook"}
    )
    response = client.post(
        reverse("webhook", args=[provider, repository.pk]),
        body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 202
    assert Scan.objects.filter(repository=repository, trigger="webhook").count() == queued


def test_repository_pages_follow_the_tenancy_rule(
    client,
    team,
    lead,
    other_team_member,
    org_admin,
    pipeline_repo,
    django_capture_on_commit_callbacks,
):
    repository = connect(team, lead, pipeline_repo, django_capture_on_commit_callbacks)
    url = reverse("repository_detail", args=[repository.pk])
    client.force_login(other_team_member)
    assert client.get(url).status_code == 404
    assert client.post(reverse("repository_scan", args=[repository.pk])).status_code == 404
    client.force_login(org_admin)
    assert client.get(url).status_code == 200


def test_the_connect_form_shows_refusals_as_sentences(client, team, lead):
    client.force_login(lead)
    response = client.post(
        reverse("repository_connect", args=[team.slug]),
        {"url": "ssh://-oProxyCommand=id/x", "branch": "", "scan_interval_hours": 24},
    )
    assert response.status_code == 200
    assert "Only https://" in response.content.decode()
    assert not Repository.objects.exists()


def test_members_cannot_open_the_connect_form(client, team, member):
    client.force_login(member)
    assert client.get(reverse("repository_connect", args=[team.slug])).status_code == 403


class TestCommandLine:
    def test_json_output_has_the_stable_shape(self, pipeline_repo, capsys):
        call_command("scan_repo", str(pipeline_repo), "--format", "json")
        data = json.loads(capsys.readouterr().out)
        assert list(data)[:10] == [
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
        ]
        assert data["overall_level"] == 1
        assert {"key", "grade", "strength", "reason", "evidence"} <= set(data["capabilities"][0])

    def test_json_and_text_say_how_far_the_next_level_is(self, pipeline_repo, capsys):
        call_command("scan_repo", str(pipeline_repo), "--format", "json")
        progress = json.loads(capsys.readouterr().out)["next_level_progress"]
        assert progress["level"] == 2
        assert progress["blocking"]
        call_command("scan_repo", str(pipeline_repo))
        text = capsys.readouterr().out
        assert f"Level 2: {progress['in_place']} of {progress['total']} capabilities in place" in (
            text
        )
        assert "held back by" in text

    def test_it_exits_3_below_the_required_level(self, tmp_path, capsys):
        repo = make_repo(tmp_path / "nb", NOTEBOOK_ONLY)
        with pytest.raises(SystemExit) as exit_:
            call_command("scan_repo", str(repo), "--fail-under", "1")
        assert exit_.value.code == 3
        assert "level 0" in capsys.readouterr().out

    def test_it_exits_2_with_a_one_line_error_on_bad_input(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            call_command("scan_repo", "https://127.0.0.1/x")
        assert exit_.value.code == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("error: ")
        assert "\n" not in error


@pytest.mark.redis
def test_a_connected_repository_is_scanned_by_a_real_worker(
    celery_worker_process, team, lead, pipeline_repo
):
    repository = repository_connect(team=team, user=lead, url=str(pipeline_repo))
    deadline = timezone.now() + timedelta(seconds=90)
    scan = Scan.objects.get(repository=repository)
    while not scan.is_final:
        assert timezone.now() < deadline, f"the scan is still {scan.status} after 90 s"
        time.sleep(0.3)
        scan.refresh_from_db()
    assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
    assert scan.attempts == 1


def test_an_unexpected_error_fails_the_scan_at_once(team, pipeline_repo, monkeypatch):
    from assessments import scanning
    from assessments.tasks import run_scan

    def broken(*args, **kwargs):
        raise TimeoutError("boom")

    monkeypatch.setattr(scanning, "scan_repository", broken)
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    run_scan.delay(scan.pk)
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "unexpected error" in scan.failure_reason
    assert "boom" not in scan.failure_reason


def test_the_reaper_sends_a_waiting_scan_once_per_grace_period(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    scan = Scan.objects.create(repository=repository)
    Scan.objects.filter(pk=scan.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    assert scans_reap()["redispatched"] == 1
    assert scans_reap()["redispatched"] == 0


def test_a_scan_interrupted_long_ago_does_not_block_new_scans(team, pipeline_repo):
    repository = Repository.objects.create(team=team, url=str(pipeline_repo))
    stuck = Scan.objects.create(
        repository=repository,
        status=ScanStatus.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(hours=3),
    )
    fresh = scan_enqueue(repository=repository, trigger="manual")
    assert fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == ScanStatus.FAILED
    assert "interrupted" in stuck.failure_reason


def test_going_back_to_an_earlier_commit_brings_its_evidence_back(
    team, lead, tmp_path, django_capture_on_commit_callbacks
):
    from assessments.selectors import evidence_for_team

    from .scanning.gitrepo import git

    repo = make_repo(tmp_path / "repo", ORCHESTRATED)
    first_commit = git(repo, "rev-parse", "HEAD").strip()
    repository = connect(team, lead, repo, django_capture_on_commit_callbacks)
    with_pipeline = set(evidence_for_team(team))
    git(repo, "rm", "-q", "src/churn/validate.py", "src/churn/register.py")
    commit(repo, "Drop the pipeline")
    with django_capture_on_commit_callbacks(execute=True):
        scan_enqueue(repository=repository, trigger="manual")
    assert set(evidence_for_team(team)) != with_pipeline
    git(repo, "reset", "-q", "--hard", first_commit)
    with django_capture_on_commit_callbacks(execute=True):
        back = scan_enqueue(repository=repository, trigger="manual")
    back.refresh_from_db()
    assert back.status == ScanStatus.UNCHANGED
    assert set(evidence_for_team(team)) == with_pipeline


def test_history_refuses_to_compare_an_assessment_with_itself(client, team, member):
    client.force_login(member)
    url = reverse("team_history", args=[team.slug])
    assert client.get(url, {"compare": ["5", "5"]}).status_code == 404


def test_a_github_signature_with_non_ascii_characters_is_refused(client, team, pipeline_repo):
    repository = Repository.objects.create(
        team=team, url=str(pipeline_repo), webhook_secret_encrypted=encrypt("s3cret")
    )
    response = client.post(
        reverse("webhook", args=["github", repository.pk]),
        b"{}",
        content_type="application/json",
        headers={"X-Hub-Signature-256": "sha256=é", "X-GitHub-Event": "push"},
    )
    assert response.status_code == 403
    assert not Scan.objects.exists()


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


def test_evidence_on_a_scan_page_links_to_the_file_at_the_scanned_commit(client, team, lead):
    repository = Repository.objects.create(team=team, url="https://github.com/acme/churn.git")
    commit = "ab" * 20
    Scan.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        commit=commit,
        scanner_version="1",
        finished_at=timezone.now(),
        report={
            "commit": commit,
            "inconclusive": False,
            "overall_level": 0,
            "index": 10,
            "flags": [],
            "capabilities": [
                {
                    "key": "ci",
                    "grade": 1.0,
                    "strength": "ci_config",
                    "reason": "CI runs the tests.",
                    "evidence": [{"path": ".github/workflows/ci.yml", "line": 7, "detector": "x"}],
                }
            ],
            "unknown": [],
        },
    )
    client.force_login(lead)
    body = client.get(reverse("repository_detail", args=[repository.pk])).content.decode()
    assert "Repository acme/churn" in body
    assert f'href="https://github.com/acme/churn/blob/{commit}/.github/workflows/ci.yml#L7"' in body
    assert "CI on every change" in body  # the capability's name, not its key
