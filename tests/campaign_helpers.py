"""Campaign test data: results stored directly (cheaper than scoring), and a campaign."""

from datetime import date, timedelta

from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentStatus,
    Result,
    ResultCapability,
    Team,
)
from assessments.services.campaigns import campaign_create
from assessments.services.results import latest_results_copy


def stored_result(team, *, when=None, level=1, met=(), criticality="critical"):
    """A submitted assessment of `team` with a minimal result, made the team's latest."""
    when = when or timezone.now()
    assessment = Assessment.objects.create(
        team=team, catalogue_version="test", status=AssessmentStatus.SUBMITTED, submitted_at=when
    )
    result = Result.objects.create(
        assessment=assessment,
        catalogue_version="test",
        overall_level=level,
        index=40.0,
        target_level=2,
        weakest_dimension="data",
        ml_test_score=3.0,
        snapshot={},
        computed_at=when,
        team=team,
        submitted_at=when,
        criticality=criticality,
    )
    ResultCapability.objects.bulk_create(
        ResultCapability(
            result=result,
            capability_key=key,
            dimension_key="data",
            required_level=1,
            grade=1.0,
            source="answer",
            met=True,
        )
        for key in met
    )
    Team.objects.filter(pk=team.pk).update(latest_result=result)
    latest_results_copy(team_ids=[team.pk])  # as result_compute keeps the copy with the pointer
    team.refresh_from_db()
    return result


def a_campaign(organization, admin, **overrides):
    today = timezone.localdate()
    fields = {
        "title": "Every team at level 1",
        "goal_kind": "level",
        "goal_level": 1,
        "starts_on": today - timedelta(days=10),
        "deadline": today + timedelta(days=30),
    }
    fields.update(overrides)
    return campaign_create(organization=organization, user=admin, today=today, **fields)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)
