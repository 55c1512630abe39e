"""GET /api/v1/export/results/: streamed CSV or JSON, one row per team x assessment x capability."""

import csv
import io
import json
from datetime import timedelta

from django.http import StreamingHttpResponse
from django.utils import timezone

from assessments.api.export import COLUMN_NAMES, ExportRowSerializer
from assessments.models import Result, TeamTag

from ..factories import TeamFactory
from .conftest import error_of, fake_submitted_assessment

URL = "/api/v1/export/results/"
# The documented, stable column order; changing it breaks spreadsheets and BI imports.
EXPECTED_COLUMNS = (
    "organization",
    "team_id",
    "team",
    "team_name",
    "assessment_id",
    "submitted_at",
    "catalogue_version",
    "overall_level",
    "index",
    "target_level",
    "capability",
    "dimension",
    "required_level",
    "grade",
    "source",
    "met",
    "exempted_until",
    "microsoft_level",
    "eu_ai_act_supported",
    "eu_ai_act_partly",
    "eu_ai_act_missing",
    "organization_checks_passed",
    "organization_checks_failed",
    "organization_checks_unknown",
    "organization_level",
)
# JSON rows carry the EU AI Act article statuses and the organisation's checks after them.
JSON_KEYS = (*EXPECTED_COLUMNS, "eu_ai_act_articles", "organization_checks")
LENS_COLUMNS = ("microsoft_level", "eu_ai_act_supported", "eu_ai_act_partly", "eu_ai_act_missing")


def content(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content(response))))


def test_the_column_order_is_the_documented_one():
    assert COLUMN_NAMES == EXPECTED_COLUMNS
    assert tuple(ExportRowSerializer().fields) == JSON_KEYS


def test_the_csv_has_a_header_and_one_row_per_capability(as_member, team):
    assessment = fake_submitted_assessment(team, capabilities=("ci", "monitoring", "model_cd"))
    response = as_member.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = content(response)
    assert text.splitlines()[0] == ",".join(EXPECTED_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["capability"] for row in rows] == ["ci", "model_cd", "monitoring"]
    first = rows[0]
    assert first["team"] == "fraud-detection"
    assert first["assessment_id"] == str(assessment.id)
    assert first["grade"] == "1.0"
    assert first["met"] == "true"
    assert rows[2]["grade"] == ""  # monitoring: unknown
    assert rows[2]["met"] == "false"
    assert first["submitted_at"] == assessment.submitted_at.isoformat()


def test_csv_is_the_default_format(as_member, team):
    fake_submitted_assessment(team)
    response = as_member.get(URL)
    assert response["Content-Type"].startswith("text/csv")


def test_the_json_export_is_an_array_of_objects_in_column_order(as_member, team):
    fake_submitted_assessment(team, capabilities=("ci", "monitoring"))
    response = as_member.get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = json.loads(content(response))
    assert len(rows) == 2
    assert tuple(rows[0]) == JSON_KEYS
    assert rows[0]["met"] is True
    assert rows[1]["grade"] is None


def test_an_empty_export_is_valid(as_member, team):
    assert json.loads(content(as_member.get(URL, {"format": "json"}))) == []
    assert content(as_member.get(URL)).strip() == ",".join(EXPECTED_COLUMNS)


def test_only_visible_teams_are_exported(as_other, as_member, team, other_team_member):
    fake_submitted_assessment(team)
    assert csv_rows(as_other.get(URL)) == []
    assert csv_rows(as_other.get(URL, {"team": team.id})) == []
    assert len(csv_rows(as_member.get(URL))) == 2


def test_the_export_filters_by_team_tag_date_and_level(as_org_admin, team):
    other = TeamFactory(organization=team.organization, slug="other")
    TeamTag.objects.create(team=other, name="unit:search")
    now = timezone.now()
    old = fake_submitted_assessment(team, when=now - timedelta(days=30), level=0)
    new = fake_submitted_assessment(team, when=now, level=2)
    tagged = fake_submitted_assessment(other, when=now, level=1)

    def assessments(**params):
        response = as_org_admin.get(URL, params)
        assert response.status_code == 200
        return {int(row["assessment_id"]) for row in csv_rows(response)}

    assert assessments() == {old.id, new.id, tagged.id}
    assert assessments(team=team.id) == {old.id, new.id}
    assert assessments(tag="unit:search") == {tagged.id}
    assert assessments(level=0) == {old.id}
    assert assessments(since=(now - timedelta(days=1)).date().isoformat()) == {new.id, tagged.id}
    assert assessments(until=(now - timedelta(days=30)).date().isoformat()) == {old.id}


def test_bad_parameters_answer_400_in_json(as_member, team):
    for params in ({"format": "xlsx"}, {"level": 3}, {"since": "soon"}, {"team": "x"}):
        response = as_member.get(URL, params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/json"
        error_of(response)


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(as_member, team):
    team.name = '=HYPERLINK("http://evil")'
    team.save()
    fake_submitted_assessment(team)
    assert csv_rows(as_member.get(URL))[0]["team_name"].startswith("'=")
    rows = json.loads(content(as_member.get(URL, {"format": "json"})))
    assert rows[0]["team_name"] == team.name


def test_the_export_needs_credentials(anonymous, db):
    response = anonymous.get(URL)
    assert response.status_code == 401
    error_of(response)


def test_the_export_is_one_query_however_many_rows(as_member, team, django_assert_num_queries):
    """Without organisation checks: the rows, and which organisations have checks."""
    for _ in range(5):
        fake_submitted_assessment(team)
    as_member.get(URL)  # records the token's first use
    with django_assert_num_queries(3):  # the token, the organisations with checks, the rows
        rows = csv_rows(as_member.get(URL))
    assert len(rows) == 10


def test_submission_times_are_iso_8601_in_utc_as_python_writes_them(as_member, team):
    from datetime import UTC, datetime

    whole = fake_submitted_assessment(team, when=datetime(2025, 3, 1, 9, 30, tzinfo=UTC))
    tiny = fake_submitted_assessment(team, when=datetime(2025, 3, 2, 9, 30, 0, 5, tzinfo=UTC))
    times = {int(row["assessment_id"]): row["submitted_at"] for row in csv_rows(as_member.get(URL))}
    assert times[whole.id] == "2025-03-01T09:30:00+00:00" == whole.submitted_at.isoformat()
    assert times[tiny.id] == "2025-03-02T09:30:00.000005+00:00"


def test_the_lens_columns_carry_microsoft_level_and_eu_readiness_counts(as_member, team):
    assessment = fake_submitted_assessment(team, capabilities=("ci",))
    Result.objects.filter(assessment=assessment).update(
        microsoft_level=3,
        eu_ai_act_articles={"9": "supported", "10": "partly", "11": "missing", "72": "missing"},
    )
    row = csv_rows(as_member.get(URL))[0]
    assert (row["microsoft_level"], row["eu_ai_act_supported"]) == ("3", "1")
    assert (row["eu_ai_act_partly"], row["eu_ai_act_missing"]) == ("1", "2")
    row = json.loads(content(as_member.get(URL, {"format": "json"})))[0]
    assert row["microsoft_level"] == 3
    assert [row[f"eu_ai_act_{s}"] for s in ("supported", "partly", "missing")] == [1, 1, 2]
    assert row["eu_ai_act_articles"]["10"] == "partly"


def test_a_result_not_read_through_the_lenses_exports_empty_lens_columns(as_member, team):
    fake_submitted_assessment(team, capabilities=("ci",))
    row = csv_rows(as_member.get(URL))[0]
    assert [row[name] for name in LENS_COLUMNS] == ["", "", "", ""]
    row = json.loads(content(as_member.get(URL, {"format": "json"})))[0]
    assert row["microsoft_level"] is None
    assert row["eu_ai_act_articles"] == {}
