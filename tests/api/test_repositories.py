"""/api/v1/repositories/: connect (create), list, detail, disconnect, queue a scan."""

import json

import pytest

from assessments.models import Repository, Scan, ScanStatus
from assessments.services.encryption import decrypt
from assessments.services.repositories import repository_connect

from ..factories import TeamFactory
from ..scanning.archetypes import ORCHESTRATED
from ..scanning.gitrepo import make_repo
from .conftest import error_of

TOKEN = "ghp_SECRETtokenVALUE1234567890"


@pytest.fixture
def repo_path(tmp_path):
    return str(make_repo(tmp_path / "pipeline", ORCHESTRATED))


@pytest.fixture
def repository(team, lead, repo_path):
    return repository_connect(team=team, user=lead, url=repo_path, access_token=TOKEN)


def test_a_lead_connects_a_repository_and_its_first_scan_is_queued(as_lead, team, repo_path):
    response = as_lead.post(
        "/api/v1/repositories/",
        {"team": team.id, "url": repo_path, "branch": "main", "access_token": TOKEN},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {"id", "team", "url", "branch", "last_scan"}
    assert "access_token" not in body
    assert body["has_access_token"] is True
    assert body["last_scan"]["status"] == "queued"
    assert body["last_scan"]["trigger"] == "connect"
    repository = Repository.objects.get()
    assert decrypt(repository.access_token_encrypted) == TOKEN
    assert response["Location"].endswith(f"/api/v1/repositories/{repository.id}/")


def test_the_access_token_is_never_shown(as_lead, repository):
    for url in ("/api/v1/repositories/", f"/api/v1/repositories/{repository.id}/"):
        assert TOKEN not in as_lead.get(url).content.decode()


def test_a_member_cannot_connect_a_repository(as_member, team, repo_path):
    response = as_member.post(
        "/api/v1/repositories/", {"team": team.id, "url": repo_path}, format="json"
    )
    assert response.status_code == 403
    assert "team leads" in error_of(response)["detail"]
    assert not Repository.objects.exists()


def test_an_unsafe_address_is_refused_with_a_sentence(as_lead, team):
    response = as_lead.post(
        "/api/v1/repositories/", {"team": team.id, "url": "file:///etc"}, format="json"
    )
    assert response.status_code == 400
    assert "https://" in error_of(response)["detail"]


def test_connecting_to_another_teams_team_is_refused(as_lead, repo_path, team):
    elsewhere = TeamFactory()
    response = as_lead.post(
        "/api/v1/repositories/", {"team": elsewhere.id, "url": repo_path}, format="json"
    )
    assert response.status_code == 400
    assert "team" in error_of(response)["error"]["fields"]


def test_another_team_neither_sees_nor_scans_the_repository(as_other, repository):
    assert as_other.get("/api/v1/repositories/").json()["count"] == 0
    assert as_other.get(f"/api/v1/repositories/{repository.id}/").status_code == 404
    assert as_other.post(f"/api/v1/repositories/{repository.id}/scans/").status_code == 404
    assert as_other.delete(f"/api/v1/repositories/{repository.id}/").status_code == 404
    assert Repository.objects.filter(pk=repository.pk).exists()


def test_a_viewer_reads_but_cannot_scan_or_disconnect(as_viewer, repository):
    assert as_viewer.get(f"/api/v1/repositories/{repository.id}/").status_code == 200
    assert as_viewer.post(f"/api/v1/repositories/{repository.id}/scans/").status_code == 403
    assert as_viewer.delete(f"/api/v1/repositories/{repository.id}/").status_code == 403
    assert Repository.objects.filter(pk=repository.pk).exists()


def test_a_lead_queues_a_scan_and_gets_its_url(as_lead, repository):
    Scan.objects.filter(repository=repository).update(status=ScanStatus.FAILED)
    response = as_lead.post(f"/api/v1/repositories/{repository.id}/scans/")
    assert response.status_code == 202
    scan = Scan.objects.get(repository=repository, status=ScanStatus.QUEUED)
    assert response.json()["id"] == scan.id
    assert response.json()["trigger"] == "api"
    assert response["Location"].endswith(f"/api/v1/scans/{scan.id}/")


def test_queuing_while_a_scan_waits_returns_the_waiting_one(as_lead, repository):
    waiting = Scan.objects.get(repository=repository)
    response = as_lead.post(f"/api/v1/repositories/{repository.id}/scans/")
    assert response.status_code == 202
    assert response.json()["id"] == waiting.id
    assert Scan.objects.count() == 1


def test_a_repositorys_scans_are_listed(as_viewer, repository):
    body = as_viewer.get(f"/api/v1/repositories/{repository.id}/scans/").json()
    assert body["count"] == 1
    assert body["results"][0]["status"] == "queued"


def test_a_lead_disconnects_a_repository(as_lead, repository):
    assert as_lead.delete(f"/api/v1/repositories/{repository.id}/").status_code == 204
    assert not Repository.objects.exists()


def test_the_repository_list_does_not_grow_in_queries(
    as_lead, team, lead, tmp_path, django_assert_max_num_queries
):
    def connect(count, offset):
        for i in range(offset, offset + count):
            path = make_repo(tmp_path / f"r{i}", {"README.md": "x"})
            repository_connect(team=team, user=lead, url=str(path))

    connect(3, 0)
    with django_assert_max_num_queries(20) as few:
        assert as_lead.get("/api/v1/repositories/").json()["count"] == 3
    connect(12, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = as_lead.get("/api/v1/repositories/").json()
    assert body["count"] == 15
    assert all(row["last_scan"]["status"] == "queued" for row in body["results"])
    json.dumps(body)


def test_a_project_folder_and_what_it_holds_are_given_when_connecting(as_lead, team, repo_path):
    response = as_lead.post(
        "/api/v1/repositories/",
        {"team": team.id, "url": repo_path, "project": "/", "holds": ["cicd", "pipeline"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["project"], body["holds"]) == ("", ["pipeline", "cicd"])


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("holds", ["kitchen"], "kitchen is not a part of the ML system"),
        ("project", "../../etc", "without '.' or '..' parts"),
    ],
)
def test_a_bad_project_or_part_is_refused_with_a_sentence(
    as_lead, team, repo_path, field, value, sentence
):
    response = as_lead.post(
        "/api/v1/repositories/",
        {"team": team.id, "url": repo_path, field: value},
        format="json",
    )
    assert response.status_code == 400
    assert sentence in error_of(response)["detail"]
    assert not Repository.objects.exists()
