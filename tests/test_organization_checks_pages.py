"""The org admins' page of the organisation's own checks, its download, and the section on a
team's result page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import CheckSetVersion
from assessments.services.custom_checks import check_set_import

CHECKS = """\
counts_towards_levels: true
checks:
  - key: internal_registry
    title: "Models in <script>alert(1)</script> registry"
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""
URL = "/organisation/checks/"


def test_an_org_admin_starts_from_an_example(client, org_admin):
    client.force_login(org_admin)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No checks yet" in page
    assert "dependency_present: acme-registry" in page
    assert "No version yet: the first import is version 1." in page


def test_importing_shows_the_current_version_and_the_history(client, team, org_admin):
    client.force_login(org_admin)
    response = client.post(URL, {"yaml_text": CHECKS})
    assert response.status_code == 302
    assert CheckSetVersion.objects.get().number == 1
    response = client.post(URL, {"yaml_text": CHECKS.replace("level: 1", "level: 2")})
    page = client.get(URL).content.decode()
    assert "Current version: 2" in page
    assert "counted towards levels" in page
    # User text is data, never markup.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('download>YAML<span class="visually-hidden"> of version') == 2


def test_an_invalid_set_shows_each_problem_with_its_line_and_keeps_the_text(client, org_admin):
    client.force_login(org_admin)
    bad = CHECKS.replace("dependency_present", "dependency_presnt").replace("level: 1", "level: 9")
    response = client.post(URL, {"yaml_text": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The check set was not imported: 2 problems to fix." in page
    assert "line 6: level &#x27;9&#x27; is not one of 0, 1, 2." in page
    assert "line 8: rule &#x27;dependency_presnt&#x27; is not one of file_exists" in page
    assert "{dependency_presnt: acme-registry}" in page  # still in the box
    assert not CheckSetVersion.objects.exists()


def test_an_uploaded_file_is_imported_and_an_empty_form_is_refused(client, org_admin):
    client.force_login(org_admin)
    upload = SimpleUploadedFile("checks.yaml", CHECKS.encode(), content_type="application/yaml")
    assert client.post(URL, {"yaml_file": upload}).status_code == 302
    assert CheckSetVersion.objects.count() == 1
    response = client.post(URL, {"yaml_text": "  "})
    assert response.status_code == 400
    assert (
        "Paste the check set&#x27;s YAML or choose a file to upload." in response.content.decode()
    )
    binary = SimpleUploadedFile("checks.yaml", b"\xff\xfe\x00bad", content_type="text/plain")
    response = client.post(URL, {"yaml_file": binary})
    assert "The file is not UTF-8 text" in response.content.decode()


def test_a_version_downloads_as_yaml(client, team, org_admin):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    client.force_login(org_admin)
    response = client.get(reverse("organization_checks_download", args=[1]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode() == CheckSetVersion.objects.get().yaml_text
    assert client.get(reverse("organization_checks_download", args=[2])).status_code == 404


def test_team_people_and_strangers_see_nothing(client, team, org_admin, lead, stranger_org_admin):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    client.force_login(lead)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"yaml_text": "checks: []"}).status_code == 403
    assert client.get(reverse("organization_checks_download", args=[1])).status_code == 403
    client.force_login(stranger_org_admin)
    page = client.get(URL).content.decode()
    assert "No checks yet" in page
    assert "alert(1)" not in page
    assert client.get(URL, {"organization": team.organization.slug}).status_code == 404
    assert client.get(reverse("organization_checks_download", args=[1])).status_code == 404
    assert CheckSetVersion.objects.count() == 1


def test_the_result_page_shows_the_organisation_checks(client, team, org_admin, member):
    from .test_organization_checks import submitted_result

    result = submitted_result(team, member)
    client.force_login(member)
    url = reverse("assessment_result", args=[result.assessment_id])
    assert "Organisation checks" not in client.get(url).content.decode()
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    page = client.get(url).content.decode()
    assert 'id="org-checks-heading">Organisation checks' in page
    assert "? not scanned or answered yet" in page
    assert "Organisation reading: <strong>level 0</strong>" in page
    assert "Are all production models registered in the Acme registry?" in page
    assert "&lt;script&gt;" in page
    assert "<script>alert(1)</script>" not in page
