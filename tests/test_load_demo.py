import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments.access import can_manage_team, visible_teams
from assessments.demo import DEMO_TEAMS
from assessments.models import Exemption, ExemptionStatus, Membership, Team


@pytest.fixture(autouse=True)
def _demo_repositories_in_tmp(settings, tmp_path):
    settings.DEMO_REPOSITORIES_DIR = tmp_path / "demo-repositories"


@pytest.mark.django_db
def test_load_demo_creates_the_demo_organisation_and_prints_the_logins(capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    user_model = get_user_model()
    assert Team.objects.count() >= 6
    admin = user_model.objects.get(username="demo-admin")
    assert admin.check_password("demo")
    assert visible_teams(admin).count() == Team.objects.count()
    for spec in DEMO_TEAMS:
        lead = user_model.objects.get(username=f"{spec.slug}-lead")
        member = user_model.objects.get(username=f"{spec.slug}-member")
        team = Team.objects.get(slug=spec.slug)
        assert can_manage_team(lead, team)
        assert list(visible_teams(member)) == [team]
        assert f"{spec.slug}-lead" in output
    assert "demo-admin" in output
    assert "Password for every demo user: demo" in output


@pytest.mark.django_db
def test_load_demo_is_idempotent():
    call_command("load_demo")
    counts = (
        get_user_model().objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Exemption.objects.count(),
    )
    call_command("load_demo")
    assert (
        get_user_model().objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Exemption.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_the_demo_has_an_exemption_in_force_and_a_request_waiting_for_the_admin():
    call_command("load_demo")
    admin = get_user_model().objects.get(username="demo-admin")
    recommendations = Team.objects.get(slug="recommendations")
    in_force = Exemption.objects.get(status=ExemptionStatus.APPROVED)
    assert (in_force.team, in_force.decided_by) == (recommendations, admin)
    assert in_force.capability_key in recommendations.latest_result.target_gaps
    waiting = Exemption.objects.get(status=ExemptionStatus.REQUESTED)
    assert waiting.team.slug == "churn-insights"
    assert waiting.requested_by.username == "churn-insights-lead"


@pytest.mark.django_db
def test_demo_teams_have_months_of_history_at_different_levels():
    from assessments.models import Result

    call_command("load_demo")
    latest_levels = set()
    for team in Team.objects.all():
        results = list(
            Result.objects.filter(assessment__team=team).order_by("assessment__submitted_at")
        )
        assert len(results) >= 6
        span = results[-1].assessment.submitted_at - results[0].assessment.submitted_at
        assert span.days >= 120
        assert results[-1].index >= results[0].index, "demo teams improve over time"
        latest_levels.add(results[-1].overall_level)
    assert latest_levels == {0, 1, 2}


@pytest.mark.django_db
def test_demo_teams_have_scanned_example_repositories_at_different_levels(
    django_capture_on_commit_callbacks,
):
    from assessments.models import Scan, ScanStatus

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    scans = Scan.objects.select_related("repository__team")
    assert scans.count() == len(DEMO_TEAMS)
    levels = {}
    for scan in scans:
        assert scan.status == ScanStatus.SUCCEEDED, scan.failure_reason
        levels[scan.repository.team.slug] = scan.report["overall_level"]
    assert levels["pricing-lab"] == 0
    assert levels["fraud-detection"] == 2
    assert (
        "model_binaries_committed"
        in Scan.objects.get(repository__team__slug="pricing-lab").report["flags"]
    )


@pytest.mark.django_db
def test_the_demo_tells_a_true_story_teams_at_level_two_show_no_false_contradictions(
    django_capture_on_commit_callbacks,
):
    from assessments.models import Result

    # Connecting a repository queues its scan, which recomputes the latest result.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    latest = {}
    for result in Result.objects.select_related("assessment__team").order_by(
        "assessment__submitted_at"
    ):
        latest[result.assessment.team.slug] = result
    at_level_two = [r for r in latest.values() if r.overall_level == 2]
    assert at_level_two
    for result in at_level_two:
        contradictions = result.snapshot["result"]["contradictions"]
        assert len(contradictions) <= 3, (result.assessment.team.slug, contradictions)
    # A team whose repository has no tests or CI, yet answers that it does, is still told so.
    forecasting = latest["demand-forecasting"].snapshot["result"]["contradictions"]
    assert {"automated_tests", "ci"} <= {c["capability"] for c in forecasting}


@pytest.mark.django_db
def test_the_demo_has_campaigns_with_teams_done_and_not_yet():
    from django.utils import timezone

    from assessments import selectors
    from assessments.models import Campaign

    call_command("load_demo")
    call_command("load_demo")
    campaigns = list(Campaign.objects.order_by("title"))
    assert len(campaigns) == 2
    for campaign in campaigns:
        progress = selectors.campaign_progress(campaign=campaign, today=timezone.localdate())
        assert progress.teams, campaign.title
        assert len(progress.series) > 10


@pytest.mark.django_db
def test_the_demo_has_teams_with_and_without_llm_applications():
    call_command("load_demo")
    not_applicable = {
        team.slug: "llm_applications"
        in team.latest_result.snapshot["result"]["not_applicable_dimensions"]
        for team in Team.objects.select_related("latest_result")
    }
    assert not_applicable["recommendations"] is False
    assert not_applicable["churn-insights"] is False
    assert not_applicable["fraud-detection"] is True
    assert not_applicable["pricing-lab"] is True
