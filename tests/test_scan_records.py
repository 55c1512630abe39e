"""A stored scan stays as the scanner left it: the admin only reads scans, and a scan that
another points at goes only with its repository."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import RestrictedError
from django.utils import timezone

from assessments.models import Repository, Scan, ScanStatus

pytestmark = pytest.mark.django_db


def _scans(team):
    repository = Repository.objects.create(team=team, url="https://github.com/acme/kept.git")
    earlier = Scan.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        commit="a" * 40,
        scanner_version="1",
        finished_at=timezone.now(),
        findings=[],
        report={"inconclusive": False},
    )
    rescan = Scan.objects.create(
        repository=repository,
        status=ScanStatus.UNCHANGED,
        commit="a" * 40,
        scanner_version="1",
        finished_at=timezone.now(),
        same_as=earlier,
        report={"inconclusive": False},
    )
    return repository, earlier, rescan


def test_the_admin_reads_a_scan_and_cannot_change_or_delete_it(client, team):
    _, earlier, _ = _scans(team)
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 20))

    page = client.get(f"/admin/assessments/scan/{earlier.pk}/change/")
    delete = client.post(f"/admin/assessments/scan/{earlier.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/assessments/scan/{earlier.pk}/change/", {"status": "failed"})

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert delete.status_code == 403
    assert change.status_code == 403
    earlier.refresh_from_db()
    assert earlier.status == ScanStatus.SUCCEEDED


def test_a_scan_another_points_at_is_not_deleted_from_under_it(team):
    _, earlier, rescan = _scans(team)

    with pytest.raises(RestrictedError):
        earlier.delete()

    rescan.refresh_from_db()
    assert rescan.same_as_id == earlier.pk


def test_a_repository_goes_with_all_its_scans(team):
    repository, earlier, rescan = _scans(team)

    repository.delete()

    assert not Scan.objects.filter(pk__in=[earlier.pk, rescan.pk]).exists()
