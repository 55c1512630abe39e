"""/api/v1/sso-rules/: the single sign-on group rules through the API, org admins only."""

from assessments.models import AuditAction, AuditEvent, GroupMappingRule, Role

from ..factories import TeamFactory
from .conftest import error_of, token_client

URL = "/api/v1/sso-rules/"


def test_oidc_api_rules_are_listed_created_and_deleted(as_org_admin, team):
    response = as_org_admin.post(
        URL,
        {
            "organization": team.organization.pk,
            "group": "ml-fraud",
            "team": team.pk,
            "role": Role.LEAD,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["group"] == "ml-fraud"
    assert body["team"] == team.pk
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    listed = as_org_admin.get(URL).json()["results"]
    assert [rule["id"] for rule in listed] == [body["id"]]
    assert as_org_admin.delete(f"{URL}{body['id']}/").status_code == 204
    assert not GroupMappingRule.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions >= {AuditAction.SSO_RULE_ADDED, AuditAction.SSO_RULE_DELETED}


def test_oidc_api_org_admin_rule_has_no_team(as_org_admin, team):
    response = as_org_admin.post(
        URL,
        {"organization": team.organization.pk, "group": "admins", "role": Role.ORG_ADMIN},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["team"] is None


def test_oidc_api_rule_errors_are_sentences(as_org_admin, team):
    response = as_org_admin.post(
        URL,
        {"organization": team.organization.pk, "group": "g", "role": Role.MEMBER},
        format="json",
    )
    assert response.status_code == 400
    assert (
        error_of(response)["detail"] == "Choose the team this group's members join with that role."
    )


def test_oidc_api_rules_are_for_org_admins_of_that_organisation(
    as_lead, as_member, stranger_org_admin, team
):
    rule = GroupMappingRule.objects.create(
        organization=team.organization, group="g", team=team, role=Role.MEMBER
    )
    for client in (as_lead, as_member):
        response = client.get(URL)
        assert response.status_code == 403
        assert error_of(response)["detail"] == "Only org admins manage single sign-on group rules."
    stranger = token_client(stranger_org_admin)
    assert stranger.get(URL).json()["results"] == []
    assert stranger.delete(f"{URL}{rule.pk}/").status_code == 404
    other_team = TeamFactory()
    response = stranger.post(
        URL,
        {
            "organization": team.organization.pk,
            "group": "x",
            "team": other_team.pk,
            "role": Role.MEMBER,
        },
        format="json",
    )
    assert response.status_code == 400
    assert GroupMappingRule.objects.count() == 1
