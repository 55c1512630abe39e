"""/api/v1/scans/: a scan's status and, once finished, the scan_repo CLI's JSON report."""

import json

import pytest
from django.core.management import call_command

from assessments.models import Scan, ScanStatus
from assessments.services.repositories import repository_connect

from ..scanning.archetypes import ORCHESTRATED
from ..scanning.gitrepo import make_repo
from .conftest import error_of


@pytest.fixture
def repo_path(tmp_path):
    return str(make_repo(tmp_path / "pipeline", ORCHESTRATED))


@pytest.fixture
def scanned(team, lead, repo_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        repository = repository_connect(team=team, user=lead, url=repo_path)
    return Scan.objects.get(repository=repository)


def test_a_finished_scan_carries_the_same_json_as_the_cli(as_viewer, scanned, repo_path, capsys):
    assert scanned.status == ScanStatus.SUCCEEDED, scanned.failure_reason
    response = as_viewer.get(f"/api/v1/scans/{scanned.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["commit"] == scanned.commit
    call_command("scan_repo", repo_path, "--format", "json")
    cli = json.loads(capsys.readouterr().out)
    report = body["report"]
    assert set(report) == set(cli)
    for key in ("overall_level", "index", "dimensions", "capabilities", "commit"):
        assert report[key] == cli[key], key


def test_a_queued_scan_has_no_report_yet(as_lead, team, lead, repo_path):
    repository = repository_connect(team=team, user=lead, url=repo_path)
    scan = Scan.objects.get(repository=repository)
    body = as_lead.get(f"/api/v1/scans/{scan.id}/").json()
    assert body["status"] == "queued"
    assert body["report"] is None


def test_another_teams_scan_answers_404(as_other, scanned):
    response = as_other.get(f"/api/v1/scans/{scanned.id}/")
    assert response.status_code == 404
    error_of(response)
    assert as_other.get("/api/v1/scans/").json()["count"] == 0


def test_scans_are_listed_without_reports_and_filter_by_repository(as_viewer, scanned):
    body = as_viewer.get("/api/v1/scans/", {"repository": scanned.repository_id}).json()
    assert body["count"] == 1
    assert "report" not in body["results"][0]
    assert as_viewer.get("/api/v1/scans/", {"repository": 999999}).json()["count"] == 0
    assert as_viewer.get("/api/v1/scans/", {"status": "failed"}).json()["count"] == 0
    assert as_viewer.get("/api/v1/scans/", {"status": "lost"}).status_code == 400


def test_scans_are_read_only(as_lead, scanned):
    assert as_lead.delete(f"/api/v1/scans/{scanned.id}/").status_code == 405
