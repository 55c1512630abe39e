"""The parts of a questionnaire page kept once drawn (its team's trail, its list of pages)
show the team, page and assessment they are drawn for, as they are now."""

import re
from datetime import UTC, datetime, timedelta, timezone

from django.urls import reverse

from assessments.models import Role, Team
from assessments.services.assessments import assessment_start
from assessments.views.questionnaire.pages import _day

from .factories import MembershipFactory, TeamFactory, UserFactory


def _page(client, assessment, section):
    url = reverse("questionnaire_section", args=[assessment.pk, section])
    return client.get(url).content.decode()


def _nav(body):
    return re.search(r'<nav aria-label="Questionnaire pages".*?</nav>', body, re.S).group(0)


def test_a_renamed_team_shows_its_new_name_and_address_in_the_trail(client, team, member):
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    assert f'<a href="{reverse("team_detail", args=[team.slug])}">{team.name}</a>' in _page(
        client, draft, "data"
    )

    Team.objects.filter(pk=team.pk).update(name="Fraud & Risk", slug="fraud-risk")
    body = _page(client, draft, "data")

    assert f'<a href="{reverse("team_detail", args=["fraud-risk"])}">Fraud &amp; Risk</a>' in body


def test_each_page_marks_itself_in_the_list_of_pages(client, team, member):
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    data_url = reverse("questionnaire_section", args=[draft.pk, "data"])

    on_data = _nav(_page(client, draft, "data"))
    on_cicd = _nav(_page(client, draft, "cicd"))

    assert on_data.count('aria-current="page"') == on_cicd.count('aria-current="page"') == 1
    assert f'href="{data_url}"' not in on_data
    assert f'href="{data_url}"' in on_cicd


def test_each_assessment_lists_its_own_pages(client, team, member):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    other_member = MembershipFactory(
        team=other, user=UserFactory(username="bob"), role=Role.MEMBER
    ).user
    ours = assessment_start(team=team, user=member)
    theirs = assessment_start(team=other, user=other_member)

    client.force_login(member)
    our_nav = _nav(_page(client, ours, "data"))
    client.force_login(other_member)
    their_nav = _nav(_page(client, theirs, "data"))

    assert reverse("assessment_summary", args=[ours.pk]) in our_nav
    assert f"/assessments/{theirs.pk}/" not in our_nav
    assert reverse("assessment_summary", args=[theirs.pk]) in their_nav
    assert f"/assessments/{ours.pk}/" not in their_nav


def test_a_date_shows_the_day_at_its_own_offset():
    late_in_utc = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)

    assert _day(late_in_utc) == "10 Jul 2026"
    assert _day(late_in_utc.astimezone(timezone(timedelta(hours=2)))) == "11 Jul 2026"
    assert _day(None) is None
