"""/api/v1/exemptions/: ask, approve, reject, withdraw, list; and the result's reading with them."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Exemption, Role
from assessments.services.exemptions import exemption_approve, exemption_request

from ..factories import MembershipFactory, TeamFactory, UserFactory
from .conftest import error_of, fake_submitted_assessment, token_client
from .test_export import content, csv_rows

URL = "/api/v1/exemptions/"


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def body(of_team, capability="feature_store", **extra):
    return {
        "team": of_team.id,
        "capability": capability,
        "reason": "We share no features between models.",
        "expires_on": in_days(90),
        **extra,
    }


def asked(team, user, capability="feature_store", days=90):
    return exemption_request(
        team=team,
        user=user,
        capability_key=capability,
        reason="It does not apply.",
        expires_on=timezone.localdate() + timedelta(days=days),
    )


def test_a_lead_asks_and_gets_the_request_with_its_address(as_lead, team):
    response = as_lead.post(URL, body(team), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"].endswith(f"{URL}{data['id']}/")
    assert {k: data[k] for k in ("team", "capability", "status", "active", "requested_by")} == {
        "team": team.id,
        "capability": "feature_store",
        "status": "requested",
        "active": False,
        "requested_by": "lena",
    }
    assert (data["decided_by"], data["decided_at"], data["decision_note"]) == (None, None, "")
    assert data["expires_on"] == in_days(90)


def test_a_member_may_not_ask(as_member, team):
    response = as_member.post(URL, body(team), format="json")
    assert response.status_code == 403
    assert "Only team leads and org admins can ask" in error_of(response)["detail"]
    assert not Exemption.objects.exists()


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"capability": "telepathy"}, "There is no capability 'telepathy'"),
        ({"expires_on": in_days(0)}, "The expiry date must be after today"),
        ({"expires_on": in_days(-3)}, "The expiry date must be after today"),
        ({"expires_on": in_days(400)}, "An exemption lasts at most a year"),
        ({"reason": "   "}, "Give a reason"),
        ({"reason": "x" * 2001}, "reason: Ensure this field has no more than 2000 characters."),
        ({"expires_on": "next week"}, "expires_on: Date has wrong format."),
        ({"team": 10**9}, "There is no team with id 1000000000 that you can see."),
    ],
    ids=["capability", "today", "past", "too-far", "reason", "long-reason", "date", "team"],
)
def test_a_request_that_breaks_a_rule_is_refused_with_a_sentence(as_lead, team, change, sentence):
    response = as_lead.post(URL, body(team, **change), format="json")
    assert response.status_code == 400, response.content
    assert sentence in error_of(response)["detail"]
    assert not Exemption.objects.exists()


def test_a_second_request_for_the_same_capability_is_refused(as_lead, team):
    assert as_lead.post(URL, body(team), format="json").status_code == 201
    response = as_lead.post(URL, body(team), format="json")
    assert response.status_code == 400
    assert "already has a request waiting for a decision" in error_of(response)["detail"]


def test_an_org_admin_approves_and_the_exemption_is_active(as_org_admin, team, lead):
    exemption = asked(team, lead)
    response = as_org_admin.post(f"{URL}{exemption.id}/approve/", {"note": "Fine."}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["active"], data["decided_by"], data["decision_note"]) == (
        "approved",
        True,
        "olga",
        "Fine.",
    )


def test_approving_needs_no_body(as_org_admin, team, lead):
    exemption = asked(team, lead)
    assert as_org_admin.post(f"{URL}{exemption.id}/approve/").status_code == 200


def test_a_lead_may_not_approve(as_lead, team, lead):
    exemption = asked(team, lead)
    response = as_lead.post(f"{URL}{exemption.id}/approve/")
    assert response.status_code == 403
    assert "Only org admins can approve or reject" in error_of(response)["detail"]


def test_an_org_admin_may_not_approve_their_own_request(as_org_admin, team, org_admin):
    exemption = asked(team, org_admin)
    response = as_org_admin.post(f"{URL}{exemption.id}/approve/")
    assert response.status_code == 403
    assert "another org admin decides" in error_of(response)["detail"]


def test_a_rejection_needs_a_note(as_org_admin, team, lead):
    exemption = asked(team, lead)
    response = as_org_admin.post(f"{URL}{exemption.id}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "Say why the request is rejected" in error_of(response)["detail"]
    response = as_org_admin.post(
        f"{URL}{exemption.id}/reject/", {"note": "It applies to you."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_a_withdrawn_request_cannot_be_approved(as_lead, as_org_admin, team, lead):
    exemption = asked(team, lead)
    response = as_lead.post(f"{URL}{exemption.id}/withdraw/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decided_by"]) == ("withdrawn", "lena")
    response = as_org_admin.post(f"{URL}{exemption.id}/approve/")
    assert response.status_code == 400
    assert error_of(response)["detail"] == (
        "This request was withdrawn already; only a request waiting for a decision can be approved."
    )


def test_markup_in_a_reason_comes_back_as_the_same_text(as_lead, team):
    reason = '<script>alert("x")</script> & <b>bold</b>'
    response = as_lead.post(URL, body(team, reason=reason), format="json")
    assert response.status_code == 201
    assert response.json()["reason"] == reason


def test_the_list_filters_by_team_status_and_activity(as_org_admin, team, lead, org_admin):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    approved = exemption_approve(exemption=asked(team, lead, "ci"), user=org_admin, note="")
    waiting = asked(team, lead, "monitoring")
    elsewhere = asked(other, UserFactory(is_superuser=True), "feature_store")

    def ids(**params):
        response = as_org_admin.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {approved.id, waiting.id, elsewhere.id}
    assert ids(team=other.id) == {elsewhere.id}
    assert ids(status="requested") == {waiting.id, elsewhere.id}
    assert ids(active="true") == {approved.id}
    assert ids(active="false") == {waiting.id, elsewhere.id}


def test_an_unknown_status_filter_is_refused(as_org_admin):
    response = as_org_admin.get(URL, {"status": "forgotten"})
    assert response.status_code == 400
    assert "status" in error_of(response)["error"]["fields"]


def test_an_expired_exemption_is_listed_as_inactive(as_member, team, lead, org_admin):
    exemption = exemption_approve(exemption=asked(team, lead, days=3), user=org_admin)
    Exemption.objects.filter(pk=exemption.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    row = as_member.get(f"{URL}{exemption.id}/").json()
    assert (row["status"], row["active"]) == ("approved", False)


def test_the_list_takes_as_many_queries_for_many_teams_as_for_few(
    team, org_admin, django_assert_max_num_queries
):
    client = token_client(org_admin)
    asker = UserFactory(is_superuser=True)

    def grow(first, count):
        for number in range(first, first + count):
            grown = TeamFactory(organization=team.organization, slug=f"grown-{number}")
            MembershipFactory(team=grown, user=UserFactory(), role=Role.LEAD)
            exemption_approve(exemption=asked(grown, asker, "ci"), user=org_admin)
            asked(grown, asker, "monitoring")

    grow(0, 2)
    client.get(URL)
    with django_assert_max_num_queries(20) as few:
        assert client.get(URL).json()["count"] == 4
    grow(2, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 16


def test_the_result_carries_the_reading_with_exemptions_beside_the_raw_one(
    as_member, submitted, team, lead, org_admin
):
    url = f"/api/v1/assessments/{submitted.id}/result/"
    raw = as_member.get(url).json()
    assert raw["with_exemptions"] is None
    gaps = [c["key"] for c in raw["capabilities"] if not c["met"] and not c["optional"]]
    exemption = exemption_approve(exemption=asked(team, lead, gaps[0]), user=org_admin)

    document = as_member.get(url).json()
    reading = document["with_exemptions"]
    assert (document["overall_level"], document["index"]) == (raw["overall_level"], raw["index"])
    assert reading["capabilities"] == [gaps[0]]
    assert reading["exemptions"] == [exemption.id]
    assert reading["as_of"] == timezone.localdate().isoformat()
    assert reading["index"] > raw["index"]
    assert reading["overall_level"] >= raw["overall_level"]
    assert set(reading["dimensions"]) == set(raw["dimensions"])


def test_the_export_says_until_when_a_capability_is_exempted(as_member, team, lead, org_admin):
    fake_submitted_assessment(team, capabilities=("ci", "monitoring"))
    exemption = exemption_approve(exemption=asked(team, lead, "monitoring"), user=org_admin)
    asked(team, lead, "ci")  # waiting, so not in force
    rows = {row["capability"]: row for row in csv_rows(as_member.get("/api/v1/export/results/"))}
    assert rows["monitoring"]["exempted_until"] == exemption.expires_on.isoformat()
    assert rows["ci"]["exempted_until"] == ""
    response = as_member.get("/api/v1/export/results/", {"format": "json"})
    by_key = {row["capability"]: row for row in json.loads(content(response))}
    assert by_key["monitoring"]["exempted_until"] == exemption.expires_on.isoformat()
    assert by_key["ci"]["exempted_until"] is None
