"""The exemption pages: asking from the result page, deciding on the exemptions page, and the
result showing the raw reading with the reading with exemptions beside it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Exemption, ExemptionStatus, Result, Role
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.exemptions import exemption_approve, exemption_request

from .assessment_helpers import answer_everything, answers_all
from .factories import MembershipFactory, TeamFactory, UserFactory

MARKUP = '<script>alert("x")</script><b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"


@pytest.fixture
def result(team, member, django_capture_on_commit_callbacks):
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    return Result.objects.get(assessment=draft)


def asked(team, user, capability="pipeline_triggers", *, reason="Triggers make no sense here."):
    return exemption_request(
        team=team,
        user=user,
        capability_key=capability,
        reason=reason,
        expires_on=timezone.localdate() + timedelta(days=60),
    )


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def result_url(result) -> str:
    return reverse("assessment_result", args=[result.assessment_id])


# --- the result page -------------------------------------------------------------------------


def test_without_exemptions_the_result_shows_the_raw_reading_only(client, result, member):
    body = page(client, member, result_url(result))
    assert "With 1 exemption" not in body
    assert "No exemption is in force: the reading above counts every capability." in body
    assert 'href="#exemptions-heading">Exemptions</a>' in body


def test_the_result_shows_the_reading_with_exemptions_beside_the_raw_one(
    client, result, team, lead, org_admin, member
):
    exemption = exemption_approve(
        exemption=asked(team, lead, reason=MARKUP), user=org_admin, note="Fine <i>by me</i>."
    )
    body = page(client, member, result_url(result))
    summary = body[body.index('class="result-summary"') : body.index("</section>")]
    assert f'<p class="big">{result.overall_level}</p>' in summary
    assert f"{result.index:.1f}" in summary
    assert "With 1 exemption: <strong>level" in summary
    section = body[body.index('id="exemptions-heading"') :]
    assert "With the 1 exemption in force today" in section
    assert f"level {result.overall_level}, index {result.index:.1f}" in section
    assert ESCAPED in section
    assert MARKUP not in body
    assert "Fine &lt;i&gt;by me&lt;/i&gt;." in section
    assert exemption.expires_on.strftime("%-d %b %Y") in section
    assert "olga" in section
    assert "exempt until" in body


def test_a_lead_is_offered_an_exemption_on_unmet_capabilities_and_a_member_is_not(
    client, result, lead, member
):
    link = reverse("exemption_request", args=[result.assessment.team.slug])
    unmet = [c["key"] for c in result.snapshot["result"]["capabilities"] if not c["met"]]
    lead_body = page(client, lead, result_url(result))
    for key in unmet[:3]:
        assert f'{link}?capability={key}"' in lead_body
    met = next(c["key"] for c in result.snapshot["result"]["capabilities"] if c["met"])
    assert f'{link}?capability={met}"' not in lead_body
    assert link not in page(client, member, result_url(result))


def test_a_waiting_request_is_marked_on_its_capability(client, result, team, lead):
    asked(team, lead)
    body = page(client, lead, result_url(result))
    assert "exemption asked" in body
    assert "Waiting for an org admin's decision: Pipeline triggers" in body


# --- asking ----------------------------------------------------------------------------------


def request_url(team) -> str:
    return reverse("exemption_request", args=[team.slug])


def test_the_form_starts_on_the_capability_the_lead_came_from(client, team, lead):
    body = page(client, lead, request_url(team) + "?capability=data_validation")
    assert '<option value="data_validation" selected>' in body
    today = timezone.localdate()
    assert f'min="{(today + timedelta(days=1)).isoformat()}"' in body
    assert f'max="{(today + timedelta(days=365)).isoformat()}"' in body


def test_a_lead_asks_and_lands_on_the_teams_exemptions(client, team, lead):
    client.force_login(lead)
    expires = timezone.localdate() + timedelta(days=30)
    response = client.post(
        request_url(team),
        {"capability": "feature_store", "reason": "Nothing to share.", "expires_on": expires},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("exemption_list") + f"?team={team.slug}"
    body = response.content.decode()
    assert "Asked for an exemption from Feature store until" in body
    assert "Nothing to share." in body
    exemption = Exemption.objects.get()
    assert (exemption.status, exemption.expires_on) == (ExemptionStatus.REQUESTED, expires)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"expires_on": "2001-01-01"}, "The expiry date must be after today"),
        ({"expires_on": "in a while"}, "Give the expiry date as a date"),
        ({"reason": ""}, "Give a reason: say why"),
        ({"reason": "   "}, "Give a reason: say why"),
        ({"capability": "telepathy"}, "Select a valid choice"),
    ],
    ids=["past", "not-a-date", "no-reason", "blank-reason", "capability"],
)
def test_a_request_that_breaks_a_rule_is_shown_again_with_the_sentence(
    client, team, lead, data, sentence
):
    client.force_login(lead)
    form = {
        "capability": "feature_store",
        "reason": "Nothing to share.",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **data,
    }
    response = client.post(request_url(team), form)
    assert response.status_code == 200
    assert sentence in response.content.decode()
    assert not Exemption.objects.exists()


def test_asking_twice_for_the_same_capability_says_one_is_waiting(client, team, lead):
    asked(team, lead, "feature_store")
    client.force_login(lead)
    response = client.post(
        request_url(team),
        {
            "capability": "feature_store",
            "reason": "Again.",
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert "already has a request waiting for a decision" in response.content.decode()
    assert Exemption.objects.count() == 1


def test_a_member_is_told_who_can_ask(client, team, lead, member):
    client.force_login(member)
    response = client.get(request_url(team))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only team leads and org admins can ask for exemptions." in body
    assert "lena" in body


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_outsiders_cannot_find_the_form(client, request, team, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(request_url(team)).status_code == 404


# --- deciding --------------------------------------------------------------------------------


def decide_url(exemption) -> str:
    return reverse("exemption_decide", args=[exemption.pk])


def decide(client, exemption, decision, note="", **extra):
    prefix = f"exemption-{exemption.pk}"
    return client.post(
        decide_url(exemption),
        {f"{prefix}-decision": decision, f"{prefix}-note": note, **extra},
        follow=True,
    )


def test_an_org_admin_sees_the_request_with_a_form_and_approves_it(client, team, lead, org_admin):
    exemption = asked(team, lead, reason=MARKUP)
    body = page(client, org_admin, reverse("exemption_list"))
    assert f'action="{decide_url(exemption)}"' in body
    assert ESCAPED in body
    assert MARKUP not in body

    response = decide(client, exemption, "approve", "Agreed.")
    assert "Approved: Fraud Detection is exempted from Pipeline triggers until" in (
        response.content.decode()
    )
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decision_note) == (ExemptionStatus.APPROVED, "Agreed.")


def test_a_rejection_without_a_note_is_refused_and_the_request_waits(client, team, lead, org_admin):
    exemption = asked(team, lead)
    client.force_login(org_admin)
    response = decide(client, exemption, "reject", "")
    assert "Say why the request is rejected" in response.content.decode()
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED
    response = decide(client, exemption, "reject", "It applies.")
    assert "the team sees your note" in response.content.decode()


def test_the_decision_leads_back_to_the_page_it_came_from_only_on_this_site(
    client, team, lead, org_admin
):
    exemption = asked(team, lead)
    client.force_login(org_admin)
    prefix = f"exemption-{exemption.pk}"
    response = client.post(
        decide_url(exemption),
        {f"{prefix}-decision": "approve", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("exemption_list")


def test_a_lead_sees_no_decision_form_and_a_crafted_decision_is_refused(
    client, team, lead, org_admin
):
    exemption = asked(team, lead)
    body = page(client, lead, reverse("exemption_list"))
    assert decide_url(exemption) not in body
    assert "An org admin of" in body
    response = client.post(decide_url(exemption), {f"exemption-{exemption.pk}-decision": "approve"})
    assert response.status_code == 403
    assert "Only org admins can approve or reject exemptions." in response.content.decode()
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED


def test_an_org_admin_is_told_another_admin_decides_on_their_own_request(client, team, org_admin):
    exemption = asked(team, org_admin)
    body = page(client, org_admin, reverse("exemption_list"))
    assert decide_url(exemption) not in body
    assert "You asked for this one, so another org admin decides on it." in body


def test_the_list_reads_who_may_decide_in_as_many_queries_however_many_teams_wait(
    client, team, lead, org_admin
):
    def queries() -> int:
        client.force_login(org_admin)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("exemption_list")).status_code == 200
        return len(captured.captured_queries)

    asked(team, lead)
    one_team = queries()
    for n in range(3):
        other = TeamFactory(organization=team.organization, slug=f"other-{n}")
        other_lead = MembershipFactory(team=other, role=Role.LEAD).user
        asked(other, other_lead)
    assert queries() == one_team


def test_approving_a_withdrawn_request_says_so(client, team, lead, org_admin):
    exemption = asked(team, lead)
    client.force_login(lead)
    withdrawn = client.post(reverse("exemption_withdraw", args=[exemption.pk]), follow=True)
    assert "Request withdrawn." in withdrawn.content.decode()
    client.force_login(org_admin)
    response = decide(client, exemption, "approve")
    assert "This request was withdrawn already" in response.content.decode()


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_another_teams_exemption_is_invisible_and_not_found(client, request, team, lead, who):
    exemption = asked(team, lead, reason="Only for Fraud Detection's eyes.")
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("exemption_list")).content.decode()
    assert "Only for Fraud Detection" not in body
    assert decide(client, exemption, "approve").status_code == 404
    assert client.post(reverse("exemption_withdraw", args=[exemption.pk])).status_code == 404
    assert client.get(reverse("exemption_list") + f"?team={team.slug}").status_code == 404
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED


def test_the_lists_show_what_is_in_force_and_what_is_closed(client, team, lead, org_admin):
    second_admin = UserFactory(username="oscar")
    MembershipFactory(
        user=second_admin, team=None, organization=team.organization, role=Role.ORG_ADMIN
    )
    exemption_approve(exemption=asked(team, lead, "feature_store"), user=org_admin)
    expired = exemption_approve(exemption=asked(team, lead, "data_versioning"), user=org_admin)
    Exemption.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    body = page(client, second_admin, reverse("exemption_list") + f"?team={team.slug}")
    active = body[body.index('id="active-heading"') : body.index('id="closed-heading"')]
    closed = body[body.index('id="closed-heading"') :]
    assert "Feature store" in active
    assert "Data versioning" not in active
    assert "Data versioning" in closed
    assert "Expired" in closed


# --- where the way in is ---------------------------------------------------------------------


def test_an_org_admins_home_says_how_many_requests_wait(client, team, lead, org_admin, member):
    asked(team, lead, "feature_store")
    asked(team, lead, "monitoring")
    body = page(client, org_admin, reverse("home"))
    assert "<strong>2 exemption requests</strong> wait for an org admin" in body
    assert reverse("exemption_list") in body
    assert "exemption request" not in page(client, member, reverse("home"))


def test_the_team_page_counts_its_exemptions(client, team, lead, org_admin, member):
    exemption_approve(exemption=asked(team, lead, "feature_store"), user=org_admin)
    asked(team, lead, "monitoring")
    body = page(client, member, reverse("team_detail", args=[team.slug]))
    assert '<strong class="figure">1</strong> capability exempted today' in body
    assert '<strong class="figure">1</strong> request waiting for a decision' in body
    assert reverse("exemption_request", args=[team.slug]) not in body
    assert reverse("exemption_request", args=[team.slug]) in page(
        client, lead, reverse("team_detail", args=[team.slug])
    )


def test_the_admin_lists_exemptions_read_only(client, team, lead):
    exemption = asked(team, lead)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:assessments_exemption_changelist"))
    assert listing.status_code == 200
    assert "pipeline_triggers" in listing.content.decode()
    assert client.get(reverse("admin:assessments_exemption_add")).status_code == 403
    detail = client.get(reverse("admin:assessments_exemption_change", args=[exemption.pk]))
    assert detail.status_code == 200
    assert 'name="reason"' not in detail.content.decode()


@pytest.mark.parametrize(
    ("decision", "note", "sentence"),
    [
        ("maybe", "", "Choose to approve or reject the request."),
        ("approve", "x" * 2001, "The note is longer than 2000 characters."),
    ],
    ids=["decision", "long-note"],
)
def test_a_malformed_decision_says_what_is_wrong(
    client, team, lead, org_admin, decision, note, sentence
):
    exemption = asked(team, lead)
    client.force_login(org_admin)
    assert sentence in decide(client, exemption, decision, note).content.decode()
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.REQUESTED
