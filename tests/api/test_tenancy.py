"""Tenancy of the API: one base class for every team-scoped view, and an isolation matrix.

A user of another team, using team A's ids on every route, sees nothing and changes nothing. The
matrix's rows are in tests/api/tenancy_matrix.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from assessments.api.base import TeamScoped, UnscopedAPIView
from assessments.api.catalogue import CatalogueView
from assessments.api.notfound import api_not_found
from assessments.api.tokens import AuthTokenView

from .tenancy_matrix import matrix, stored_state

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


def test_the_records_only_org_admins_read_are_guarded_by_one_permission():
    from assessments.api.audit import AuditEventViewSet
    from assessments.api.custom_checks import CheckSetVersionViewSet
    from assessments.api.permissions import OrgAdminsOnly
    from assessments.api.sso import GroupMappingRuleViewSet

    for view in (AuditEventViewSet, CheckSetVersionViewSet, GroupMappingRuleViewSet):
        guards = [p for p in view.permission_classes if issubclass(p, OrgAdminsOnly)]
        assert len(guards) == 1, view.__name__
        assert guards[0].has_permission is OrgAdminsOnly.has_permission, view.__name__


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_a_user_of_another_team_sees_and_changes_nothing(request, team_a_objects, who):
    from .conftest import token_client

    client = token_client(request.getfixturevalue(who))
    before = stored_state()
    secrets = {team_a_objects["team"].name, team_a_objects["team"].slug}
    secrets |= {team_a_objects["check_answer"].note, "Does team A review incidents?"}
    for method, url, body, headers, expected in matrix(team_a_objects):
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
    assert stored_state() == before


def test_the_matrix_covers_every_team_scoped_route(team_a_objects):
    covered = {_route_name(url) for _, url, _, _, _ in matrix(team_a_objects)} | {
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
    for method, url, _, _, _ in matrix(team_a_objects):
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
