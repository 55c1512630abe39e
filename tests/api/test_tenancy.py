"""Tenancy of the API: one base class for every team-scoped view, and an isolation matrix.

A user of another team, using team A's ids on every route, sees nothing and changes nothing.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from assessments.api.base import TeamScoped, UnscopedAPIView
from assessments.api.notfound import api_not_found
from assessments.api.views import AuthTokenView, CatalogueView
from assessments.models import (
    Answer,
    Assessment,
    AuditEvent,
    Campaign,
    CheckAnswer,
    CheckSetVersion,
    Exemption,
    ForgeConnection,
    ForgeImport,
    GroupMappingRule,
    Invitation,
    Repository,
    Result,
    Scan,
)

# Views that serve no team data at all; everything else under /api/v1/ must be TeamScoped.
UNSCOPED = {CatalogueView, AuthTokenView}


def _api_patterns(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.lstrip("^").startswith("api/v1/"):
            yield route, pattern


def test_every_api_view_is_team_scoped_or_declared_unscoped():
    seen = set()
    for route, pattern in _api_patterns():
        if pattern.callback is api_not_found:
            continue
        view = pattern.callback.cls
        seen.add(view)
        if view in UNSCOPED:
            assert issubclass(view, UnscopedAPIView), route
            continue
        assert issubclass(view, TeamScoped), f"{route}: {view.__name__} is not TeamScoped"
        assert view.get_queryset is TeamScoped.get_queryset, (
            f"{view.__name__} overrides get_queryset(); define get_base_queryset() instead"
        )
    assert seen >= UNSCOPED
    assert len(seen) >= 4


@pytest.fixture
def team_a_objects(submitted, team, member, lead, org_admin, tmp_path):
    """Team A with a submitted assessment (result computed), a new draft, a repository and its
    queued scan, an exemption request waiting for a decision, and a campaign for its tag."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import TeamTag
    from assessments.services.assessments import assessment_reopen
    from assessments.services.campaigns import campaign_create
    from assessments.services.check_answers import check_answer_save
    from assessments.services.custom_checks import check_set_import
    from assessments.services.exemptions import exemption_request
    from assessments.services.repositories import repository_connect

    from ..scanning.gitrepo import make_repo

    check_set = check_set_import(
        organization=team.organization,
        yaml_text=(
            "checks:\n  - {key: team_a_registry, title: Registry, dimension: data, "
            "level: 1, rule: {dependency_present: acme}}\n"
            "  - {key: team_a_review, title: Review, dimension: governance, "
            "level: 1, question: 'Does team A review incidents?'}\n"
        ),
        actor=org_admin,
    )[0]
    draft = assessment_reopen(assessment=submitted, user=member)
    path = make_repo(tmp_path / "repo", {"README.md": "team A"})
    repository = repository_connect(team=team, user=lead, url=str(path))
    TeamTag.objects.create(team=team, name="unit:a")
    campaign = campaign_create(
        organization=team.organization,
        user=org_admin,
        title="Level 1 for unit A",
        goal_kind="level",
        goal_level=1,
        scope_tags=["unit:a"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    connection = ForgeConnection.objects.create(
        organization=team.organization,
        kind="github",
        api_url="https://api.github.com",
        owner="acme",
        token_encrypted="",
    )
    forge_import = ForgeImport.objects.create(
        organization=team.organization,
        connection=connection,
        rules="name:* = x",
    )
    from assessments.services.invitations import invitation_create

    invitation, _ = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="invitee-a@example.com",
        role="member",
    )
    return {
        "invitation": invitation,
        "campaign": campaign,
        "connection": connection,
        "forge_import": forge_import,
        "submitted": submitted,
        "draft": draft,
        "team": team,
        "repository": repository,
        "scan": Scan.objects.get(repository=repository),
        "exemption": exemption_request(
            team=team,
            user=lead,
            capability_key="feature_store",
            reason="Team A shares no features.",
            expires_on=timezone.localdate() + timedelta(days=30),
        ),
        "sso_rule": GroupMappingRule.objects.create(
            organization=team.organization, group="team-a", team=team, role="member"
        ),
        "check_set": check_set,
        "check_answer": check_answer_save(
            assessment=draft,
            check_key="team_a_review",
            option_key="partly",
            note="Team A's own words.",
            expected_version=0,
            user=member,
        ),
    }


def _state():
    return json.dumps(
        {
            "assessments": list(
                Assessment.objects.order_by("pk").values_list("pk", "status", "team_id")
            ),
            "answers": list(
                Answer.objects.order_by("pk").values_list("pk", "option_key", "version")
            ),
            "results": Result.objects.count(),
            "repositories": list(Repository.objects.order_by("pk").values_list("pk", "url")),
            "scans": list(Scan.objects.order_by("pk").values_list("pk", "status")),
            "exemptions": list(
                Exemption.objects.order_by("pk").values_list("pk", "status", "decided_at")
            ),
            "campaigns": list(
                Campaign.objects.order_by("pk").values_list("pk", "title", "archived_at")
            ),
            # A refused change writes no audit event.
            "audit_events": list(AuditEvent.objects.order_by("pk").values_list("pk", "action")),
            "forges": list(ForgeConnection.objects.order_by("pk").values_list("pk", "owner")),
            "imports": list(ForgeImport.objects.order_by("pk").values_list("pk", "state")),
            "sso_rules": list(GroupMappingRule.objects.order_by("pk").values_list("pk", "group")),
            "check_answers": list(
                CheckAnswer.objects.order_by("pk").values_list("pk", "option_key", "version")
            ),
            "check_sets": list(
                CheckSetVersion.objects.order_by("pk").values_list("pk", "organization_id")
            ),
            "invitations": list(
                Invitation.objects.order_by("pk").values_list("pk", "token_hash", "revoked_at")
            ),
        },
        default=str,
    )


def _matrix(a):
    submitted, draft, team = a["submitted"].id, a["draft"].id, a["team"].id
    repository, scan = a["repository"].id, a["scan"].id
    answer = f"/api/v1/assessments/{draft}/answers/experiments_tracked/"
    check_answer = f"/api/v1/assessments/{draft}/check-answers/team_a_review/"
    exemption = f"/api/v1/exemptions/{a['exemption'].id}/"
    request = {"team": team, "capability": "ci", "reason": "Not ours.", "expires_on": "2099-01-01"}
    campaign = f"/api/v1/campaigns/{a['campaign'].id}/"
    invitation = f"/api/v1/invitations/{a['invitation'].id}/"
    new_invitation = {"team": team, "email": "x@example.com", "role": "viewer"}
    new_invitations = {"team": team, "emails": ["x@example.com"], "role": "viewer"}
    new_campaign = {
        "organization": a["team"].organization_id,
        "title": "Mine",
        "goal_kind": "assessed_since",
        "deadline": "2099-01-01",
    }
    return [
        ("get", campaign, None, {}, 404),
        ("get", f"{campaign}progress/", None, {}, 404),
        ("patch", campaign, {"title": "Mine"}, {}, 404),
        ("post", f"{campaign}archive/", None, {}, 404),
        ("post", "/api/v1/campaigns/", new_campaign, {}, 400),
        ("get", f"/api/v1/teams/{team}/", None, {}, 404),
        ("get", f"/api/v1/assessments/{submitted}/", None, {}, 404),
        ("get", f"/api/v1/assessments/{draft}/answers/", None, {}, 404),
        ("get", answer, None, {}, 404),
        ("put", answer, {"option": "yes"}, {"HTTP_IF_MATCH": '"1"'}, 404),
        ("put", answer, {"option": "yes"}, {"HTTP_IF_MATCH": '"0"'}, 404),
        ("get", f"/api/v1/assessments/{draft}/check-answers/", None, {}, 404),
        ("get", check_answer, None, {}, 404),
        ("put", check_answer, {"option": "yes"}, {"HTTP_IF_MATCH": '"1"'}, 404),
        ("post", f"/api/v1/assessments/{draft}/submit/", None, {}, 404),
        ("post", f"/api/v1/assessments/{submitted}/reopen/", None, {}, 404),
        ("get", f"/api/v1/assessments/{submitted}/result/", None, {}, 404),
        ("get", f"/api/v1/assessments/{submitted}/roadmap/", None, {}, 404),
        ("post", "/api/v1/assessments/", {"team": team}, {}, 400),
        ("get", f"/api/v1/repositories/{repository}/", None, {}, 404),
        ("delete", f"/api/v1/repositories/{repository}/", None, {}, 404),
        ("get", f"/api/v1/repositories/{repository}/scans/", None, {}, 404),
        ("post", f"/api/v1/repositories/{repository}/scans/", None, {}, 404),
        ("get", f"/api/v1/repositories/{repository}/kits/ci/", None, {}, 404),
        ("post", "/api/v1/repositories/", {"team": team, "url": "/tmp"}, {}, 400),
        ("get", f"/api/v1/scans/{scan}/", None, {}, 404),
        ("get", exemption, None, {}, 404),
        ("post", f"{exemption}approve/", {"note": "Fine."}, {}, 404),
        ("post", f"{exemption}reject/", {"note": "No."}, {}, 404),
        ("post", f"{exemption}withdraw/", None, {}, 404),
        ("post", "/api/v1/exemptions/", request, {}, 400),
        # Org admins' records: 404 for everyone else, team members of the organisation too.
        ("get", f"/api/v1/forges/{a['connection'].id}/", None, {}, 404),
        ("get", f"/api/v1/imports/{a['forge_import'].id}/", None, {}, 404),
        ("post", f"/api/v1/imports/{a['forge_import'].id}/run/", None, {}, 404),
        ("post", "/api/v1/imports/", {"connection": a["connection"].id}, {}, 400),
        # Invitations: the team's leads and the organisation's admins only.
        ("get", invitation, None, {}, 404),
        ("post", f"{invitation}resend/", None, {}, 404),
        ("post", f"{invitation}revoke/", None, {}, 404),
        ("post", "/api/v1/invitations/", new_invitation, {}, 400),
        ("post", "/api/v1/invitations/bulk/", new_invitations, {}, 400),
        (
            "post",
            "/api/v1/forges/",
            {"organization": team_org(a), "kind": "github", "owner": "evil"},
            {},
            400,
        ),
    ]


def team_org(a):
    return a["team"].organization_id


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_a_user_of_another_team_sees_and_changes_nothing(request, team_a_objects, who):
    from .conftest import token_client

    client = token_client(request.getfixturevalue(who))
    before = _state()
    secrets = {team_a_objects["team"].name, team_a_objects["team"].slug}
    secrets |= {team_a_objects["check_answer"].note, "Does team A review incidents?"}
    for method, url, body, headers, expected in _matrix(team_a_objects):
        response = getattr(client, method)(url, body, format="json", **headers)
        assert response.status_code == expected, (method, url, response.content)
        assert not any(secret in response.content.decode() for secret in secrets), url
    teams = client.get("/api/v1/teams/").json()["results"]
    assert team_a_objects["team"].id not in {row["id"] for row in teams}
    for params in ({}, {"team": team_a_objects["team"].id}):
        assessments = client.get("/api/v1/assessments/", params).json()["results"]
        assert not [row for row in assessments if row["team"] == team_a_objects["team"].id]
    assert client.get("/api/v1/repositories/").json()["count"] == 0
    repository = team_a_objects["repository"].id
    assert client.get("/api/v1/scans/", {"repository": repository}).json()["count"] == 0
    for params in ({}, {"team": team_a_objects["team"].id}, {"status": "requested"}):
        assert client.get("/api/v1/exemptions/", params).json()["count"] == 0
    assert client.get("/api/v1/campaigns/").json()["count"] == 0
    for params in ({}, {"team": team_a_objects["team"].id}, {"action": "exemption.requested"}):
        response = client.get("/api/v1/audit/", params)
        assert not any(secret in response.content.decode() for secret in secrets)
        # An admin of another organisation reads only that one's log; a team member none.
        if who == "stranger_org_admin":
            rows = response.json()["results"]
            assert team_a_objects["team"].organization_id not in {r["organization"] for r in rows}
            assert not [row for row in rows if row["team"] == team_a_objects["team"].id]
        else:
            assert response.status_code == 403
    # Single sign-on group rules: org admins only (403), and only their own organisation's
    # (404 for another's rule, 400 for another's team).
    rule = f"/api/v1/sso-rules/{team_a_objects['sso_rule'].id}/"
    stranger = who == "stranger_org_admin"
    for method in ("get", "delete"):
        assert getattr(client, method)(rule).status_code == (404 if stranger else 403)
    new_rule = {
        "organization": team_a_objects["team"].organization_id,
        "group": "g",
        "team": team_a_objects["team"].id,
        "role": "member",
    }
    response = client.post("/api/v1/sso-rules/", new_rule, format="json")
    assert response.status_code == (400 if stranger else 403)
    response = client.get("/api/v1/sso-rules/")
    if stranger:
        assert "team-a" not in response.content.decode()
    else:
        assert response.status_code == 403
    # The organisation's own checks: org admins only (403), and only their own organisation's
    # (404 for another's version or current set, 400 for importing into another's).
    check_set = f"/api/v1/check-sets/{team_a_objects['check_set'].id}/"
    organization = {"organization": team_a_objects["team"].organization_id}
    for url, params in (
        (check_set, {}),
        ("/api/v1/check-sets/current/", organization),
        ("/api/v1/check-sets/current/yaml/", organization),
    ):
        response = client.get(url, params)
        assert response.status_code == (404 if stranger else 403), url
        assert "team_a_registry" not in response.content.decode()
    response = client.get("/api/v1/check-sets/")
    assert "team_a_registry" not in response.content.decode()
    assert response.status_code == (200 if stranger else 403)
    response = client.post(
        "/api/v1/check-sets/", {**organization, "yaml": "checks: []\n"}, format="json"
    )
    assert response.status_code == (400 if stranger else 403)
    for params in ({}, {"team": team_a_objects["team"].id}, {"format": "json"}):
        response = client.get("/api/v1/export/results/", params)
        body = b"".join(response.streaming_content).decode()
        assert not any(secret in body for secret in secrets)
        assert len(body.strip().splitlines()) <= 1 or body.strip() == "[]"
    assert _state() == before


def test_the_matrix_covers_every_team_scoped_route(team_a_objects):
    covered = {_route_name(url) for _, url, _, _, _ in _matrix(team_a_objects)} | {
        "team-list",
        "assessment-list",
        "export-results",
        "repository-list",
        "scan-list",
        "exemption-list",
        "audit-list",
        "campaign-list",
        "forge-list",
        "import-list",
        "sso-rule-list",
        "sso-rule-detail",
        "check-set-list",
        "check-set-detail",
        "check-set-current",
        "check-set-current-yaml",
        "invitation-list",
    }
    names = set()
    for _, pattern in _api_patterns():
        view = getattr(pattern.callback, "cls", None)
        if view is not None and issubclass(view, TeamScoped):
            names.add(pattern.name)
    assert names <= covered, names - covered


def _route_name(url):
    from django.urls import resolve

    return resolve(url).url_name


def test_the_owning_member_gets_200_on_the_same_matrix(team_a_objects, member, org_admin):
    """The control: the matrix's routes do work for someone who may see team A (its
    organisation's admin for the admins' own records)."""
    from .conftest import token_client

    client, admin = token_client(member), token_client(org_admin)
    for method, url, _, _, _ in _matrix(team_a_objects):
        if method == "get":
            admins_only = url.startswith(
                ("/api/v1/forges/", "/api/v1/imports/", "/api/v1/invitations/")
            )
            # A kit is built by a worker: the first answer is 202, "being prepared".
            allowed = {200, 202} if "/kits/" in url else {200}
            assert (admin if admins_only else client).get(url).status_code in allowed, url
    check_set = team_a_objects["check_set"]
    for url in (
        f"/api/v1/check-sets/{check_set.id}/",
        "/api/v1/check-sets/current/",
        "/api/v1/check-sets/current/yaml/",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "team_a_registry" in response.content.decode()
