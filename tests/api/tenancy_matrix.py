"""The API's isolation matrix: every team-scoped route with team A's ids, and the stored state
a refused request must leave as it was.

The rows are (method, url, body, headers, status expected from a user of another team); the
objects come from the `team_a_objects` fixture (tests/api/conftest.py).
"""

import json

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


def stored_state():
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


def matrix(a):
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
