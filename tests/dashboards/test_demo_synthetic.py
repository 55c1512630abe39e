"""`load_demo --teams N --months M`: synthetic organisations, stored as result_compute would."""

from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from assessments import maturity
from assessments.access import visible_teams
from assessments.demo import synthetic_teams_add
from assessments.models import (
    Answer,
    Assessment,
    Organization,
    OrganizationMonth,
    Result,
    ResultCapability,
    RoadmapStep,
    Team,
)
from assessments.services.organization_months import month_of
from assessments.services.results import result_compute


def stored(team):
    """A team's results and roadmap, with assessments named by their position in the history."""
    position = {
        pk: n
        for n, pk in enumerate(
            Assessment.objects.filter(team=team)
            .order_by("submitted_at")
            .values_list("pk", flat=True)
        )
    }
    results = [
        (
            position[r.assessment_id],
            r.overall_level,
            r.index,
            r.target_level,
            r.weakest_dimension,
            r.ml_test_score,
            r.snapshot,
            sorted(
                r.capabilities.values_list(
                    "capability_key", "dimension_key", "required_level", "grade", "source", "met"
                )
            ),
            # The small copies dashboards read, and the other lenses.
            (r.team_id, r.submitted_at, r.criticality, r.dimension_levels, r.dimension_index),
            (r.target_gaps, r.next_level_in_place, r.next_level_total, r.catalogue_version),
            (r.lenses, r.microsoft_level, r.eu_ai_act_articles),
            (r.assessment.submitted_at, r.assessment.status),
            sorted(r.assessment.answers.values_list("question_key", "option_key", "version")),
        )
        for r in Result.objects.filter(assessment__team=team).order_by("assessment__submitted_at")
    ]
    steps = sorted(
        (
            s.step_id,
            s.position,
            s.status,
            s.first_seen,
            position[s.opened_in_id],
            position.get(s.done_in_id),
            s.done_at,
        )
        for s in RoadmapStep.objects.filter(team=team)
    )
    return results, steps


def replay_one_submission_at_a_time(team):
    """The same answers submitted month after month through the app's own result_compute."""
    history = [
        (a.submitted_at, dict(a.answers.values_list("question_key", "option_key")))
        for a in Assessment.objects.filter(team=team).order_by("submitted_at")
    ]
    Assessment.objects.filter(team=team).delete()
    for submitted_at, answers in history:
        assessment = Assessment.objects.create(
            team=team,
            catalogue_version=maturity.load_catalogue().version,
            status="submitted",
            submitted_at=submitted_at,
        )
        Answer.objects.bulk_create(
            Answer(assessment=assessment, question_key=k, option_key=v) for k, v in answers.items()
        )
        result_compute(assessment=assessment)


@pytest.mark.django_db
def test_bulk_history_equals_what_the_app_stores_one_submission_at_a_time():
    organization = Organization.objects.create(name="Bulk", slug="bulk")
    teams = synthetic_teams_add(organization=organization, numbers=range(1, 6), months=6)
    statuses = set()
    for team in teams:
        bulk = stored(team)
        assert len(bulk[0]) == 6
        statuses.update(step[2] for step in bulk[1])
        # A synthetic history reads as created when submitted.
        for assessment in Assessment.objects.filter(team=team):
            assert assessment.created_at == assessment.submitted_at
        replay_one_submission_at_a_time(team)
        assert stored(team) == bulk, team.slug
    assert {"open", "done"} <= statuses, "the fixture should open and close roadmap steps"


@pytest.mark.django_db
def test_load_demo_adds_a_synthetic_organisation_of_the_asked_size(capsys):
    call_command("load_demo", teams=3, months=2)
    organization = Organization.objects.get(slug="synthetic-3x2")
    teams = Team.objects.filter(organization=organization)
    assert teams.count() == 3
    assert Assessment.objects.filter(team__in=teams, status="submitted").count() == 6
    assert Result.objects.filter(assessment__team__in=teams).count() == 6
    assert ResultCapability.objects.filter(result__assessment__team__in=teams).count() > 6 * 30
    assert Answer.objects.filter(assessment__team__in=teams).count() > 6 * 30
    assert all(t.tags.count() == 2 for t in teams)
    admin = get_user_model().objects.get(username="synthetic-3x2-admin")
    assert admin.check_password("demo")
    assert set(visible_teams(admin)) == set(teams)
    assert "synthetic-3x2-admin" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_demo_with_teams_is_idempotent():
    call_command("load_demo", teams=2, months=2)
    counts = (Team.objects.count(), Assessment.objects.count(), RoadmapStep.objects.count())
    call_command("load_demo", teams=2, months=2)
    assert (Team.objects.count(), Assessment.objects.count(), RoadmapStep.objects.count()) == counts


@pytest.mark.django_db
def test_an_interrupted_run_is_completed_not_duplicated():
    from assessments.demo import synthetic_organization_load

    first = synthetic_organization_load(teams=2, months=1)
    synthetic_organization_load(teams=4, months=1)  # another organisation: another size
    Team.objects.filter(slug="synthetic-2x1-00002").delete()
    again = synthetic_organization_load(teams=2, months=1)
    assert again.organization == first.organization
    assert Team.objects.filter(organization=first.organization).count() == 2


@pytest.mark.django_db
def test_a_load_of_several_batches_counts_the_months_of_every_batch(monkeypatch):
    from assessments.demo import synthetic, synthetic_organization_load

    monkeypatch.setattr(synthetic, "BATCH_TEAMS", 2)
    organization = synthetic_organization_load(teams=5, months=3).organization

    results = Result.objects.filter(team__organization=organization)
    expected = defaultdict(lambda: [0, 0.0])
    for result in results:
        month = expected[month_of(result.submitted_at)]
        month[0] += 1
        month[1] += result.index
    counted = OrganizationMonth.objects.filter(organization=organization)
    assert {m.month: [m.assessments, pytest.approx(m.index_sum)] for m in counted} == expected
    assert sum(m.assessments for m in counted) == 15
    for team in Team.objects.filter(organization=organization):
        assert team.latest_result == results.filter(team=team).latest("submitted_at")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"months": 3}, "--months applies to a synthetic organisation: add --teams N."),
        ({"teams": 0}, "The number of teams must be between 1 and 20000."),
        ({"teams": 2, "months": 0}, "The number of months must be between 1 and 120."),
    ],
)
def test_load_demo_refuses_sizes_it_cannot_build(options, message):
    with pytest.raises(CommandError, match=message.replace("-", r"\-")):
        call_command("load_demo", **options)


@pytest.mark.django_db
def test_synthetic_organisations_are_refused_in_production_mode(settings):
    settings.DEMO_USERS_ALLOWED = False
    from assessments.demo import synthetic_organization_load
    from assessments.errors import ApplicationError

    with pytest.raises(ApplicationError, match="refused in production mode"):
        synthetic_organization_load(teams=1, months=1)


def test_reserved_keys_never_reuse_a_deleted_rows_key(db):
    from assessments.demo.bulk import ids_reserve
    from tests.factories import TeamFactory

    deleted = TeamFactory()
    deleted_key = deleted.pk
    deleted.delete()
    assert ids_reserve(Team, 2)[0] > deleted_key
