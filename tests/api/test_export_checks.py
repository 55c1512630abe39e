"""The results export's organisation-check columns: each result's passed, failed and unknown
counts and the organisation's level (CSV and JSON), and each check's outcome and the team's
answer (JSON), as the result's `organization_checks` reads them; flat queries per team."""

import csv
import io
import json

import pytest
from django.utils import timezone

from assessments import selectors
from assessments.models import (
    CheckAnswer,
    Repository,
    RepositoryCheckOutcome,
    Result,
    Role,
    Scan,
)
from assessments.selectors import export_checks
from assessments.services.custom_checks import check_set_import

from ..factories import MembershipFactory, TeamFactory
from .conftest import fake_submitted_assessment

URL = "/api/v1/export/results/"
CHECKS = """\
counts_towards_levels: true
checks:
  - key: incident_review
    title: Incidents reviewed
    dimension: governance
    level: 1
    question: Does the team review every model incident within a week?
  - key: readme
    title: A README
    dimension: governance
    level: 0
    rule: {file_exists: README.md}
  - key: registry
    title: Models in the registry
    dimension: validation_registry
    level: 2
    rule: {dependency_present: acme-registry}
"""


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def csv_by_assessment(response) -> dict[int, dict]:
    return {int(r["assessment_id"]): r for r in csv.DictReader(io.StringIO(body(response)))}


def json_by_assessment(response) -> dict[int, dict]:
    return {r["assessment_id"]: r for r in json.loads(body(response))}


@pytest.fixture
def checks(team, org_admin):
    version, _ = check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    return version


def scanned(team, version, outcomes):
    """A finished scan of a repository of the team that applied `version` with `outcomes`."""
    repository = Repository.objects.create(team=team, url=f"https://example.com/{team.slug}.git")
    scan = Scan.objects.create(
        repository=repository, status="succeeded", commit="a" * 40, finished_at=timezone.now()
    )
    for key, passed in outcomes.items():
        RepositoryCheckOutcome.objects.create(
            scan=scan, version=version, check_key=key, passed=passed, reason="read"
        )


def answered(assessment, version, option, note="", user=None):
    CheckAnswer.objects.create(
        assessment=assessment,
        check_key="incident_review",
        check_set_version=version,
        option_key=option,
        note=note,
        updated_by=user,
    )


def test_without_checks_the_columns_are_empty(as_member, team):
    assessment = fake_submitted_assessment(team, capabilities=("ci",))
    row = csv_by_assessment(as_member.get(URL))[assessment.id]
    assert [row[f"organization_checks_{n}"] for n in ("passed", "failed", "unknown")] == [""] * 3
    assert row["organization_level"] == ""
    row = json_by_assessment(as_member.get(URL, {"format": "json"}))[assessment.id]
    assert row["organization_checks"] == []
    assert row["organization_checks_passed"] is None


def test_each_result_carries_its_own_answers_and_the_team_s_scans(as_member, member, team, checks):
    scanned(team, checks, {"readme": True, "registry": False})
    yes = fake_submitted_assessment(team, capabilities=("ci", "monitoring"), level=2)
    unanswered = fake_submitted_assessment(team, capabilities=("ci",), level=2)
    answered(yes, checks, "yes", note="Weekly, with the on-call engineer.", user=member)

    rows = csv_by_assessment(as_member.get(URL))
    counts = ("passed", "failed", "unknown")
    assert [rows[yes.id][f"organization_checks_{n}"] for n in counts] == ["2", "1", "0"]
    assert [rows[unanswered.id][f"organization_checks_{n}"] for n in counts] == ["1", "1", "1"]
    # Level 2 capped below the lowest level with a check not passing.
    assert (rows[yes.id]["organization_level"], rows[unanswered.id]["organization_level"]) == (
        "1",
        "0",
    )

    rows = json_by_assessment(as_member.get(URL, {"format": "json"}))
    assert rows[yes.id]["organization_checks"] == [
        {
            "key": "incident_review",
            "dimension": "governance",
            "level": 1,
            "passed": True,
            "source": "answered",
            "answer": "yes",
            "answer_note": "Weekly, with the on-call engineer.",
        },
        {
            "key": "readme",
            "dimension": "governance",
            "level": 0,
            "passed": True,
            "source": "scanned",
            "answer": None,
            "answer_note": None,
        },
        {
            "key": "registry",
            "dimension": "validation_registry",
            "level": 2,
            "passed": False,
            "source": "scanned",
            "answer": None,
            "answer_note": None,
        },
    ]
    assert rows[unanswered.id]["organization_checks"][0]["passed"] is None
    assert rows[yes.id]["organization_level"] == 1


def test_the_export_reads_the_checks_as_the_result_api_does(as_member, member, team, checks):
    scanned(team, checks, {"readme": False})
    assessment = fake_submitted_assessment(team, capabilities=("ci",), level=1)
    answered(assessment, checks, "partly", user=member)
    reading = selectors.organization_checks_for_result(
        result=Result.objects.get(assessment=assessment)
    )
    row = json_by_assessment(as_member.get(URL, {"format": "json"}))[assessment.id]
    assert [(c["key"], c["passed"], c["source"]) for c in row["organization_checks"]] == [
        (c["key"], c["passed"], c["source"]) for c in reading["checks"]
    ]
    assert row["organization_level"] == reading["level"]


def test_another_organisation_s_checks_do_not_reach_its_teams(as_member, member, team, checks):
    """A member of teams in two organisations: only the one with checks reads them."""
    elsewhere = TeamFactory(name="Elsewhere", slug="elsewhere")
    MembershipFactory(team=elsewhere, user=member, role=Role.MEMBER)
    other = fake_submitted_assessment(elsewhere, capabilities=("ci",))
    own = fake_submitted_assessment(team, capabilities=("ci",))
    rows = json_by_assessment(as_member.get(URL, {"format": "json"}))
    assert rows[other.id]["organization_checks"] == []
    assert rows[other.id]["organization_checks_unknown"] is None
    assert len(rows[own.id]["organization_checks"]) == 3


def test_queries_do_not_grow_with_results(
    as_org_admin, member, team, checks, django_assert_num_queries
):
    scanned(team, checks, {"readme": True})
    for option in ("yes", "no", "partly"):
        answered(fake_submitted_assessment(team), checks, option, user=member)
    as_org_admin.get(URL)  # records the token's first use
    # The token, the organisations with checks, the rows, the current version, the
    # organisation's teams; then, for a window of teams, their rules' outcomes and answers.
    with django_assert_num_queries(7):
        assert len(csv_by_assessment(as_org_admin.get(URL))) == 3
    for option in ("yes", "no", "partly", "unknown"):
        answered(fake_submitted_assessment(team), checks, option, user=member)
    with django_assert_num_queries(7):
        assert len(csv_by_assessment(as_org_admin.get(URL))) == 7


def test_teams_are_read_a_window_at_a_time_each_with_its_own_rows(
    as_org_admin, member, team, checks, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(export_checks, "WINDOW_TEAMS", 2)
    teams = [team] + [
        TeamFactory(organization=team.organization, name=f"Team {n}", slug=f"zz-{n}")
        for n in range(3)
    ]
    expected = {}
    for number, each in enumerate(teams):
        scanned(each, checks, {"readme": number % 2 == 0})
        option = ("yes", "no", "unknown", "partly")[number]
        assessment = fake_submitted_assessment(each, capabilities=("ci",))
        answered(assessment, checks, option, user=member)
        expected[assessment.id] = (number % 2 == 0, option)
    as_org_admin.get(URL)  # records the token's first use
    # Four teams in windows of two: two more queries for the second window.
    with django_assert_num_queries(9):
        rows = json_by_assessment(as_org_admin.get(URL, {"format": "json"}))
    read = {
        assessment_id: (
            row["organization_checks"][1]["passed"],
            row["organization_checks"][0]["answer"],
        )
        for assessment_id, row in rows.items()
    }
    assert read == expected
