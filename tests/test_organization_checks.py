"""An organisation's own checks end to end: versioned, exported, imported back, and applied by
rescans of a real git repository, with the organisation's reading of the level changing only
when the organisation counts its checks towards levels."""

import pytest
from django.utils import timezone

from assessments import selectors
from assessments.errors import ActionNotAllowed
from assessments.models import (
    AssessmentStatus,
    AuditAction,
    AuditEvent,
    CheckSetVersion,
    RepositoryCheckOutcome,
    ScanStatus,
)
from assessments.services.assessments import assessment_start
from assessments.services.custom_checks import CheckSetInvalid, check_set_import
from assessments.services.repositories import repository_connect
from assessments.services.results import result_compute
from assessments.services.scans import scan_enqueue

from .assessment_helpers import answer_everything, answers_all
from .scanning.archetypes import ORCHESTRATED
from .scanning.gitrepo import commit, make_repo, write_files

V1 = """\
counts_towards_levels: false
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""

V2 = (
    V1
    + """\
  - key: model_card
    title: A model card beside the code
    dimension: governance
    level: 1
    rule: {file_exists: "**/MODEL_CARD.md"}
"""
)


def submitted_result(team, user):
    assessment = assessment_start(team=team, user=user)
    answer_everything(assessment, answers_all("yes"), user)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    return result_compute(assessment=assessment)


def google_figures(result):
    result.refresh_from_db()
    return (result.overall_level, result.index, dict(result.dimension_levels), result.snapshot)


def rescan(repository, capture):
    with capture(execute=True):
        scan = scan_enqueue(repository=repository, trigger="manual")
    scan.refresh_from_db()
    assert scan.status in (ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED), scan.failure_reason
    return scan


def passed(reading):
    return {check["key"]: check["passed"] for check in reading["checks"]}


def test_a_check_set_is_versioned_exported_imported_back_and_applied_by_rescans(
    tmp_path, team, lead, org_admin, django_capture_on_commit_callbacks
):
    organization = team.organization
    v1, created = check_set_import(organization=organization, yaml_text=V1, actor=org_admin)
    assert (v1.number, created) == (1, True)
    v2, created = check_set_import(organization=organization, yaml_text=V2, actor=org_admin)
    assert (v2.number, created) == (2, True)
    v1.refresh_from_db()
    assert [c["key"] for c in v1.document["checks"]] == ["internal_registry"]
    assert v2.yaml_text.startswith("# An organisation's own checks")
    assert "version: 2\n" in v2.yaml_text

    # Exported and imported back: the same checks, so no new version and the same text.
    same, created = check_set_import(
        organization=organization, yaml_text=v2.yaml_text, actor=org_admin
    )
    assert (same.pk, created) == (v2.pk, False)
    assert same.yaml_text == v2.yaml_text
    assert CheckSetVersion.objects.filter(organization=organization).count() == 2

    repo = make_repo(tmp_path / "churn", ORCHESTRATED)
    with django_capture_on_commit_callbacks(execute=True):
        repository = repository_connect(team=team, user=lead, url=str(repo))
    first_scan = repository.scans.get()
    assert first_scan.status == ScanStatus.SUCCEEDED
    assert first_scan.check_outcomes.count() == 2
    result = submitted_result(team, lead)
    google = google_figures(result)
    assert result.overall_level >= 1

    reading = selectors.organization_checks_for_result(result=result)
    assert reading["version"] == 2
    assert passed(reading) == {"internal_registry": False, "model_card": False}
    assert reading["level"] is None  # not counted towards levels
    assert reading["checks"][0]["question"].startswith("Are all production models")
    assert (
        reading["checks"][0]["repositories"][0]["reason"] == "No manifest declares acme-registry."
    )

    # Counting towards levels caps the organisation's reading, never Google's.
    check_set_import(
        organization=organization,
        yaml_text=V2.replace("counts_towards_levels: false", "counts_towards_levels: true"),
        actor=org_admin,
    )
    unchanged = rescan(repository, django_capture_on_commit_callbacks)
    assert unchanged.status == ScanStatus.UNCHANGED  # same commit, but the checks were applied
    reading = selectors.organization_checks_for_result(result=result)
    assert (reading["version"], reading["counts_towards_levels"]) == (3, True)
    assert passed(reading) == {"internal_registry": False, "model_card": False}
    assert reading["level"] == 0
    assert google_figures(result) == google

    # A commit adds the dependency and the model card: the checks flip on the next scan.
    write_files(
        repo,
        {
            "requirements.txt": ORCHESTRATED["requirements.txt"] + "acme-registry==2.1\n",
            "docs/MODEL_CARD.md": "# Churn model\n",
        },
    )
    commit(repo, "Register the model in the Acme registry")
    flipped = rescan(repository, django_capture_on_commit_callbacks)
    assert flipped.status == ScanStatus.SUCCEEDED
    result.refresh_from_db()
    reading = selectors.organization_checks_for_result(result=result)
    assert passed(reading) == {"internal_registry": True, "model_card": True}
    registry = reading["checks"][0]["repositories"][0]
    added_line = len(ORCHESTRATED["requirements.txt"].splitlines()) + 1
    assert (registry["path"], registry["line"]) == ("requirements.txt", added_line)
    assert reading["checks"][1]["repositories"][0]["path"] == "docs/MODEL_CARD.md"
    assert reading["level"] == result.overall_level

    # Switched off again on the same commit: no organisation level; Google's figures the same.
    google = google_figures(result)
    check_set_import(organization=organization, yaml_text=V2, actor=org_admin)
    rescan(repository, django_capture_on_commit_callbacks)
    reading = selectors.organization_checks_for_result(result=result)
    assert reading["level"] is None
    assert google_figures(result) == google
    events = AuditEvent.objects.filter(action=AuditAction.CHECK_SET_IMPORTED)
    assert sorted(e.details["version"] for e in events) == [1, 2, 3, 4]


def test_an_invalid_check_set_saves_nothing_and_names_each_line(team, org_admin):
    bad = V2.replace("dependency_present", "dependency_presnt").replace(
        "level: 1\n    rule: {file", "level: 5\n    rule: {file"
    )
    with pytest.raises(CheckSetInvalid) as refused:
        check_set_import(organization=team.organization, yaml_text=bad, actor=org_admin)
    assert refused.value.problems == (
        "line 8: rule 'dependency_presnt' is not one of file_exists, file_contains, "
        "dependency_present.",
        "line 12: level '5' is not one of 0, 1, 2.",
    )
    assert refused.value.message.startswith("The check set was not imported (2 problems): line 8")
    assert not CheckSetVersion.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_the_organisations_admins_import_checks(team, lead, member, stranger_org_admin):
    for user in (lead, member, stranger_org_admin):
        with pytest.raises(ActionNotAllowed):
            check_set_import(organization=team.organization, yaml_text=V1, actor=user)
    assert not CheckSetVersion.objects.exists()


def test_without_checks_a_scan_records_no_outcome_and_the_result_has_no_reading(
    tmp_path, team, lead, org_admin, django_capture_on_commit_callbacks
):
    check_set_import(organization=team.organization, yaml_text="checks: []\n", actor=org_admin)
    repo = make_repo(tmp_path / "churn", ORCHESTRATED)
    with django_capture_on_commit_callbacks(execute=True):
        repository_connect(team=team, user=lead, url=str(repo))
    assert not RepositoryCheckOutcome.objects.exists()
    assert selectors.organization_checks_for_result(result=submitted_result(team, lead)) is None


def test_another_organisations_checks_never_apply(
    tmp_path, team, lead, stranger_org_admin, django_capture_on_commit_callbacks
):
    other = selectors.organizations_administered(user=stranger_org_admin).get()
    check_set_import(organization=other, yaml_text=V1, actor=stranger_org_admin)
    repo = make_repo(tmp_path / "churn", ORCHESTRATED)
    with django_capture_on_commit_callbacks(execute=True):
        repository_connect(team=team, user=lead, url=str(repo))
    assert not RepositoryCheckOutcome.objects.exists()
    assert selectors.organization_checks_for_result(result=submitted_result(team, lead)) is None


def test_reading_the_checks_does_not_grow_with_the_repositories(team, lead, org_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Repository, Scan

    version, _ = check_set_import(organization=team.organization, yaml_text=V2, actor=org_admin)
    result = submitted_result(team, lead)

    def add_repository(number):
        repository = Repository.objects.create(team=team, url=f"https://git.example.com/r{number}")
        scan = Scan.objects.create(
            repository=repository,
            status=ScanStatus.SUCCEEDED,
            commit=f"{number:040x}",
            scanner_version="1",
            finished_at=timezone.now(),
        )
        for key in ("internal_registry", "model_card"):
            RepositoryCheckOutcome.objects.create(
                scan=scan, version=version, check_key=key, passed=number % 2 == 0, reason="r"
            )

    def queries():
        result.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            reading = selectors.organization_checks_for_result(result=result)
        return len(captured), reading

    add_repository(1)
    few, reading = queries()
    assert passed(reading) == {"internal_registry": False, "model_card": False}
    for number in range(2, 8):
        add_repository(number)
    many, reading = queries()
    assert reading["scanned_repositories"] == 7
    assert passed(reading) == {"internal_registry": True, "model_card": True}
    assert many == few


def test_only_the_latest_scan_of_each_repository_counts(team, lead, org_admin):
    from datetime import timedelta

    from assessments.models import Repository, Scan

    version, _ = check_set_import(organization=team.organization, yaml_text=V1, actor=org_admin)
    result = submitted_result(team, lead)
    repository = Repository.objects.create(team=team, url="https://git.example.com/r")
    now = timezone.now()
    for number, (when, passing) in enumerate([(now - timedelta(days=1), True), (now, False)]):
        scan = Scan.objects.create(
            repository=repository,
            status=ScanStatus.SUCCEEDED,
            commit=f"{number:040x}",
            scanner_version="1",
            finished_at=when,
        )
        RepositoryCheckOutcome.objects.create(
            scan=scan, version=version, check_key="internal_registry", passed=passing, reason="r"
        )
    reading = selectors.organization_checks_for_result(result=result)
    assert passed(reading) == {"internal_registry": False}
    assert len(reading["checks"][0]["repositories"]) == 1


def test_the_selectors_read_the_versions_only_of_organisations_the_user_administers(
    team, org_admin, lead, stranger_org_admin
):
    from django.http import Http404

    from .factories import MembershipFactory, OrganizationFactory

    other = OrganizationFactory()
    MembershipFactory(user=org_admin, team=None, organization=other, role="org_admin")
    first = check_set_import(organization=team.organization, yaml_text=V1, actor=org_admin)[0]
    second = check_set_import(organization=team.organization, yaml_text=V2, actor=org_admin)[0]
    elsewhere = check_set_import(organization=other, yaml_text=V1, actor=org_admin)[0]
    organization = team.organization

    def versions(user):
        return list(
            selectors.check_set_versions_for_organization(user=user, organization=organization)
        )

    assert versions(org_admin) == [second, first]
    assert versions(lead) == versions(stranger_org_admin) == []
    get = selectors.check_set_version_get_for_user
    assert get(user=org_admin, organization=organization, number=1) == first
    for user, number in ((org_admin, 3), (stranger_org_admin, 1), (lead, 1)):
        with pytest.raises(Http404, match="This version of the checks does not exist."):
            get(user=user, organization=organization, number=number)

    current = selectors.check_set_current_for_user
    assert current(user=org_admin, organization_id=organization.pk) == second
    assert current(user=org_admin, organization_id=other.pk) == elsewhere
    with pytest.raises(selectors.SeveralOrganizations):
        current(user=org_admin, organization_id=None)
    assert current(user=stranger_org_admin, organization_id=organization.pk) is None
    assert current(user=stranger_org_admin, organization_id=None) is None
    assert current(user=lead, organization_id=None) is None
    assert selectors.check_set_current(organization_id=organization.pk) == second


def test_the_current_version_of_the_one_organisation_with_checks_needs_no_id(team, org_admin):
    """An admin of two organisations of which one has checks is not asked which."""
    from .factories import MembershipFactory, OrganizationFactory

    MembershipFactory(
        user=org_admin, team=None, organization=OrganizationFactory(), role="org_admin"
    )
    check_set_import(organization=team.organization, yaml_text=V1, actor=org_admin)
    second = check_set_import(organization=team.organization, yaml_text=V2, actor=org_admin)[0]
    assert selectors.check_set_current_for_user(user=org_admin, organization_id=None) == second
