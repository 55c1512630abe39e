"""The org admins' page of single sign-on group rules (/organisation/sso/) and the rule
services: tenancy, clear errors, the audit log."""

import pytest
from django.urls import reverse

from assessments.errors import ApplicationError
from assessments.models import AuditAction, AuditEvent, GroupMappingRule, Role
from assessments.services.sso import group_mapping_rule_create, groups_from_claims

from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/organisation/sso/"


@pytest.fixture
def oidc_on(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_RP_CLIENT_SECRET = "secret"  # noqa: S105
    settings.OIDC_PROVIDER_NAME = "Acme ID"


def test_oidc_rules_page_lists_and_adds_rules(client, org_admin, team, oidc_on):
    client.force_login(org_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert "No rule yet" in page.content.decode()
    response = client.post(
        URL,
        {
            "organization": team.organization.slug,
            "group": " ml-fraud ",
            "team": team.slug,
            "role": Role.LEAD,
        },
    )
    assert response.status_code == 302
    rule = GroupMappingRule.objects.get()
    assert (rule.group, rule.team, rule.role, rule.created_by) == (
        "ml-fraud",
        team,
        Role.LEAD,
        org_admin,
    )
    event = AuditEvent.objects.get(action=AuditAction.SSO_RULE_ADDED)
    assert (event.actor, event.team, event.details) == (
        org_admin,
        team,
        {"group": "ml-fraud", "role": Role.LEAD},
    )
    page = client.get(URL).content.decode()
    assert "<code>ml-fraud</code>" in page
    assert "Added: members of “ml-fraud” become Team lead of Fraud Detection" in page


def test_oidc_rules_page_adds_an_org_admin_rule(client, org_admin, team, oidc_on):
    client.force_login(org_admin)
    client.post(
        URL,
        {
            "organization": team.organization.slug,
            "group": "ml-admins",
            "team": "",
            "role": Role.ORG_ADMIN,
        },
    )
    rule = GroupMappingRule.objects.get()
    assert rule.team is None
    assert rule.role == Role.ORG_ADMIN


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"group": "", "role": Role.MEMBER}, "This field is required."),
        ({"group": "g", "role": Role.MEMBER, "team": ""}, "Choose the team this group"),
        (
            {"group": "g", "role": Role.ORG_ADMIN, "team": "fraud-detection"},
            "Org admins hold their role across the organisation",
        ),
        ({"group": "g", "role": "owner", "team": "fraud-detection"}, "Select a valid choice"),
        ({"group": "g", "role": Role.MEMBER, "team": "elsewhere"}, "Select a valid choice"),
    ],
)
def test_oidc_rules_page_explains_what_is_wrong(client, org_admin, team, oidc_on, data, error):
    TeamFactory(name="Elsewhere", slug="elsewhere")  # another organisation's team
    client.force_login(org_admin)
    response = client.post(URL, {"organization": team.organization.slug, "team": "", **data})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not GroupMappingRule.objects.exists()


def test_oidc_rules_page_refuses_a_duplicate(client, org_admin, team, oidc_on):
    client.force_login(org_admin)
    data = {
        "organization": team.organization.slug,
        "group": "ml",
        "team": team.slug,
        "role": Role.MEMBER,
    }
    client.post(URL, data)
    response = client.post(URL, data | {"role": Role.LEAD})
    assert response.status_code == 400
    assert "The group “ml” already has a rule for team Fraud Detection." in (
        response.content.decode()
    )
    assert GroupMappingRule.objects.count() == 1


def test_oidc_rules_page_is_for_org_admins_only(client, member, lead, team, oidc_on):
    for user in (member, lead):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"group": "x"}).status_code == 403
    client.logout()
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_oidc_rules_of_another_organisation_are_out_of_reach(
    client, org_admin, stranger_org_admin, team, oidc_on
):
    rule = GroupMappingRule.objects.create(
        organization=team.organization, group="secret-group", team=team, role=Role.MEMBER
    )
    client.force_login(stranger_org_admin)
    assert "secret-group" not in client.get(URL).content.decode()
    # Nor can the stranger add a rule to a team of that organisation.
    response = client.post(
        URL,
        {
            "organization": team.organization.slug,
            "group": "g",
            "team": team.slug,
            "role": Role.MEMBER,
        },
    )
    assert response.status_code == 400
    delete = reverse("sso_rule_delete", args=[rule.pk])
    assert client.post(delete).status_code == 404
    assert GroupMappingRule.objects.filter(pk=rule.pk).exists()


def test_oidc_rule_delete(client, org_admin, team, oidc_on):
    rule = GroupMappingRule.objects.create(
        organization=team.organization, group="ml", team=team, role=Role.MEMBER
    )
    client.force_login(org_admin)
    assert client.get(reverse("sso_rule_delete", args=[rule.pk])).status_code == 405
    response = client.post(reverse("sso_rule_delete", args=[rule.pk]))
    assert response["Location"] == URL
    assert not GroupMappingRule.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.SSO_RULE_DELETED)
    assert event.details == {"group": "ml", "role": Role.MEMBER}


def test_oidc_rules_page_for_an_admin_of_two_organisations(client, team, oidc_on):
    admin = UserFactory(username="two-hats")
    second = OrganizationFactory(name="Second Org", slug="second")
    for organization in (team.organization, second):
        MembershipFactory(user=admin, team=None, organization=organization, role=Role.ORG_ADMIN)
    other = TeamFactory(organization=second, name="Payments", slug="payments")
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert 'name="organization"' in page
    assert "Second Org" in page
    # A team must belong to the organisation chosen.
    response = client.post(
        URL,
        {
            "organization": team.organization.slug,
            "group": "g",
            "team": other.slug,
            "role": Role.MEMBER,
        },
    )
    assert "The team belongs to another organisation." in response.content.decode()


def test_oidc_rules_link_on_the_home_page_for_org_admins(client, org_admin, team, oidc_on):
    client.force_login(org_admin)
    assert URL in client.get("/").content.decode()


def test_oidc_rule_audit_events_read_on_the_audit_page(client, org_admin, team, oidc_on):
    group_mapping_rule_create(
        organization=team.organization, group="ml", team=team, role=Role.MEMBER, actor=org_admin
    )
    client.force_login(org_admin)
    page = client.get("/audit/").content.decode()
    assert "Added an SSO group rule" in page
    assert "“ml” → Member" in page


def test_oidc_rule_service_refuses_a_team_of_another_organisation(team, org_admin):
    with pytest.raises(ApplicationError, match="another organisation"):
        group_mapping_rule_create(
            organization=OrganizationFactory(),
            group="g",
            team=team,
            role=Role.MEMBER,
            actor=org_admin,
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["a", " b ", ""], {"a", "b"}), ("solo", {"solo"}), (None, set()), ({"x": 1}, set())],
)
def test_oidc_groups_claim_shapes(value, expected):
    assert groups_from_claims({"groups": value}, "groups") == expected
