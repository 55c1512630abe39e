"""The repository pages: who may open them and the connect form, refusals shown as sentences,
evidence linked to the file at the scanned commit; and the team's history, which will not compare
an assessment with itself.
"""

from django.urls import reverse
from django.utils import timezone

from assessments.models import Repository, Scan, ScanStatus

from .repository_helpers import connect


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


def test_history_refuses_to_compare_an_assessment_with_itself(client, team, member):
    client.force_login(member)
    url = reverse("team_history", args=[team.slug])
    assert client.get(url, {"compare": ["5", "5"]}).status_code == 404
