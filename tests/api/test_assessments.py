"""/api/v1/assessments/: list with filters, create for a team, detail, submit, reopen."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus

from ..factories import TeamFactory
from .conftest import error_of, fake_submitted_assessment, submit_with_result


def test_a_member_starts_a_draft_for_the_team(as_member, team, member):
    response = as_member.post("/api/v1/assessments/", {"team": team.id})
    assert response.status_code == 201
    body = response.json()
    assessment = Assessment.objects.get()
    assert body["id"] == assessment.id
    assert body["team"] == team.id
    assert body["status"] == "draft"
    assert body["created_by"] == "alice"
    assert body["answer_count"] == 0
    assert body["result"] is None
    assert response["Location"].endswith(f"/api/v1/assessments/{assessment.id}/")


def test_starting_again_returns_the_open_draft_with_200(as_member, team, draft):
    response = as_member.post("/api/v1/assessments/", {"team": team.id})
    assert response.status_code == 200
    assert response.json()["id"] == draft.id
    assert Assessment.objects.count() == 1


def test_a_viewer_cannot_start_an_assessment(as_viewer, team):
    response = as_viewer.post("/api/v1/assessments/", {"team": team.id})
    assert response.status_code == 403
    assert error_of(response)["error"]["code"] == "permission_denied"
    assert not Assessment.objects.exists()


def test_starting_one_for_another_team_is_refused_without_saying_it_exists(as_other, team):
    response = as_other.post("/api/v1/assessments/", {"team": team.id})
    assert response.status_code == 400
    body = error_of(response)
    assert body["error"]["fields"] == {
        "team": [f"There is no team with id {team.id} that you can see."]
    }
    missing = as_other.post("/api/v1/assessments/", {"team": 999999})
    assert missing.json()["error"]["fields"]["team"] == [
        "There is no team with id 999999 that you can see."
    ]
    assert not Assessment.objects.exists()


def test_a_team_must_be_given_as_an_id(as_member, team):
    for body in ({}, {"team": "fraud-detection"}, {"team": None}, {"team": [1]}):
        response = as_member.post("/api/v1/assessments/", body, format="json")
        assert response.status_code == 400, body
        assert "team" in error_of(response)["error"]["fields"]


def test_a_body_that_is_not_json_is_refused(as_member, team):
    response = as_member.post("/api/v1/assessments/", "{not json", content_type="application/json")
    assert response.status_code == 400
    error_of(response)
    response = as_member.post("/api/v1/assessments/", "team=1", content_type="text/plain")
    assert response.status_code == 415
    error_of(response)


def test_the_detail_of_another_teams_assessment_answers_404(as_other, draft):
    response = as_other.get(f"/api/v1/assessments/{draft.id}/")
    assert response.status_code == 404
    error_of(response)


def test_a_viewer_reads_assessments(as_viewer, draft):
    response = as_viewer.get(f"/api/v1/assessments/{draft.id}/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_the_list_shows_only_visible_assessments(as_other, as_member, draft, other_team_member):
    assert as_other.get("/api/v1/assessments/").json()["count"] == 0
    assert [a["id"] for a in as_member.get("/api/v1/assessments/").json()["results"]] == [draft.id]


def test_the_list_filters_by_team_status_and_date(as_org_admin, team, other_team_member):
    other = TeamFactory(organization=team.organization)
    now = timezone.now()
    old = fake_submitted_assessment(team, when=now - timedelta(days=40))
    recent = fake_submitted_assessment(team, when=now - timedelta(days=2))
    elsewhere = fake_submitted_assessment(other, when=now - timedelta(days=2))
    draft = Assessment.objects.create(team=team, catalogue_version="test")

    def ids(**params):
        response = as_org_admin.get("/api/v1/assessments/", params)
        assert response.status_code == 200, response.json()
        return {a["id"] for a in response.json()["results"]}

    assert ids(team=team.id) == {old.id, recent.id, draft.id}
    assert ids(status="submitted") == {old.id, recent.id, elsewhere.id}
    assert ids(status="draft") == {draft.id}
    since = (now - timedelta(days=10)).date().isoformat()
    assert ids(team=team.id, since=since) == {recent.id, draft.id}
    until = (now - timedelta(days=40)).date().isoformat()
    assert ids(until=until) == {old.id}
    assert ids(since=(now - timedelta(days=3)).isoformat(), status="submitted") == {
        recent.id,
        elsewhere.id,
    }


def test_bad_filters_answer_400_with_a_sentence(as_member, team):
    for params in (
        {"status": "archived"},
        {"since": "yesterday"},
        {"until": "2024-02-30"},
        {"team": "abc"},
        {"until": "9999-12-31"},
        {"status": ""},
        {"page_size": "many"},
    ):
        response = as_member.get("/api/v1/assessments/", params)
        assert response.status_code == 400, params
        error_of(response)


def test_an_empty_date_range_answers_an_empty_list(as_member, team):
    fake_submitted_assessment(team)
    response = as_member.get("/api/v1/assessments/", {"since": "2025-01-02", "until": "2025-01-01"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_list_does_not_grow_in_queries_with_assessments(
    as_member, team, django_assert_max_num_queries
):
    for _ in range(3):
        fake_submitted_assessment(team)
    with django_assert_max_num_queries(20) as few:
        assert as_member.get("/api/v1/assessments/").json()["count"] == 3
    for _ in range(27):
        fake_submitted_assessment(team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert as_member.get("/api/v1/assessments/").json()["count"] == 30


def test_submitting_answers_202_and_the_result_follows(
    as_member, draft, member, django_capture_on_commit_callbacks
):
    from ..assessment_helpers import answer_everything, answers_all

    answer_everything(draft, answers_all("yes"), member)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post(f"/api/v1/assessments/{draft.id}/submit/")
    assert response.status_code == 202
    assert response.json()["status"] == "submitted"
    assert response["Location"].endswith(f"/api/v1/assessments/{draft.id}/result/")
    detail = as_member.get(f"/api/v1/assessments/{draft.id}/").json()
    assert detail["result"]["overall_level"] in (0, 1, 2)
    assert detail["submitted_by"] == "alice"


def test_a_viewer_cannot_submit(as_viewer, draft):
    response = as_viewer.post(f"/api/v1/assessments/{draft.id}/submit/")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_submitting_twice_is_refused_with_a_sentence(as_member, draft):
    assert as_member.post(f"/api/v1/assessments/{draft.id}/submit/").status_code == 202
    response = as_member.post(f"/api/v1/assessments/{draft.id}/submit/")
    assert response.status_code == 400
    assert "locked" in error_of(response)["detail"]


def test_another_team_cannot_submit(as_other, draft):
    assert as_other.post(f"/api/v1/assessments/{draft.id}/submit/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_reopening_starts_a_draft_with_the_same_answers(
    as_member, draft, member, django_capture_on_commit_callbacks
):
    submitted = submit_with_result(draft, member, django_capture_on_commit_callbacks)
    response = as_member.post(f"/api/v1/assessments/{submitted.id}/reopen/")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["copied_from"] == submitted.id
    assert body["answer_count"] == submitted.answers.count()


def test_reopening_returns_the_teams_open_draft_with_200(
    as_member, draft, member, django_capture_on_commit_callbacks
):
    submitted = submit_with_result(draft, member, django_capture_on_commit_callbacks)
    first = as_member.post(f"/api/v1/assessments/{submitted.id}/reopen/")
    again = as_member.post(f"/api/v1/assessments/{submitted.id}/reopen/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]


def test_reopening_answers_200_for_a_draft_another_member_opened_meanwhile(
    as_member, draft, member, lead, django_capture_on_commit_callbacks, monkeypatch
):
    """The status says what the service did, not what the team had before the request."""
    from assessments.api import assessments as api
    from assessments.services.assessments import assessment_open_draft, assessment_reopen

    submitted = submit_with_result(draft, member, django_capture_on_commit_callbacks)

    def theirs_first(**kwargs):
        theirs = assessment_open_draft(team=submitted.team, user=lead).assessment
        opened = assessment_reopen(**kwargs)
        assert opened.assessment == theirs
        return opened

    monkeypatch.setattr(api, "assessment_reopen", theirs_first)
    response = as_member.post(f"/api/v1/assessments/{submitted.id}/reopen/")
    assert response.status_code == 200
    assert response.json()["created_by"] == lead.username


def test_reopening_a_draft_is_refused(as_member, draft):
    response = as_member.post(f"/api/v1/assessments/{draft.id}/reopen/")
    assert response.status_code == 400
    assert "still a draft" in error_of(response)["detail"]


def test_assessments_cannot_be_deleted_or_edited_through_the_api(as_lead, draft):
    assert as_lead.delete(f"/api/v1/assessments/{draft.id}/").status_code == 405
    response = as_lead.patch(f"/api/v1/assessments/{draft.id}/", {"status": "submitted"})
    assert response.status_code == 405
