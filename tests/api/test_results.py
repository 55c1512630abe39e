"""GET /api/v1/assessments/{id}/result/ and .../roadmap/: the engine's output."""

from assessments.models import Result

from ..assessment_helpers import answers_all
from .conftest import error_of, submit_with_result

# Names shared with the scan_repo CLI's JSON, so one script reads both.
SCAN_CLI_FIELDS = {"overall_level", "index", "dimensions", "capabilities"}


def test_a_result_uses_the_scan_cli_field_names(as_viewer, submitted):
    response = as_viewer.get(f"/api/v1/assessments/{submitted.id}/result/")
    assert response.status_code == 200
    body = response.json()
    result = Result.objects.get(assessment=submitted)
    assert set(body) >= SCAN_CLI_FIELDS
    assert body["overall_level"] == result.overall_level
    assert body["index"] == result.index
    assert body["dimensions"] == result.snapshot["result"]["dimension_levels"]
    assert all(level in (0, 1, 2) for level in body["dimensions"].values())
    capability = body["capabilities"][0]
    assert {"key", "grade", "source", "met", "dimension", "level"} <= set(capability)
    assert body["target_level"] == result.target_level
    assert body["weakest_dimension"] == result.weakest_dimension
    assert isinstance(body["why_not_next_level"], str)
    assert isinstance(body["contradictions"], list)
    assert body["ml_test_score"]["score"] == result.ml_test_score


def test_a_result_carries_the_debt_as_of_its_submission(as_member, submitted):
    debt = as_member.get(f"/api/v1/assessments/{submitted.id}/result/").json()["debt"]
    assert debt["as_of"] == submitted.submitted_at.date().isoformat()
    assert debt["total"]["items"] == len(debt["items"])
    assert all(item["days_outstanding"] == 0 for item in debt["items"])


def test_a_draft_has_no_result_and_says_so(as_member, draft):
    response = as_member.get(f"/api/v1/assessments/{draft.id}/result/")
    assert response.status_code == 404
    assert "draft" in error_of(response)["detail"]


def test_a_result_not_computed_yet_answers_404_with_a_sentence(as_member, draft):
    # Submitted outside captured commits: the computation has not run.
    as_member.post(f"/api/v1/assessments/{draft.id}/submit/")
    response = as_member.get(f"/api/v1/assessments/{draft.id}/result/")
    assert response.status_code == 404
    assert "being computed" in error_of(response)["detail"]


def test_another_team_gets_404_for_result_and_roadmap(as_other, submitted):
    assert as_other.get(f"/api/v1/assessments/{submitted.id}/result/").status_code == 404
    assert as_other.get(f"/api/v1/assessments/{submitted.id}/roadmap/").status_code == 404


def test_the_roadmap_lists_ordered_steps(as_viewer, submitted):
    response = as_viewer.get(f"/api/v1/assessments/{submitted.id}/roadmap/")
    assert response.status_code == 200
    body = response.json()
    stored = Result.objects.get(assessment=submitted).snapshot["roadmap"]
    assert body["count"] == len(stored) > 0
    first = body["results"][0]
    assert {"id", "capability", "position", "action", "why", "verify", "effort"} <= set(first)
    assert [step["position"] for step in body["results"]] == list(range(len(body["results"])))
    assert first["action"] == stored[0]["what"]


def test_a_team_at_the_top_has_an_empty_roadmap(
    as_member, draft, member, django_capture_on_commit_callbacks
):
    done = submit_with_result(
        draft, member, django_capture_on_commit_callbacks, answers=answers_all("yes")
    )
    result = as_member.get(f"/api/v1/assessments/{done.id}/result/").json()
    roadmap = as_member.get(f"/api/v1/assessments/{done.id}/roadmap/").json()
    assert (result["overall_level"], result["target_level"]) == (2, 2)
    assert result["debt"]["total"]["items"] == 0
    assert roadmap == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_result_carries_its_progress_to_the_next_level(as_viewer, submitted):
    body = as_viewer.get(f"/api/v1/assessments/{submitted.id}/result/").json()
    progress = body["next_level_progress"]
    if body["overall_level"] == 2:
        assert progress is None
        return
    assert progress["level"] == body["overall_level"] + 1
    assert (
        progress["in_place"]
        + len(progress["blocking"])
        + len(progress["missing"])
        + len(progress["unknown"])
        == progress["total"]
    )
    assert progress["blocking"] == body["missing_for_next_level"]


def test_a_result_stored_before_the_progress_existed_still_reports_it(as_viewer, submitted):
    result = Result.objects.get(assessment=submitted)
    snapshot = result.snapshot
    stored = snapshot["result"].pop("next_level_progress")
    result.snapshot = snapshot
    result.save(update_fields=["snapshot"])
    body = as_viewer.get(f"/api/v1/assessments/{submitted.id}/result/").json()
    assert body["next_level_progress"] == stored


def test_a_result_carries_lenses_next_to_the_google_fields(as_viewer, submitted):
    body = as_viewer.get(f"/api/v1/assessments/{submitted.id}/result/").json()
    result = Result.objects.get(assessment=submitted)
    # The Google fields keep their names beside the lenses.
    assert {"overall_level", "why_not_next_level", "ml_test_score", "lenses"} <= set(body)
    assert set(body["lenses"]) == {"microsoft", "eu_ai_act"}
    microsoft = body["lenses"]["microsoft"]
    assert microsoft["level"] in range(5)
    assert microsoft["level"] == result.microsoft_level
    assert isinstance(microsoft["why_not_next_level"], list)
    for item in microsoft["why_not_next_level"]:
        assert set(item) == {"capability", "title", "status", "aspect"}
    eu = body["lenses"]["eu_ai_act"]
    assert "not legal advice" in eu["disclaimer"]
    assert eu["in_force_since"] == "2024-08-01"
    statuses = {a["article"]: a["status"] for a in eu["articles"]}
    assert statuses == result.eu_ai_act_articles
    assert set(statuses) >= {"9", "10", "11", "12", "13", "14", "15"}
    assert sum(eu["counts"].values()) == len(statuses)


def test_a_result_stored_before_the_lenses_is_read_through_them_on_request(as_viewer, submitted):
    result = Result.objects.get(assessment=submitted)
    stored = result.lenses
    Result.objects.filter(pk=result.pk).update(lenses={})
    body = as_viewer.get(f"/api/v1/assessments/{submitted.id}/result/").json()
    assert body["lenses"]["microsoft"] == stored["microsoft"]
    assert body["lenses"]["eu_ai_act"]["articles"] == stored["eu_ai_act"]["articles"]


def test_a_result_with_every_practice_automated_reads_microsoft_level_4(
    as_member, draft, member, django_capture_on_commit_callbacks
):
    submit_with_result(draft, member, django_capture_on_commit_callbacks, answers_all("yes"))
    body = as_member.get(f"/api/v1/assessments/{draft.id}/result/").json()
    assert body["overall_level"] == 2
    assert body["lenses"]["microsoft"]["level"] == 4
    assert body["lenses"]["microsoft"]["why_not_next_level"] == []
    assert body["lenses"]["eu_ai_act"]["counts"]["supported"] == 8
