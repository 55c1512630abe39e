"""The maturity badge: off by default, turned on by a lead or an org admin, reached only through
an unguessable address, and showing the level and index and nothing else."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from assessments.access import TeamActionRefused
from assessments.badge_svg import COLOURS, badge_svg
from assessments.models import AuditAction, AuditEvent, Result, TeamBadge
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.badges import badge_disable, badge_enable

from .assessment_helpers import answer_everything, answers_all

HOSTILE_NAME = '<script>alert("x")</script> Secret Team'


@pytest.fixture
def submitted(team, member, django_capture_on_commit_callbacks):
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    return Result.objects.get(assessment=draft)


def image_url(badge) -> str:
    return reverse("badge_image", args=[badge.token])


def test_the_badge_is_off_until_a_lead_turns_it_on(team, lead):
    assert not TeamBadge.objects.filter(team=team).exists()
    badge = badge_enable(team=team, actor=lead)
    assert len(badge.token) >= 43  # 256 random bits
    assert badge_enable(team=team, actor=lead) == badge  # on stays on, with the same address
    event = AuditEvent.objects.get(action=AuditAction.BADGE_ENABLED)
    assert (event.team, event.actor) == (team, lead)


@pytest.mark.parametrize("who", ["member", "viewer", "other_team_member"])
def test_only_leads_and_org_admins_turn_the_badge_on_or_off(request, team, lead, who):
    user = request.getfixturevalue(who)
    with pytest.raises(TeamActionRefused):
        badge_enable(team=team, actor=user)
    badge_enable(team=team, actor=lead)
    with pytest.raises(TeamActionRefused):
        badge_disable(team=team, actor=user)
    assert TeamBadge.objects.filter(team=team).exists()


def test_the_image_shows_the_level_and_index_and_nothing_about_the_team(
    client, team, lead, submitted
):
    type(team).objects.filter(pk=team.pk).update(name=HOSTILE_NAME)
    badge = badge_enable(team=team, actor=lead)
    response = client.get(image_url(badge))  # nobody signed in
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own response, checked to be well-formed
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [
        "MLOps maturity",
        f"level {submitted.overall_level} · {submitted.index:.0f}",
    ]
    for secret in ("Secret", "script", team.slug, team.organization.name, lead.username):
        assert secret not in svg
    # Only the figures vary: the image is the same as one drawn from them alone.
    assert svg == badge_svg(submitted.overall_level, submitted.index)


def test_a_team_without_a_submission_shows_not_assessed(client, team, lead):
    badge = badge_enable(team=team, actor=lead)
    svg = client.get(image_url(badge)).content.decode()
    assert "not assessed" in svg
    assert COLOURS[None] in svg


def test_a_badge_turned_off_or_an_unknown_token_answers_404_alike(client, team, lead):
    badge = badge_enable(team=team, actor=lead)
    assert badge_disable(team=team, actor=lead) is True
    assert badge_disable(team=team, actor=lead) is False
    gone = client.get(image_url(badge))
    unknown = client.get(reverse("badge_image", args=["x" * 43]))
    assert gone.status_code == unknown.status_code == 404
    assert gone.content == unknown.content
    assert AuditEvent.objects.filter(action=AuditAction.BADGE_DISABLED).count() == 1
    # On again: a new address, so one copied before stays dead.
    assert badge_enable(team=team, actor=lead).token != badge.token


def test_the_badge_follows_the_latest_submission(
    client, team, lead, member, submitted, django_capture_on_commit_callbacks
):
    badge = badge_enable(team=team, actor=lead)
    before = client.get(image_url(badge)).content.decode()
    draft = assessment_start(team=team, user=member)
    answer_everything(draft, answers_all("yes"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=member)
    after = client.get(image_url(badge)).content.decode()
    latest = Result.objects.get(assessment=draft)
    assert f"level {latest.overall_level} · {latest.index:.0f}" in after
    assert before != after


def test_the_badge_page_shows_the_address_to_the_team_and_the_switch_to_leads(
    client, team, lead, member
):
    url = reverse("team_badge", args=[team.slug])
    client.force_login(member)
    body = client.get(url).content.decode()
    assert "A lead of" in body
    assert "Turn the badge on" not in body
    assert client.post(url, {"action": "enable"}).status_code == 403
    client.force_login(lead)
    response = client.post(url, {"action": "enable"}, follow=True)
    token = TeamBadge.objects.get(team=team).token
    body = response.content.decode()
    assert f"/badges/{token}.svg" in body
    assert "Turn the badge off" in body
    client.force_login(member)
    assert f"/badges/{token}.svg" in client.get(url).content.decode()
    team_page = client.get(reverse("team_detail", args=[team.slug])).content.decode()
    assert "The maturity badge is on" in team_page


def test_people_outside_the_team_cannot_reach_its_badge_page(client, team, other_team_member):
    client.force_login(other_team_member)
    assert client.get(reverse("team_badge", args=[team.slug])).status_code == 404


def test_badge_tokens_are_url_safe(team, lead):
    token = badge_enable(team=team, actor=lead).token
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
