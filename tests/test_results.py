"""Results: evidence from scans, catalogue versions kept, and computation on a real worker."""

import itertools
import time

import pytest
import yaml
from django.utils import timezone

from assessments import maturity
from assessments.maturity import versions
from assessments.models import AssessmentStatus, Repository, Result, Scan, ScanStatus
from assessments.selectors import evidence_for_team
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.results import result_compute, teams_latest_result_refresh

from .assessment_helpers import answer_everything, answers_all


def finding(capability, grade=1.0, strength="ci_config", path=".github/workflows/ci.yml"):
    return {
        "capability": capability,
        "grade": grade,
        "strength": strength,
        "reason": f"{capability} found",
        "path": path,
        "line": 3,
        "detector": "test",
    }


_commits = itertools.count(1)


def scanned(team, *findings, inconclusive=False, status=ScanStatus.SUCCEEDED, when=None):
    repository, _ = Repository.objects.get_or_create(team=team, url="https://git.example.com/r")
    return Scan.objects.create(
        repository=repository,
        status=status,
        commit=f"{next(_commits):040x}",
        scanner_version="1",
        finished_at=when or timezone.now(),
        findings=list(findings),
        report={"inconclusive": inconclusive},
    )


def submitted(team, user, answers):
    assessment = assessment_start(team=team, user=user)
    answer_everything(assessment, answers, user)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    return assessment


def test_no_scan_means_no_evidence_and_no_contradiction(team, member):
    assert evidence_for_team(team) is None
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    assert result.snapshot["result"]["contradictions"] == []


def test_an_inconclusive_scan_is_not_evidence(team):
    scanned(team, inconclusive=True)
    assert evidence_for_team(team) is None


def test_only_the_latest_successful_scan_of_a_repository_counts(team):
    earlier = timezone.now() - timezone.timedelta(days=3)
    scanned(team, finding("ci"), when=earlier)
    scanned(team, finding("experiment_tracking"))
    scanned(team, finding("monitoring"), status=ScanStatus.FAILED)
    assert [e.capability for e in evidence_for_team(team)] == ["experiment_tracking"]


def test_evidence_fills_unanswered_capabilities_and_contradicts_denials(team, member):
    answers = answers_all("no", context={})
    del answers["experiments_tracked"]
    # Answered before the scan, so no suggestion fills the question left open.
    assessment = submitted(team, member, answers)
    scanned(team, finding("experiment_tracking"), finding("ci", strength="code"))
    result = result_compute(assessment=assessment)
    capabilities = {c.capability_key: c for c in result.capabilities.all()}
    assert (
        capabilities["experiment_tracking"].source,
        capabilities["experiment_tracking"].grade,
    ) == ("detected", 1.0)
    assert capabilities["ci"].source == "both"
    kinds = {(c["capability"], c["kind"]) for c in result.snapshot["result"]["contradictions"]}
    assert ("ci", "detected_but_denied") in kinds


def test_claims_without_evidence_are_contradictions_once_a_scan_happened(team, member):
    scanned(team)
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    kinds = {c["kind"] for c in result.snapshot["result"]["contradictions"]}
    assert kinds == {"claimed_without_evidence"}


def test_an_old_scan_grades_capabilities_but_no_longer_contradicts_a_claim(team, member, settings):
    settings.SCAN_CONTRADICTS_DAYS = 30
    scanned(team, finding("ci"), when=timezone.now() - timezone.timedelta(days=31))
    answers = answers_all("yes", ci_runs_tests="no", ci_gates_merge="no")
    result = result_compute(assessment=submitted(team, member, answers))
    kinds = {(c["capability"], c["kind"]) for c in result.snapshot["result"]["contradictions"]}
    # Evidence stronger than an answer stays a contradiction; missing evidence proves nothing.
    assert kinds == {("ci", "detected_but_denied")}
    outcome = result.snapshot["result"]
    assert (outcome["scanned"], outcome["can_contradict"]) == (True, False)
    # Every claim the old scan did not support is listed quietly instead.
    assert "data_validation" in maturity.claimed_not_visible(outcome)


def test_claims_a_repository_may_not_show_are_listed_quietly_not_contradicted(client, team, member):
    scanned(team)
    assessment = submitted(team, member, answers_all("yes"))
    result = result_compute(assessment=assessment)
    outcome = result.snapshot["result"]
    contradicted = {c["capability"] for c in outcome["contradictions"]}
    quiet = set(maturity.claimed_not_visible(outcome))
    assert {"monitoring", "model_cd", "prediction_logging"} <= quiet
    assert not quiet & contradicted
    assert "ci" in contradicted  # a repository would show CI
    client.force_login(member)
    page = client.get(f"/assessments/{assessment.pk}/result/").content.decode()
    assert "Claimed, not visible in the connected repositories" in page
    assert "Drift and performance monitoring with alerts" in page


def test_recomputing_replaces_the_result_instead_of_adding_one(team, member):
    assessment = submitted(team, member, answers_all("partly"))
    first = result_compute(assessment=assessment)
    again = result_compute(assessment=assessment)
    assert first.pk == again.pk
    assert Result.objects.count() == 1
    assert again.capabilities.count() == len(maturity.load_catalogue().capabilities)


@pytest.fixture
def archived_catalogue(tmp_path, monkeypatch):
    """An older catalogue in which data validation defined level 2 (today: a level-1 component)."""
    data = yaml.safe_load(maturity.catalogue.DEFAULT_PATH.read_text())
    data["version"] = "2025.01"
    for capability in data["capabilities"]:
        if capability["key"] == "data_validation":
            capability["level"] = 2
            capability["role"] = "characteristic"
    (tmp_path / "2025.01.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setattr(versions, "ARCHIVE_DIR", tmp_path)
    versions._load_archived.cache_clear()
    yield "2025.01"
    versions._load_archived.cache_clear()


def test_an_old_assessment_is_recomputed_against_its_own_catalogue(
    team, member, archived_catalogue
):
    answers = answers_all("yes", data_schema_checked="no", data_values_checked="no")
    old = submitted(team, member, answers)
    old.catalogue_version = archived_catalogue
    old.save()
    result = result_compute(assessment=old)
    assert result.catalogue_version == "2025.01"
    assert result.overall_level == 1, "data validation gated level 2 in 2025.01"
    current = submitted(team, member, answers)
    assert result_compute(assessment=current).overall_level == 2


def test_an_unknown_catalogue_version_is_a_clear_error(team, member):
    assessment = submitted(team, member, {})
    assessment.catalogue_version = "1999.01"
    assessment.save()
    with pytest.raises(maturity.CatalogueError, match="1999.01 is not the current one"):
        result_compute(assessment=assessment)


@pytest.mark.redis
def test_submitting_computes_the_result_on_a_real_worker(celery_worker_process, team, member):
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("yes"), member)
    assessment_submit(assessment=assessment, user=member)
    deadline = timezone.now() + timezone.timedelta(seconds=60)
    while not Result.objects.filter(assessment=assessment).exists():
        assert timezone.now() < deadline, "the worker did not store a result within 60 s"
        time.sleep(0.2)
    assert Result.objects.get(assessment=assessment).overall_level == 2


def test_the_organisation_median_uses_each_teams_latest_result(team, member, lead):
    from assessments.selectors import organization_median_dimension_index

    from .factories import MembershipFactory, TeamFactory, UserFactory

    other = TeamFactory(organization=team.organization)
    other_member = MembershipFactory(team=other, user=UserFactory()).user
    result_compute(assessment=submitted(team, member, answers_all("no")))
    result_compute(assessment=submitted(other, other_member, answers_all("no")))
    # The other team's newer, better assessment replaces its older one in the median.
    other.assessments.update(submitted_at=timezone.now() - timezone.timedelta(days=1))
    result_compute(assessment=submitted(other, other_member, answers_all("yes")))
    median = organization_median_dimension_index(organization_id=team.organization_id)
    latest = {
        r.assessment.team_id: r.snapshot["result"]["dimension_index"]
        for r in Result.objects.order_by("assessment__submitted_at")
    }
    for key, value in median.items():
        assert value == (latest[team.pk][key] + latest[other.pk][key]) / 2


def test_the_organisation_median_is_kept_until_a_result_is_computed_again(team, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.selectors import organization_median_dimension_index

    first = result_compute(assessment=submitted(team, member, answers_all("no")))
    before = organization_median_dimension_index(organization_id=team.organization_id)
    assert before == first.dimension_index
    with CaptureQueriesContext(connection) as queries:
        assert organization_median_dimension_index(organization_id=team.organization_id) == before
    assert len(queries.captured_queries) == 1  # the key; the medians come from the cache
    again = result_compute(assessment=submitted(team, member, answers_all("yes")))
    after = organization_median_dimension_index(organization_id=team.organization_id)
    assert after == again.dimension_index != before


def test_a_submission_whose_result_never_arrived_is_computed_again(
    team, member, django_capture_on_commit_callbacks
):
    from assessments.services.results import results_missing_enqueue

    assessment = submitted(team, member, answers_all("yes"))
    assert results_missing_enqueue() == 0, "too recent: its message may still be queued"
    later = timezone.now() + timezone.timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert results_missing_enqueue(now=later) == 1
    assert Result.objects.get(assessment=assessment).overall_level == 2
    assert results_missing_enqueue(now=later) == 0


def test_results_stored_before_the_progress_existed_get_it_from_their_capabilities(team, member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0007_result_next_level_progress")
    result = result_compute(assessment=submitted(team, member, answers_all("partly")))
    expected = result.snapshot["result"]["next_level_progress"]
    assert expected["level"] == 1
    snapshot = result.snapshot
    del snapshot["result"]["next_level_progress"]
    Result.objects.filter(pk=result.pk).update(snapshot=snapshot)
    migration.add_progress(apps, None)
    result.refresh_from_db()
    assert result.snapshot["result"]["next_level_progress"] == expected


def test_a_result_keeps_small_copies_of_its_snapshot_for_dashboards(team, member):
    result = result_compute(assessment=submitted(team, member, answers_all("partly")))
    outcome = result.snapshot["result"]
    assert result.dimension_levels == outcome["dimension_levels"]
    assert result.dimension_index == outcome["dimension_index"]
    assert (result.next_level_in_place, result.next_level_total) == (
        outcome["next_level_progress"]["in_place"],
        outcome["next_level_progress"]["total"],
    )
    unmet = {c["key"] for c in outcome["capabilities"] if not c["met"] and not c["optional"]}
    assert result.target_gaps
    assert set(result.target_gaps) <= unmet
    assert all(
        c["level"] <= result.target_level
        for c in outcome["capabilities"]
        if c["key"] in result.target_gaps
    )


def test_results_stored_before_the_small_copies_existed_get_them_from_their_snapshot(team, member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0013_result_summary_fields")
    result = result_compute(assessment=submitted(team, member, answers_all("partly")))
    written = (
        result.dimension_index,
        result.dimension_levels,
        result.target_gaps,
        result.next_level_in_place,
        result.next_level_total,
    )
    Result.objects.filter(pk=result.pk).update(
        dimension_index={},
        dimension_levels={},
        target_gaps=[],
        next_level_in_place=None,
        next_level_total=None,
    )
    migration.copy_summary_figures_from_snapshots(apps, None)
    result.refresh_from_db()
    assert (
        result.dimension_index,
        result.dimension_levels,
        result.target_gaps,
        result.next_level_in_place,
        result.next_level_total,
    ) == written


def test_a_repository_holding_only_the_pipeline_never_contradicts_serving_answers(team, member):
    repository = scanned(team).repository
    repository.holds = ["pipeline", "cicd"]
    repository.save()
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    outcome = result.snapshot["result"]
    catalogue = maturity.load_catalogue()
    dimensions = {
        catalogue.capability(c["capability"]).dimension for c in outcome["contradictions"]
    }
    assert dimensions == {"pipeline", "cicd"}
    assert "data_validation" in maturity.claimed_not_visible(outcome)


def test_saying_what_a_repository_holds_recomputes_the_latest_result(
    team, member, lead, django_capture_on_commit_callbacks
):
    from assessments.services.repositories import repository_set_holds

    repository = scanned(team).repository
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    assert any(c["capability"] == "ci" for c in result.snapshot["result"]["contradictions"])
    with django_capture_on_commit_callbacks(execute=True):
        repository_set_holds(repository=repository, user=lead, holds=["serving_monitoring"])
    result.refresh_from_db()
    assert not any(c["capability"] == "ci" for c in result.snapshot["result"]["contradictions"])


def test_each_team_points_at_the_result_of_its_latest_submission(
    team, member, django_capture_on_commit_callbacks
):
    def submitted(answer):
        assessment = assessment_start(team=team, user=member)
        answer_everything(assessment, answers_all(answer), member)
        with django_capture_on_commit_callbacks(execute=True):
            assessment_submit(assessment=assessment, user=member)
        return assessment

    team.refresh_from_db()
    assert team.latest_result is None
    older = submitted("partly")
    newer = submitted("yes")
    team.refresh_from_db()
    assert team.latest_result == newer.result
    # The criticality the debt statement prices by comes with the pointer.
    assert team.criticality == newer.result.criticality == "critical"

    # Recomputing an older submission (a catalogue re-score, say) leaves the pointer alone.
    older.refresh_from_db()
    result_compute(assessment=older)
    team.refresh_from_db()
    assert team.latest_result == newer.result

    # The bulk refresh (synthetic organisations) writes both too.
    type(team).objects.filter(pk=team.pk).update(latest_result=None, criticality="")
    teams_latest_result_refresh(team_ids=[team.pk])
    team.refresh_from_db()
    assert (team.latest_result, team.criticality) == (newer.result, "critical")


def test_results_written_in_bulk_point_their_teams_at_the_latest(db):
    from assessments.demo import synthetic_organization_load
    from assessments.models import Team

    synthetic_organization_load(teams=3, months=2)
    teams = Team.objects.filter(organization__slug__startswith="synthetic")

    assert teams.count() == 3
    for team in teams:
        newest = (
            Result.objects.filter(assessment__team=team)
            .order_by("-assessment__submitted_at")
            .first()
        )
        assert team.latest_result_id == newest.pk
