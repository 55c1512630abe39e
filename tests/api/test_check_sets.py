"""The organisation's own checks in the API: import, versions, the current set as JSON and
YAML, refusals with every problem named by line, and the result's `organization_checks`."""

import pytest
import yaml

from assessments.models import CheckSetVersion
from assessments.services.custom_checks import check_set_import

from .conftest import token_client

CHECKS = """\
counts_towards_levels: true
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""


def test_an_org_admin_imports_versions_and_reads_them_back(team, org_admin):
    client = token_client(org_admin)
    organization = team.organization_id
    response = client.post(
        "/api/v1/check-sets/", {"organization": organization, "yaml": CHECKS}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["counts_towards_levels"]) == (1, True)
    assert body["checks"][0]["rule"] == {"dependency_present": "acme-registry"}
    assert response["Location"].endswith(f"/api/v1/check-sets/{body['id']}/")

    current_yaml = client.get("/api/v1/check-sets/current/yaml/")
    assert current_yaml.status_code == 200
    assert current_yaml["Content-Type"].startswith("application/yaml")
    text = current_yaml.content.decode()
    assert yaml.safe_load(text)["version"] == 1

    again = client.post(
        "/api/v1/check-sets/", {"organization": organization, "yaml": text}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["number"] == 1

    edited = text.replace("counts_towards_levels: true", "counts_towards_levels: false")
    response = client.post(
        "/api/v1/check-sets/", {"organization": organization, "yaml": edited}, format="json"
    )
    assert response.status_code == 201
    current = client.get("/api/v1/check-sets/current/").json()
    assert (current["number"], current["counts_towards_levels"]) == (2, False)
    versions = client.get("/api/v1/check-sets/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]


def test_an_invalid_set_is_refused_with_every_problem_and_nothing_saved(team, org_admin):
    client = token_client(org_admin)
    bad = CHECKS.replace("dependency_present", "dependency_presnt").replace("level: 1", "level: 4")
    response = client.post(
        "/api/v1/check-sets/", {"organization": team.organization_id, "yaml": bad}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["problems"] == [
        "line 6: level '4' is not one of 0, 1, 2.",
        "line 8: rule 'dependency_presnt' is not one of file_exists, file_contains, "
        "dependency_present.",
    ]
    assert body["detail"].startswith("The check set was not imported (2 problems): line 6")
    assert not CheckSetVersion.objects.exists()


def test_team_people_cannot_read_or_write_the_checks(team, org_admin, lead, member):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    for user in (lead, member):
        client = token_client(user, name=f"t-{user.pk}")
        response = client.get("/api/v1/check-sets/")
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only org admins manage the organisation's own checks."
        )
        assert client.get("/api/v1/check-sets/current/").status_code == 403
        response = client.post(
            "/api/v1/check-sets/",
            {"organization": team.organization_id, "yaml": "checks: []\n"},
            format="json",
        )
        assert response.status_code == 403
    assert CheckSetVersion.objects.count() == 1


def test_the_current_set_is_a_404_before_the_first_import(team, org_admin):
    response = token_client(org_admin).get("/api/v1/check-sets/current/")
    assert response.status_code == 404
    assert response.json()["detail"] == "The organisation has no check set yet."


@pytest.mark.parametrize("organization", ["²", "x", "-1"])
def test_an_organisation_id_that_is_not_a_number_is_a_404_not_a_server_error(
    team, org_admin, organization
):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    response = token_client(org_admin).get(
        "/api/v1/check-sets/current/", {"organization": organization}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No organisation you administer has this id."


def test_an_admin_of_several_organisations_says_which_current_set(team, org_admin):
    from ..factories import MembershipFactory, OrganizationFactory

    other = OrganizationFactory()
    MembershipFactory(user=org_admin, team=None, organization=other, role="org_admin")
    ours = check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)[0]
    theirs = check_set_import(organization=other, yaml_text=CHECKS, actor=org_admin)[0]
    client = token_client(org_admin)
    response = client.get("/api/v1/check-sets/current/")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "You administer several organisations: say which with ?organization=."
    )
    for version in (ours, theirs):
        response = client.get(
            "/api/v1/check-sets/current/", {"organization": version.organization_id}
        )
        assert response.json()["id"] == version.id
    response = client.get("/api/v1/check-sets/current/yaml/", {"organization": other.pk})
    assert response.content.decode() == theirs.yaml_text


def test_another_organisations_current_set_is_a_404_like_none_at_all(
    team, org_admin, stranger_org_admin
):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    response = token_client(stranger_org_admin).get(
        "/api/v1/check-sets/current/", {"organization": team.organization_id}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "The organisation has no check set yet."


def test_the_result_carries_the_organisation_checks_beside_the_google_fields(
    team, org_admin, member, submitted
):
    client = token_client(member)
    url = f"/api/v1/assessments/{submitted.id}/result/"
    assert client.get(url).json()["organization_checks"] is None
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    body = client.get(url).json()
    checks = body["organization_checks"]
    assert (checks["version"], checks["counts_towards_levels"]) == (1, True)
    # Nothing scanned yet: the check is unknown, so the organisation's reading stays below 1.
    assert checks["checks"][0]["passed"] is None
    assert checks["level"] == min(body["overall_level"], 0)
    assert checks["checks"][0]["question"].startswith("Are all production models")


def test_the_result_carries_the_teams_answer_and_what_decided_each_check(
    team, org_admin, member, draft, django_capture_on_commit_callbacks
):
    from assessments.services.check_answers import check_answer_save

    from .conftest import submit_with_result

    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    check_answer_save(
        assessment=draft,
        check_key="internal_registry",
        option_key="yes",
        note="Registered as acme/churn.",
        expected_version=0,
        user=member,
    )
    submitted = submit_with_result(draft, member, django_capture_on_commit_callbacks)
    body = token_client(member).get(f"/api/v1/assessments/{submitted.id}/result/").json()
    (check,) = body["organization_checks"]["checks"]
    assert (check["passed"], check["source"]) == (True, "answered")
    answer = check["answer"]
    assert {k: answer[k] for k in ("option", "label", "grade", "note", "check_set_version")} == {
        "option": "yes",
        "label": "Yes",
        "grade": 1.0,
        "note": "Registered as acme/churn.",
        "check_set_version": 1,
    }
    assert answer["updated_by"] == member.username
    assert body["organization_checks"]["level"] == body["overall_level"]
