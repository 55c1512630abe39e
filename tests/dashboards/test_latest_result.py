"""Each team's `LatestResult`, the dashboards' narrow copy of its latest result: written with
`Team.latest_result` by every path that writes it, so the two never disagree."""

import pytest

from assessments.models import LATEST_RESULT_COPIES, LatestResult, Organization, Result, Team
from assessments.services.results import result_compute

from ..assessment_helpers import answers_all, graded_questions
from ..test_results import submitted
from .conftest import add_teams


@pytest.fixture
def organization(org_admin):
    return Organization.objects.get(memberships__user=org_admin)


def copies_agree_with_the_pointers(organization):
    """Every team of the organisation: a copy exactly when it has a latest result, holding
    that result's id and columns."""
    teams = Team.objects.filter(organization=organization)
    copies = {copy.team_id: copy for copy in LatestResult.objects.filter(team__in=teams)}
    for team in teams.select_related("latest_result"):
        if team.latest_result is None:
            assert team.pk not in copies, team.slug
            continue
        copy = copies.pop(team.pk)
        assert copy.result_id == team.latest_result_id
        for name in LATEST_RESULT_COPIES:
            assert getattr(copy, name) == getattr(team.latest_result, name), (team.slug, name)
    assert not copies


def test_bulk_loaded_teams_have_their_latest_result_copied(organization):
    add_teams(organization, 5, months=4)
    assert LatestResult.objects.filter(team__organization=organization).count() == 5
    copies_agree_with_the_pointers(organization)


def test_a_newer_result_replaces_the_copy_and_an_older_one_recomputed_leaves_it(
    organization, team, member
):
    older = submitted(team, member, answers_all("no"))
    result_compute(assessment=older)
    newer = submitted(team, member, answers_all("yes"))
    newest = result_compute(assessment=newer)
    assert LatestResult.objects.get(team=team).result_id == newest.pk
    # Recomputing the older submission (new scan evidence, say) leaves the newer one latest.
    result_compute(assessment=older)
    copy = LatestResult.objects.get(team=team)
    assert (copy.result_id, copy.overall_level) == (newest.pk, newest.overall_level)
    copies_agree_with_the_pointers(organization)


def test_a_recomputed_latest_result_updates_its_copy_in_place(organization, team, member):
    assessment = submitted(team, member, answers_all("no"))
    result_compute(assessment=assessment)
    graded = [question.key for question in graded_questions()]
    assessment.answers.filter(question_key__in=graded).update(option_key="yes")
    recomputed = result_compute(assessment=assessment)
    copy = LatestResult.objects.get(team=team)
    assert (copy.result_id, copy.index) == (recomputed.pk, recomputed.index)
    copies_agree_with_the_pointers(organization)


def test_deleting_the_latest_assessment_moves_the_copy_to_the_one_before(
    organization, django_capture_on_commit_callbacks
):
    teams = add_teams(organization, 2, months=3)
    team = Team.objects.get(pk=teams[0].pk)
    before = Result.objects.filter(team=team).order_by("-submitted_at")[1]
    with django_capture_on_commit_callbacks(execute=True):
        team.latest_result.assessment.delete()
    assert LatestResult.objects.get(team=team).result_id == before.pk
    copies_agree_with_the_pointers(organization)


def test_a_team_without_results_left_has_no_copy(organization, django_capture_on_commit_callbacks):
    teams = add_teams(organization, 1, months=2)
    with django_capture_on_commit_callbacks(execute=True):
        Result.objects.filter(team=teams[0]).delete()
    assert not LatestResult.objects.filter(team=teams[0]).exists()
    copies_agree_with_the_pointers(organization)


@pytest.mark.postgres  # SQLite, the embedded default, takes one writer at a time anyway
@pytest.mark.django_db(transaction=True)
def test_refreshes_of_the_same_teams_at_once_leave_every_pointer_with_its_copy():
    """Each refresh locks its teams before writing: run side by side on their own connections
    (as on-commit refreshes after deletions and a bulk load can be), none fails and the copies
    end in step with the pointers."""
    import threading

    from django.db import connection

    from assessments.services.results import teams_latest_result_refresh
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    teams = add_teams(organization, 3, months=3)
    ids = [team.pk for team in teams]
    LatestResult.objects.filter(team_id__in=ids).delete()  # as a deletion's cascade leaves it
    errors = []
    start = threading.Barrier(4)

    def refresh(order):
        try:
            start.wait(timeout=10)
            for _ in range(5):
                teams_latest_result_refresh(team_ids=order)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=refresh, args=(order,))
        for order in (ids, ids[::-1], ids[1:], ids[:2])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    copies_agree_with_the_pointers(organization)


def test_the_refresh_command_mends_copies_an_older_version_left_behind(organization):
    from io import StringIO

    from django.core.management import call_command

    teams = add_teams(organization, 3, months=2)
    # As an older version of the app, still serving during an upgrade, would leave them: a
    # pointer moved without its copy, and a copy missing.
    older = Result.objects.filter(team=teams[0]).order_by("submitted_at").first()
    Team.objects.filter(pk=teams[0].pk).update(latest_result=older)
    LatestResult.objects.filter(team=teams[1]).delete()
    out = StringIO()
    call_command("refresh_latest_results", stdout=out)
    assert "Refreshed the latest result of" in out.getvalue()
    copies_agree_with_the_pointers(organization)
    newest = Result.objects.filter(team=teams[0]).order_by("-submitted_at").first()
    assert LatestResult.objects.get(team=teams[0]).result_id == newest.pk
