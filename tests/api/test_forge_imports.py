"""The imports API: org admins connect a forge, preview and run imports; nobody else sees them,
and the token is never answered back."""

import pytest

from assessments.models import ForgeConnection, ForgeImport, Repository

from ..factories import TeamFactory
from ..fakeforge import FakeForge, ForgeState, repos
from .conftest import token_client


@pytest.fixture(autouse=True)
def dispatched(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("assessments.services.scans._dispatch", sent.append)
    return sent


@pytest.fixture
def forge(settings):
    state = ForgeState(kind="github", owner="acme", repos=repos(130, fork_every=5))
    with FakeForge(state) as server:
        settings.FORGE_ALLOW_LOOPBACK = True
        settings.FORGE_CA_BUNDLE = server.ca_path
        yield server


def _connect(client, team, forge, **extra):
    body = {
        "organization": team.organization_id,
        "kind": "github",
        "owner": "acme",
        "api_url": forge.api_url,
        "token": "ghp_s3cret",
        **extra,
    }
    return client.post("/api/v1/forges/", body, format="json")


def test_an_org_admin_connects_previews_and_runs_an_import(
    as_org_admin, team, forge, django_capture_on_commit_callbacks
):
    TeamFactory(organization=team.organization, slug="search", name="Search")
    response = _connect(as_org_admin, team, forge)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_token"] is True
    assert "token" not in body
    assert "ghp_s3cret" not in response.content.decode()
    assert response["Location"].endswith(f"/api/v1/forges/{body['id']}/")

    response = as_org_admin.post(
        "/api/v1/imports/",
        {"connection": body["id"], "rules": "name:repo-000* = fraud-detection\nname:* = search"},
        format="json",
    )
    assert response.status_code == 201, response.content
    preview = response.json()
    assert preview["state"] == "previewed"
    assert preview["api_calls"] == 2
    assert preview["counts"] == {
        "create": 104,
        "exists": 0,
        "unmapped": 0,
        "archived": 0,
        "fork": 26,
    }
    assert preview["repositories"][0] == {
        "full_name": "acme/repo-0000",
        "clone_url": "https://140.82.112.3/acme/repo-0000.git",
        "team": "fraud-detection",
        "action": "create",
        "topics": [],
        "source": "rule",
        "rule": "Rule line 1: name:repo-000*",
        "note": "",
    }
    assert Repository.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = as_org_admin.post(f"/api/v1/imports/{preview['id']}/run/")
    assert response.status_code == 202, response.content
    done = as_org_admin.get(f"/api/v1/imports/{preview['id']}/").json()
    assert done["state"] == "finished"
    assert done["counts"]["created"] == 104
    assert done["progress"] == {
        "created": 104,
        "waiting": 102,
        "queued": 2,
        "running": 0,
        "scanned": 0,
        "failed": 0,
    }
    again = as_org_admin.post(f"/api/v1/imports/{preview['id']}/run/")
    assert again.status_code == 400
    listed = as_org_admin.get("/api/v1/imports/").json()
    assert listed["count"] == 1
    assert "repositories" not in listed["results"][0]
    assert "ghp_s3cret" not in as_org_admin.get("/api/v1/forges/").content.decode()


def test_an_unsafe_api_address_answers_400_with_the_sentence(as_org_admin, team, forge):
    response = _connect(as_org_admin, team, forge, api_url="https://10.1.2.3/api/v3")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The address 10.1.2.3 is a private address; only public addresses are allowed."
    )
    assert not ForgeConnection.objects.exists()


@pytest.mark.parametrize("who", ["lead", "member", "stranger_org_admin"])
def test_others_cannot_connect_for_the_organisation(request, team, forge, who):
    client = token_client(request.getfixturevalue(who))
    response = _connect(client, team, forge)
    assert response.status_code == 400
    assert "that you administer" in response.json()["detail"]


@pytest.mark.parametrize("who", ["lead", "member", "stranger_org_admin"])
def test_others_see_no_connection_nor_import(request, team, forge, org_admin, who):
    from assessments.services.forges import forge_connect, forge_preview

    connection = forge_connect(
        organization=team.organization,
        user=org_admin,
        kind="github",
        owner="acme",
        token="ghp_s3cret",
        api_url=forge.api_url,
    )
    preview = forge_preview(connection=connection, user=org_admin, rules="name:* = fraud-detection")
    client = token_client(request.getfixturevalue(who))
    assert client.get("/api/v1/forges/").json()["count"] == 0
    assert client.get("/api/v1/imports/").json()["count"] == 0
    assert client.get(f"/api/v1/forges/{connection.pk}/").status_code == 404
    assert client.get(f"/api/v1/imports/{preview.pk}/").status_code == 404
    assert client.post(f"/api/v1/imports/{preview.pk}/run/").status_code == 404
    response = client.post("/api/v1/imports/", {"connection": connection.pk}, format="json")
    assert response.status_code == 400
    assert ForgeImport.objects.get().state == "previewed"
    assert Repository.objects.count() == 0


def test_the_schema_documents_forges_and_imports(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/forges/"])
    assert {"get", "post"} <= set(paths["/api/v1/imports/"])
    assert "post" in paths["/api/v1/imports/{id}/run/"]
    connection = schema["components"]["schemas"]["ForgeConnectionRequest"]["properties"]
    assert connection["token"]["writeOnly"] is True
    detail = schema["components"]["schemas"]["ForgeImportDetail"]["properties"]
    assert {"progress", "repositories", "counts", "api_calls"} <= set(detail)
