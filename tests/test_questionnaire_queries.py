"""A questionnaire page costs the same few queries however much data its team and
organisation hold: more answers, teams, results, scanned repositories and own checks."""

import itertools
import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Repository, Scan, ScanStatus
from assessments.services.assessments import assessment_start
from assessments.services.check_answers import check_answer_save
from assessments.services.custom_checks import check_set_import

from .assessment_helpers import answer_everything, answers_all
from .campaign_helpers import stored_result
from .factories import MembershipFactory, TeamFactory

CHECKS = """\
checks:
  - key: incident_review
    title: Incidents reviewed
    dimension: governance
    level: 1
    question: Does the team review every model incident?
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
"""
PAGES = ("context", "cicd", "organisation-checks")
_repository_numbers = itertools.count()


def _scanned_repository(team, path=".github/workflows/ci.yml"):
    """A repository of `team` whose latest scan found CI in `path`, after an older scan."""
    repository = Repository.objects.create(
        team=team, url=f"https://github.com/acme/r{next(_repository_numbers)}.git"
    )
    _scan(repository, path, ages=(2, 1))
    return repository


def _scan(repository, path, ages=(0,)):
    for age in ages:
        Scan.objects.create(
            repository=repository,
            status=ScanStatus.SUCCEEDED,
            commit=f"{age}{path}".encode().hex()[:40],
            scanner_version="1",
            finished_at=timezone.now() - timedelta(days=age),
            findings=[
                {
                    "capability": "ci",
                    "grade": 1.0,
                    "strength": "ci_config",
                    "reason": "CI runs the tests.",
                    "path": path,
                    "line": age + 1,
                    "detector": "continuous_integration",
                }
            ],
            report={"inconclusive": False},
        )


def _grow(team, times):
    """`times` more teams, results and scanned repositories around the draft's page."""
    for _ in range(times):
        other = TeamFactory(organization=team.organization)
        MembershipFactory(team=other)
        stored_result(other)
        stored_result(team)
        _scanned_repository(team)


def _page_queries(client, draft, pages=PAGES):
    counts = {}
    for page in pages:
        url = reverse("questionnaire_section", args=[draft.pk, page])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts[page] = len(captured.captured_queries)
    return counts


def test_a_questionnaire_page_costs_the_same_queries_for_one_or_ten_of_everything(
    client, team, member, org_admin, settings
):
    # As deployed with Redis: sessions come from the cache after their first request.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    # The session is cached from now on, and so is the check set version's document, parsed
    # once per process.
    client.get(reverse("questionnaire_section", args=[draft.pk, "context"]))
    check_answer_save(
        assessment=draft,
        check_key="incident_review",
        option_key="yes",
        expected_version=0,
        user=member,
    )

    everything = answers_all("yes")
    answer_everything(draft, dict(list(everything.items())[:3]), member)
    _grow(team, 1)
    few = _page_queries(client, draft)
    answer_everything(draft, everything, member)
    _grow(team, 10)
    many = _page_queries(client, draft)

    assert (
        "Found in your repository"
        in client.get(reverse("questionnaire_section", args=[draft.pk, "cicd"])).content.decode()
    )
    assert few == many
    # User; assessment with the user's role, the organisation's current check set and the
    # team's latest scans; the answers; and, the first time this process sees those scans,
    # their findings on a page whose questions grade capabilities.
    assert many == {"context": 3, "cicd": 4, "organisation-checks": 3}
    assert _page_queries(client, draft) == {"context": 3, "cicd": 3, "organisation-checks": 3}


def test_a_team_without_a_successful_scan_reads_no_scanned_evidence(client, team, member, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    client.get(reverse("questionnaire_section", args=[draft.pk, "context"]))

    without = _page_queries(client, draft, ("context", "cicd"))
    queued = Repository.objects.create(team=team, url="https://github.com/acme/queued.git")
    Scan.objects.create(repository=queued, status=ScanStatus.QUEUED)
    still_without = _page_queries(client, draft, ("context", "cicd"))
    _scanned_repository(team)
    with_repository = _page_queries(client, draft, ("context", "cicd"))

    assert without["cicd"] == without["context"] == 3
    assert still_without == without
    assert with_repository["cicd"] == 4
    assert with_repository["context"] == 3
    assert (
        "Found in your repository"
        in client.get(reverse("questionnaire_section", args=[draft.pk, "cicd"])).content.decode()
    )


def _hints_on_cicd_page(client, draft):
    page = client.get(reverse("questionnaire_section", args=[draft.pk, "cicd"])).content.decode()
    return set(re.findall(r"Found in your repository: <code>([^<]*)</code>", page))


def test_the_hints_follow_each_new_scan_and_leave_with_a_removed_repository(client, team, member):
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    first = _scanned_repository(team, path="first/ci.yml")
    assert _hints_on_cicd_page(client, draft) == {"first/ci.yml line 2"}

    _scan(first, "moved/ci.yml")
    assert _hints_on_cicd_page(client, draft) == {"moved/ci.yml line 1"}

    # Going back to a commit seen before: the rescan points at the scan that stored its
    # findings, which come back.
    earlier = Scan.objects.get(
        repository=first, findings__0__path="first/ci.yml", findings__0__line=2
    )
    Scan.objects.create(
        repository=first,
        status=ScanStatus.UNCHANGED,
        commit=earlier.commit,
        scanner_version="1",
        finished_at=timezone.now() + timedelta(seconds=1),
        same_as=earlier,
        report={"inconclusive": False},
    )
    assert _hints_on_cicd_page(client, draft) == {"first/ci.yml line 2"}

    first.delete()
    assert _hints_on_cicd_page(client, draft) == set()
