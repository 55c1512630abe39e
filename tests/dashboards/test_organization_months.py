"""The organisations' monthly counts (`OrganizationMonth`): kept in step with the results by
every write and deletion, and read by the overview's monthly average instead of the history."""

import datetime as dt
import threading
from collections import defaultdict

import pytest
from django.db import connections
from django.utils import timezone

from assessments.dashboards.filters import DashboardFilters
from assessments.models import (
    Membership,
    Organization,
    OrganizationMonth,
    Result,
    Role,
    Team,
)
from assessments.selectors import dashboards as selectors
from assessments.services.organization_months import month_of, organization_months_rebuild
from assessments.services.results import result_compute
from tests.factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory

from ..assessment_helpers import answers_all, graded_questions
from ..test_results import submitted
from .conftest import add_teams


def counted_the_slow_way(organization):
    """{month: (results, index sum)} read from the results themselves."""
    months = defaultdict(lambda: [0, 0.0])
    for result in Result.objects.filter(team__organization=organization):
        month = month_of(result.submitted_at)
        months[month][0] += 1
        months[month][1] += result.index
    return {month: (count, pytest.approx(total)) for month, (count, total) in months.items()}


def stored(organization):
    return {
        row.month: (row.assessments, row.index_sum)
        for row in OrganizationMonth.objects.filter(organization=organization)
    }


def averages(user, filters=None):
    filters = filters or DashboardFilters()
    latest = selectors.latest_for_user(user=user, filters=filters)
    found = selectors.index_average_by_month(user=user, latest=latest, filters=filters)
    return {a.month: (a.assessments, a.index) for a in found}


def averages_the_slow_way(results):
    """{month: (results, mean index)}, the mean to within the page's rounding: sums taken in
    another order may round a mean of x.x5 the other way."""
    months = defaultdict(list)
    for result in results:
        months[month_of(result.submitted_at)].append(result.index)
    return {m: (len(v), pytest.approx(sum(v) / len(v), abs=0.051)) for m, v in months.items()}


@pytest.fixture
def organization(org_admin):
    return Organization.objects.get(memberships__user=org_admin)


def test_bulk_loaded_history_is_counted_per_month(organization):
    add_teams(organization, 6, months=5)
    assert stored(organization) == counted_the_slow_way(organization)
    assert sum(count for count, _ in stored(organization).values()) == 30


def test_each_computed_result_recounts_its_month_and_a_recompute_replaces_its_index(
    organization, team, member
):
    assessment = submitted(team, member, answers_all("no"))
    result = result_compute(assessment=assessment)
    month = month_of(assessment.submitted_at)
    assert stored(organization) == {month: (1, pytest.approx(result.index))}

    graded = [question.key for question in graded_questions()]
    assessment.answers.filter(question_key__in=graded).update(option_key="yes")
    recomputed = result_compute(assessment=assessment)
    assert recomputed.index > result.index
    assert stored(organization) == {month: (1, pytest.approx(recomputed.index))}

    second = result_compute(assessment=submitted(team, member, answers_all("yes")))
    assert stored(organization) == {month: (2, pytest.approx(recomputed.index + second.index))}


def test_a_team_deleted_with_its_results_leaves_the_counts(
    organization, django_capture_on_commit_callbacks
):
    teams = add_teams(organization, 3, months=4)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Team.objects.filter(pk=teams[0].pk).delete()
    # One recount for the whole cascade, however many results it deleted.
    assert len(callbacks) == 1
    assert stored(organization) == counted_the_slow_way(organization)
    assert sum(count for count, _ in stored(organization).values()) == 8


def test_a_deleted_organisation_takes_its_counts_and_leaves_the_others(
    organization, django_capture_on_commit_callbacks
):
    add_teams(organization, 2, months=3)
    other = OrganizationFactory(name="Elsewhere", slug="elsewhere")
    add_teams(other, 1, first=50, months=2)
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.filter(pk=other.pk).delete()
    assert not OrganizationMonth.objects.filter(organization_id=other.pk).exists()
    assert stored(organization) == counted_the_slow_way(organization)


def test_an_admins_average_reads_the_counts_and_matches_the_results(organization, org_admin):
    add_teams(organization, 8, months=6)
    expected = averages_the_slow_way(Result.objects.filter(team__organization=organization))
    assert averages(org_admin) == expected
    # Wrong counts would show: the page reads them, not the results.
    OrganizationMonth.objects.filter(organization=organization).update(assessments=1000)
    assert {count for count, _ in averages(org_admin).values()} == {1000}


def test_whole_months_in_a_period_read_the_counts_and_cut_months_the_results(
    organization, org_admin
):
    teams = add_teams(organization, 4, months=6)
    months = sorted(stored(organization))
    first, last = months[1], months[3]
    last_day = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    whole = DashboardFilters(date_from=first, date_to=last_day)
    in_period = Result.objects.filter(
        team__in=teams,
        submitted_at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time.min)),
        submitted_at__lt=timezone.make_aware(
            dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min)
        ),
    )
    assert averages(org_admin, whole) == averages_the_slow_way(in_period)
    assert len(averages(org_admin, whole)) == 3

    OrganizationMonth.objects.filter(organization=organization).update(assessments=1000)
    cut = DashboardFilters(date_from=first + dt.timedelta(days=1), date_to=last_day)
    assert 1000 not in {count for count, _ in averages(org_admin, cut).values()}


@pytest.mark.parametrize("narrowing", ["tag", "level"])
def test_a_narrowing_filter_reads_the_results_of_the_matching_teams(
    organization, org_admin, narrowing
):
    teams = list(Team.objects.filter(pk__in=[t.pk for t in add_teams(organization, 8, months=3)]))
    if narrowing == "tag":
        tag = teams[0].tags.values_list("name", flat=True)[0]
        filters = DashboardFilters(tags=(tag,))
        matching = [t for t in teams if tag in t.tags.values_list("name", flat=True)]
    else:
        level = Result.objects.get(pk=teams[0].latest_result_id).overall_level
        filters = DashboardFilters(level=level)
        matching = [t for t in teams if t.latest_result.overall_level == level]
    assert 0 < len(matching) < len(teams)
    OrganizationMonth.objects.filter(organization=organization).update(assessments=1000)
    expected = averages_the_slow_way(Result.objects.filter(team__in=matching))
    assert averages(org_admin, filters) == expected


def test_a_member_sees_the_average_of_their_own_teams_only(organization, team, member):
    add_teams(organization, 5, months=3)
    own = add_teams(organization, 1, first=40, months=3)[0]
    Membership.objects.filter(user=member).update(team=own)
    assert averages(member) == averages_the_slow_way(Result.objects.filter(team=own))


def test_an_admin_of_one_organisation_and_member_elsewhere_sees_both(organization, org_admin):
    add_teams(organization, 3, months=3)
    elsewhere = OrganizationFactory(name="Elsewhere", slug="elsewhere")
    foreign = add_teams(elsewhere, 4, first=60, months=3)
    MembershipFactory(user=org_admin, team=foreign[0], organization=elsewhere, role=Role.MEMBER)
    seen = Result.objects.filter(team__organization=organization) | Result.objects.filter(
        team=foreign[0]
    )
    assert averages(org_admin) == averages_the_slow_way(seen)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_results_computed_at_once_in_one_month_are_all_counted():
    """Eight teams of one organisation computing at the same moment, each on its own
    connection: each recount waits for the one before it and counts its result too."""
    organization = OrganizationFactory(name="Busy", slug="busy")
    assessments = []
    for number in range(8):
        team = TeamFactory(organization=organization, name=f"T{number}", slug=f"busy-{number}")
        user = UserFactory(username=f"busy-{number}")
        MembershipFactory(user=user, team=team, organization=organization, role=Role.LEAD)
        assessments.append(submitted(team, user, answers_all("yes" if number % 2 else "no")))
    start = threading.Barrier(len(assessments))
    failures = []

    def compute(assessment):
        try:
            start.wait()
            result_compute(assessment=assessment)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=compute, args=(a,)) for a in assessments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert stored(organization) == counted_the_slow_way(organization)
    assert sum(count for count, _ in stored(organization).values()) == 8


def test_rebuilding_writes_what_the_writes_kept(organization):
    add_teams(organization, 3, months=3)
    kept = stored(organization)
    OrganizationMonth.objects.all().delete()
    organization_months_rebuild(organization_ids=[organization.pk])
    assert stored(organization) == kept


def test_a_deleted_latest_assessment_leaves_its_team_on_the_one_before_and_both_paths_agree(
    organization, org_admin, django_capture_on_commit_callbacks
):
    teams = add_teams(organization, 2, months=3)
    team = Team.objects.get(pk=teams[0].pk)
    latest = team.latest_result
    with django_capture_on_commit_callbacks(execute=True):
        latest.assessment.delete()
    team.refresh_from_db()
    remaining = Result.objects.filter(team=team).order_by("-submitted_at")
    assert team.latest_result == remaining.first()
    assert stored(organization) == counted_the_slow_way(organization)
    # The counts (an admin's whole organisation) and the results (a tag narrows) agree.
    every = averages_the_slow_way(Result.objects.filter(team__organization=organization))
    assert averages(org_admin) == every
    tag = teams[0].tags.values_list("name", flat=True)[0]
    tagged = Result.objects.filter(team__tags__name=tag, team__organization=organization)
    assert averages(org_admin, DashboardFilters(tags=(tag,))) == averages_the_slow_way(tagged)


def test_a_deletion_recounts_its_own_organisation_only(
    organization, django_capture_on_commit_callbacks
):
    teams = add_teams(organization, 2, months=2)
    other = OrganizationFactory(name="Elsewhere", slug="elsewhere")
    add_teams(other, 1, first=50, months=2)
    OrganizationMonth.objects.filter(organization=other).update(assessments=1000)
    with django_capture_on_commit_callbacks(execute=True):
        Team.objects.filter(pk=teams[0].pk).delete()
    assert stored(organization) == counted_the_slow_way(organization)
    assert {count for count, _ in stored(other).values()} == {1000}


def test_the_recount_command_mends_counts_after_the_time_zone_changed(organization, settings):
    from io import StringIO

    from django.core.management import call_command

    add_teams(organization, 2, months=3)
    settings.TIME_ZONE = "Pacific/Kiritimati"  # fourteen hours ahead: some results change month
    OrganizationMonth.objects.filter(organization=organization).update(assessments=1000)
    out = StringIO()
    call_command("recount_organization_months", stdout=out)
    assert stored(organization) == counted_the_slow_way(organization)
    assert "Recounted the months of" in out.getvalue()
