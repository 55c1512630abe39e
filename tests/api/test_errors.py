"""The one error shape, and inputs that must never become server errors."""

import pytest

from .conftest import error_of


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/teams/%00/",
        "/api/v1/assessments/1%00/",
        "/api/v1/teams/?tag=a%00b",
        "/api/v1/assessments/?since=2024-01-01%00",
        "/api/v1/export/results/?tag=%00",
        "/api/v1/teams/?%00=1",
        "/api/v1/catalogue/?x=%00",
    ],
)
def test_a_nul_character_in_path_or_query_answers_400(as_member, team, url):
    response = as_member.get(url)
    assert response.status_code == 400
    assert error_of(response)["error"]["code"] == "nul_character"


def test_a_nul_character_in_an_answer_key_answers_400(as_member, draft):
    response = as_member.put(
        f"/api/v1/assessments/{draft.id}/answers/ci%00/",
        {"option": "yes"},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    assert response.status_code == 400


def test_an_unknown_api_address_answers_404_in_the_error_shape(as_member, db):
    response = as_member.get("/api/v1/nothing/here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["error"]["code"] == "not_found"


def test_a_missing_trailing_slash_is_pointed_out(as_member, db):
    response = as_member.get("/api/v1/teams")
    assert response.status_code == 404
    assert "/api/v1/teams/" in error_of(response)["detail"]


def test_a_method_the_route_does_not_have_answers_405_in_the_error_shape(as_member, db):
    response = as_member.delete("/api/v1/catalogue/")
    assert response.status_code == 405
    assert error_of(response)["error"]["code"] == "method_not_allowed"


def test_an_unacceptable_body_type_answers_415(as_member, team):
    response = as_member.post(
        "/api/v1/assessments/", "team=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    error_of(response)


def test_validation_errors_list_the_fields(as_member, draft):
    response = as_member.put(
        f"/api/v1/assessments/{draft.id}/answers/experiments_tracked/",
        {"note": 5},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    body = error_of(response)
    assert body["error"]["fields"] == {"option": ["This field is required."]}
    assert body["detail"] == "option: This field is required."
