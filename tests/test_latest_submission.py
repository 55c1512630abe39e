"""Which submission is a team's latest: one rule, read alone or as a subquery of teams."""

from datetime import timedelta

from django.utils import timezone

from assessments import maturity
from assessments.models import Assessment, AssessmentStatus, Team
from assessments.selectors import latest_submission_for_team, latest_submission_id_subquery

from .factories import TeamFactory


def submitted(team, *, days_ago, status=AssessmentStatus.SUBMITTED, at=None):
    return Assessment.objects.create(
        team=team,
        catalogue_version=maturity.load_catalogue().version,
        status=status,
        submitted_at=None
        if status == AssessmentStatus.DRAFT
        else at or timezone.now() - timedelta(days=days_ago),
    )


def subquery_reading(team):
    teams = Team.objects.annotate(latest_submission_id=latest_submission_id_subquery())
    return teams.get(pk=team.pk).latest_submission_id


def test_a_team_without_a_submission_has_no_latest(team):
    submitted(team, days_ago=0, status=AssessmentStatus.DRAFT)
    assert latest_submission_for_team(team=team) is None
    assert subquery_reading(team) is None


def test_the_latest_is_the_newest_submission_of_the_team_and_ties_go_to_the_last_saved(team):
    submitted(team, days_ago=30)
    moment = timezone.now() - timedelta(days=3)
    submitted(team, days_ago=3, at=moment)
    newest = submitted(team, days_ago=3, at=moment)
    submitted(TeamFactory(), days_ago=0)  # another team's is newer
    assert latest_submission_for_team(team=team) == newest
    assert subquery_reading(team) == newest.pk
