"""Push webhooks from GitHub and GitLab: a signed push to the followed branch queues a scan;
a bad signature or another branch queues nothing.
"""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from assessments.models import Repository, Scan
from assessments.services.encryption import encrypt


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
