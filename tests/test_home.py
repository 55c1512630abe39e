"""The home page: every team I can see, where it stands, and the one next thing to do."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import maturity
from assessments.demo import SyntheticTeam, synthetic_history_add
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Repository,
    Role,
    Scan,
    ScanStatus,
    Team,
)
from assessments.selectors import team_overview_for_user

from .factories import MembershipFactory, TeamFactory, UserFactory

CONTEXT = {
    "online_serving": "yes",
    "models_in_production": "several",
    "data_change_frequency": "daily",
    "retraining_frequency": "weekly",
    "business_criticality": "critical",
    "team_size": "medium",
}
# Session and user; the teams with the ids of their latest result, submission and scan; those
# results, submissions and scans; the drafts with their counts; the user's roles; the leads;
# the open campaigns of the teams' organisations (none here: test_campaign_home counts them).
HOME_QUERIES = 10
# Histories end a day ago, so every submission is in the past whenever the tests run.
YESTERDAY = timezone.now() - dt.timedelta(days=1)


def give_history(team: Team, *, months=2, start=0.2, end=0.6, now=YESTERDAY) -> Team:
    """Monthly submitted assessments with results, the practice growing from start to end."""
    spec = SyntheticTeam(
        slug=team.slug,
        name=team.name,
        tags=(),
        context=CONTEXT,
        maturity_from=start,
        maturity_to=end,
    )
    synthetic_history_add(teams=[(team, spec)], months=months, now=now, with_answers=False)
    return team


def open_draft(team: Team, *, answered=3, carried_over=1) -> Assessment:
    draft = Assessment.objects.create(
        team=team, catalogue_version=maturity.load_catalogue().version
    )
    keys = list(CONTEXT)[:answered]
    Answer.objects.bulk_create(
        Answer(
            assessment=draft,
            question_key=key,
            option_key=CONTEXT[key],
            carried_over_from=YESTERDAY if number < carried_over else None,
        )
        for number, key in enumerate(keys)
    )
    return draft


def scanned(team: Team, *, status=ScanStatus.SUCCEEDED) -> Scan:
    repository = Repository.objects.create(team=team, url=f"https://git.example.com/{team.slug}")
    return Scan.objects.create(repository=repository, status=status, finished_at=timezone.now())


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_sees_the_level_index_trend_and_target_of_their_team(client, team, member):
    give_history(team, months=2, start=0.2, end=0.6)
    overview = team_overview_for_user(user=member)[0]
    result = overview.latest_result
    body = home(client, member)
    assert "Fraud Detection" in body
    assert f"Level {result.overall_level}" in body
    assert f"{result.index:.1f}" in body
    delta = result.index - overview.previous_index
    assert delta > 0
    assert f'<span aria-hidden="true">▲</span> up {delta:.1f}' in body
    assert f"Level {result.target_level}" in body
    assert f"Submitted on {overview.latest_submitted.submitted_at:%-d %b %Y}" in body


def test_a_member_is_shown_who_can_connect_a_repository_and_the_result_to_read(
    client, team, member, lead
):
    give_history(team)
    body = home(client, member)
    assert "No repository connected; lena (lead) can connect one" in body
    assert reverse("repository_connect", args=[team.slug]) not in body
    assert "Look at the latest result" in body


def test_a_lead_is_asked_to_connect_a_repository(client, team, lead):
    give_history(team)
    body = home(client, lead)
    assert reverse("repository_connect", args=[team.slug]) in body
    assert "Connect a repository" in body


def test_with_a_scanned_repository_the_next_action_is_the_latest_result(client, team, lead):
    give_history(team)
    scanned(team, status=ScanStatus.FAILED)
    latest = Assessment.objects.filter(team=team).order_by("-submitted_at").first()
    body = home(client, lead)
    assert "Failed, just now" in body
    assert "Connect a repository" not in body
    assert reverse("assessment_result", args=[latest.pk]) in body
    assert "Look at the latest result" in body


def test_a_draft_shows_how_much_is_answered_and_what_needs_confirming(client, team, member):
    give_history(team)
    draft = open_draft(team, answered=3, carried_over=2)
    body = home(client, member)
    assert "Draft: 3 answered, <strong>2 to confirm</strong>" in body
    assert "Confirm 2 carried-over answers" in body
    assert reverse("assessment_open", args=[draft.pk]) in body


def test_a_draft_with_everything_confirmed_is_continued(client, team, member):
    draft = open_draft(team, answered=2, carried_over=0)
    body = home(client, member)
    assert "Draft: 2 answered" in body
    assert "to confirm" not in body
    assert "Continue the draft" in body
    assert reverse("assessment_open", args=[draft.pk]) in body


def test_a_team_without_an_assessment_is_asked_to_start_one(client, team, member):
    body = home(client, member)
    assert "No assessment yet" in body
    assert "No assessment yet: how to begin" in body
    assert f'action="{reverse("assessment_start", args=[team.slug])}"' in body
    assert "Start the first assessment" in body


def test_a_viewer_is_not_offered_to_start_or_connect(client, team, viewer):
    body = home(client, viewer)
    assert reverse("assessment_start", args=[team.slug]) not in body
    assert "a team member starts the first assessment" in body


def test_a_submission_being_computed_says_so(client, team, member):
    Assessment.objects.create(
        team=team,
        catalogue_version=maturity.load_catalogue().version,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    body = home(client, member)
    assert "being computed" in body


def test_a_submission_older_than_a_quarter_is_due_again(client, team, member):
    give_history(team, months=1, now=timezone.now() - dt.timedelta(days=120))
    body = home(client, member)
    assert "due again" in body
    assert "Start a new assessment" in body


def test_an_org_admin_sees_every_team_of_the_organisation_and_no_other(
    client, team, org_admin, other_team_member, stranger_org_admin
):
    TeamFactory(name="Elsewhere")  # another organisation's team
    body = home(client, org_admin)
    assert "Fraud Detection" in body
    assert "Search" in body
    assert "Elsewhere" not in body
    assert "you are an organisation admin in each" in body


def test_a_member_sees_only_their_own_team(client, team, other_team_member):
    body = home(client, other_team_member)
    assert "Search" in body
    assert "Fraud Detection" not in body


def test_a_user_in_no_team_sees_what_to_do_and_nothing_else(client, team):
    give_history(team)
    body = home(client, UserFactory(username="nobody"))
    assert "You are not in a team yet" in body
    assert "Fraud Detection" not in body


def test_an_admin_of_an_organisation_without_teams_is_told_how_to_begin(
    client, team, stranger_org_admin
):
    body = home(client, stranger_org_admin)
    assert "Your organisation has no teams yet" in body
    assert "Fraud Detection" not in body


def test_team_names_and_usernames_are_escaped(client, team, member):
    team.name = "<script>alert('team')</script>"
    team.save()
    MembershipFactory(team=team, user=UserFactory(username="<b>lead</b>"), role=Role.LEAD)
    body = home(client, member)
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(" in body
    assert "<b>lead</b>" not in body


def test_the_home_page_does_not_grow_its_queries_with_the_teams(client, team, org_admin):
    def add_teams(first, count):
        for number in range(first, first + count):
            added = TeamFactory(organization=team.organization, name=f"Team {number:03}")
            give_history(added, months=2)
            MembershipFactory(team=added, role=Role.LEAD)
            if number % 2:
                open_draft(added)
            if number % 3:
                scanned(added)

    add_teams(1, 2)
    client.force_login(org_admin)
    client.get(reverse("home"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    with_3 = queries()
    add_teams(3, 9)
    with_12 = queries()
    assert with_3 == with_12, (with_3, with_12)
    assert with_12 <= HOME_QUERIES
