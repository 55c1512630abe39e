"""The forge import pages: org admins only, the token never shown back, preview then run."""

import re

import pytest
from django.urls import reverse

from assessments.models import ForgeConnection, ForgeImport, Repository

from .factories import TeamFactory
from .fakeforge import FakeForge, ForgeState, repos


@pytest.fixture(autouse=True)
def dispatched(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("assessments.services.scans._dispatch", sent.append)
    return sent


@pytest.fixture
def forge(settings):
    state = ForgeState(kind="gitlab", owner="acme/ml", repos=repos(120, archived_every=4))
    with FakeForge(state) as server:
        settings.FORGE_ALLOW_LOOPBACK = True
        settings.FORGE_CA_BUNDLE = server.ca_path
        yield server


def test_an_org_admin_connects_previews_and_runs_an_import(
    client, forge, team, org_admin, django_capture_on_commit_callbacks
):
    TeamFactory(organization=team.organization, slug="search", name="Search")
    client.force_login(org_admin)
    response = client.post(
        reverse("forge_list"),
        {
            "organization": team.organization.pk,
            "kind": "gitlab",
            "owner": "acme/ml",
            "api_url": forge.api_url,
            "token": "glpat-s3cret",
        },
    )
    connection = ForgeConnection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("forge_detail", args=[connection.pk])
    page = client.get(response.url)
    assert b"glpat-s3cret" not in page.content
    assert b"a token is stored" in page.content
    # The teams rules can name: the organisation's, by slug, and no other organisation's.
    TeamFactory(slug="elsewhere")
    listed = re.findall(r"<li><code>([\w-]+)</code>", client.get(response.url).content.decode())
    assert listed == ["fraud-detection", "search"]
    response = client.post(
        reverse("forge_detail", args=[connection.pk]),
        {"rules": "name:repo-00* = fraud-detection\nname:* = search"},
    )
    preview = ForgeImport.objects.get()
    assert response.url == reverse("import_detail", args=[preview.pk])
    page = client.get(response.url)
    text = page.content.decode()
    assert "Run the import" in text
    assert "Skipped: archived" in text
    assert "acme/ml/repo-0001" in text
    assert Repository.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_run", args=[preview.pk]))
    assert response.status_code == 302
    assert Repository.objects.count() == 90
    page = client.get(reverse("import_detail", args=[preview.pk])).content.decode()
    assert "Run the import" not in page
    assert "0 of 90 scanned" in page
    assert "88 waiting their turn" in page
    assert 'http-equiv="refresh"' in page
    audit = client.get(reverse("audit_list"), {"action": "forge.connected"}).content.decode()
    assert f"gitlab acme/ml at {forge.api_url}" in audit
    audit = client.get(reverse("audit_list"), {"action": "import.ran"}).content.decode()
    assert "acme/ml: 90 connected, 0 already connected, 0 unmapped" in audit


def test_a_refused_address_is_shown_as_a_sentence_on_the_form(client, team, org_admin):
    client.force_login(org_admin)
    response = client.post(
        reverse("forge_list"),
        {
            "organization": team.organization.pk,
            "kind": "github",
            "owner": "acme",
            "api_url": "http://api.github.com",
            "token": "ghp_s3cret",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Only https:// API addresses are accepted, not &#x27;http:&#x27;." in text
    assert "ghp_s3cret" not in text
    assert not ForgeConnection.objects.exists()


def test_team_people_may_not_open_the_import_pages(client, team, lead, member):
    for user in (lead, member):
        client.force_login(user)
        assert client.get(reverse("forge_list")).status_code == 403


def test_another_organisations_admin_gets_not_found(
    client, forge, team, org_admin, stranger_org_admin
):
    from assessments.services.forges import forge_connect, forge_preview

    connection = forge_connect(
        organization=team.organization,
        user=org_admin,
        kind="gitlab",
        owner="acme/ml",
        token="t",
        api_url=forge.api_url,
    )
    preview = forge_preview(connection=connection, user=org_admin, rules="")
    client.force_login(stranger_org_admin)
    assert client.get(reverse("forge_detail", args=[connection.pk])).status_code == 404
    assert client.get(reverse("import_detail", args=[preview.pk])).status_code == 404
    assert client.post(reverse("import_run", args=[preview.pk])).status_code == 404
    listing = client.get(reverse("forge_list")).content.decode()
    assert "GitLab group acme/ml" not in listing
    assert "Connected forges" not in listing


def _import_with(team, count):
    from assessments.models import ForgeImport, Scan

    connection, _ = ForgeConnection.objects.get_or_create(
        organization=team.organization, kind="github", api_url="https://api.github.com", owner="a"
    )
    forge_import = ForgeImport.objects.create(
        organization=team.organization, connection=connection, state="finished"
    )
    for n in range(count):
        repository = Repository.objects.create(
            team=team,
            url=f"https://140.82.112.3/a/r{forge_import.pk}-{n}",
            forge_import=forge_import,
            first_scan_pending=n % 2 == 0,
        )
        if n % 2:
            Scan.objects.create(repository=repository, status="succeeded")
    return forge_import


def test_the_import_page_reads_the_same_number_of_times_however_many_repositories(
    client, team, org_admin, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(org_admin)
    small, large = _import_with(team, 3), _import_with(team, 40)
    client.get(reverse("import_detail", args=[small.pk]))
    # The session, the user, the admin check, the import and its progress.
    with django_assert_max_num_queries(5) as captured:
        client.get(reverse("import_detail", args=[small.pk]))
    with django_assert_num_queries(len(captured)):
        page = client.get(reverse("import_detail", args=[large.pk]))
    assert "20 of 40 scanned" in page.content.decode()
