"""A level-up kit from the roadmap: the result page links each step with a kit to it, the kit
page shows the files before the download, and the API returns the same kit, all under the
tenancy rule."""

import pytest
from django.urls import reverse

from assessments.models import Result
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.repositories import repository_connect

from ..assessment_helpers import answer_everything, answers_all
from ..scanning import archetypes
from ..scanning.gitrepo import make_repo


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def connected(team, lead, tmp_path, django_capture_on_commit_callbacks):
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    with django_capture_on_commit_callbacks(execute=True):
        repository = repository_connect(team=team, user=lead, url=str(repo))
    return repository


def kit_url(repository, capability="ci"):
    return reverse("repository_kit", args=[repository.pk, capability])


def prepared(client, url, capture):
    """Ask for the kit, let the worker build it (in process here), and ask again."""
    with capture(execute=True):
        first = client.get(url)
    assert first.status_code == 202
    return client.get(url)


def test_the_result_page_links_roadmap_steps_to_their_kits(
    client, team, member, connected, django_capture_on_commit_callbacks
):
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("no"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    result = Result.objects.get(assessment=draft)
    roadmap = {step["capability"] for step in result.snapshot["roadmap"]}
    assert "experiment_tracking" in roadmap
    client.force_login(member)
    body = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert kit_url(connected, "experiment_tracking") in body
    assert kit_url(connected, "feature_store") not in body  # no kit for that step


def test_the_kit_page_shows_the_files_and_what_it_does_not_do(
    client, member, connected, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        preparing = client.get(kit_url(connected))
    assert preparing.status_code == 202
    assert "The kit is being prepared" in preparing.content.decode()
    assert "js/kit" in preparing.content.decode()  # asks again until the kit is ready
    response = client.get(kit_url(connected))
    assert response.status_code == 200
    assert "data-kit-preparing" not in response.content.decode()
    assert "js/kit" not in response.content.decode()
    body = response.content.decode()
    assert ".github/workflows/ci.yml" in body
    assert "What it does not do" in body
    assert "protect the main branch" in body
    download = client.get(kit_url(connected) + "?download=1")
    assert download["Content-Type"].startswith("text/x-diff")
    assert 'filename="ci.patch"' in download["Content-Disposition"]
    assert download.content.decode().startswith("diff --git a/.github/workflows/ci.yml")


def test_a_kit_that_does_not_fit_says_why(
    client, member, connected, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = prepared(
        client, kit_url(connected, "data_validation"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    assert "No sample data" in response.content.decode()


def test_another_teams_kit_is_not_found(client, other_team_member, connected):
    client.force_login(other_team_member)
    assert client.get(kit_url(connected)).status_code == 404


def test_the_api_returns_the_kit_under_the_tenancy_rule(
    client, member, other_team_member, connected, django_capture_on_commit_callbacks
):
    url = reverse("api:repository-kit", kwargs={"pk": connected.pk, "capability": "ci"})
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    assert pending.status_code == 202
    assert pending["Retry-After"] == "3"
    assert pending.json()["status"] == "preparing"
    kit = client.get(url).json()
    assert kit["step"] == "ci"
    assert len(kit["commit"]) == 40
    assert kit["files"][0]["path"] == ".github/workflows/ci.yml"
    assert kit["files"][0]["added"] is True
    assert kit["patch"].startswith("diff --git")
    refused = client.get(
        reverse("api:repository-kit", kwargs={"pk": connected.pk, "capability": "feature_store"})
    )
    assert refused.status_code == 400
    assert "There is no kit for 'feature_store'" in refused.json()["detail"]
    client.force_login(other_team_member)
    assert client.get(url).status_code == 404
