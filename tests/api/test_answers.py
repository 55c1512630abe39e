"""Answers: list, read one with its ETag, and PUT with optimistic concurrency (If-Match).

The ETag of an answer is its version, quoted ("3"); an unanswered question's ETag is "0".
"""

import pytest

from assessments.models import Answer

from .conftest import error_of

QUESTION = "experiments_tracked"


def url(assessment, question=QUESTION):
    return f"/api/v1/assessments/{assessment.id}/answers/{question}/"


def put(client, assessment, body, if_match=None, question=QUESTION):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return client.put(url(assessment, question), body, format="json", **headers)


def test_a_first_answer_is_sent_with_etag_0_and_gets_etag_1(as_member, draft):
    response = put(as_member, draft, {"option": "yes", "note": "MLflow"}, if_match='"0"')
    assert response.status_code == 201
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body == {
        "question": QUESTION,
        "option": "yes",
        "note": "MLflow",
        "version": 1,
        "updated_by": "alice",
        "updated_at": body["updated_at"],
        "carried_over_from": None,
        "suggested_from": None,
    }


def test_a_change_with_the_current_etag_is_saved_and_gets_the_next_one(as_member, draft):
    put(as_member, draft, {"option": "no"}, if_match='"0"')
    response = put(as_member, draft, {"option": "partly"}, if_match='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert Answer.objects.get().option_key == "partly"


def test_an_unquoted_version_is_accepted_too(as_member, draft):
    assert put(as_member, draft, {"option": "no"}, if_match="0").status_code == 201


def test_a_stale_etag_answers_412_and_changes_nothing(as_member, as_lead, draft):
    put(as_member, draft, {"option": "no", "note": "first"}, if_match='"0"')
    put(as_lead, draft, {"option": "yes", "note": "lena's"}, if_match='"1"')
    response = put(as_member, draft, {"option": "partly"}, if_match='"1"')
    assert response.status_code == 412
    body = error_of(response)
    assert body["error"]["code"] == "answer_conflict"
    assert body["current_option"] == "yes"
    assert body["current_note"] == "lena's"
    assert body["current_version"] == 2
    assert body["updated_by"] == "lena"
    assert response["ETag"] == '"2"'
    answer = Answer.objects.get()
    assert (answer.option_key, answer.version) == ("yes", 2)


def test_etag_0_for_an_already_answered_question_is_stale(as_member, draft):
    put(as_member, draft, {"option": "no"}, if_match='"0"')
    assert put(as_member, draft, {"option": "yes"}, if_match='"0"').status_code == 412


def test_a_write_without_if_match_answers_428(as_member, draft):
    response = put(as_member, draft, {"option": "yes"})
    assert response.status_code == 428
    assert "If-Match" in error_of(response)["detail"]
    assert not Answer.objects.exists()


def test_if_match_star_is_not_accepted(as_member, draft):
    response = put(as_member, draft, {"option": "yes"}, if_match="*")
    assert response.status_code == 428
    error_of(response)


@pytest.mark.parametrize("header", ['W/"1"', '"1", "2"', "abc", '"-1"', '"99999999999"'])
def test_a_malformed_if_match_answers_400(as_member, draft, header):
    response = put(as_member, draft, {"option": "yes"}, if_match=header)
    assert response.status_code == 400
    error_of(response)


def test_an_option_the_question_does_not_have_answers_400_with_a_sentence(as_member, draft):
    response = put(as_member, draft, {"option": "maybe"}, if_match='"0"')
    assert response.status_code == 400
    body = error_of(response)
    assert body["detail"].startswith(f"'maybe' is not an answer to question '{QUESTION}'")
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "option"),
        ({"option": 3}, None),
        ({"option": "yes", "note": "x" * 4001}, "note"),
        ({"option": "yes", "note": "nul\x00"}, "note"),
        ({"option": ["yes"]}, "option"),
    ],
)
def test_an_invalid_body_answers_400_naming_the_field(as_member, draft, body, field):
    response = put(as_member, draft, body, if_match='"0"')
    assert response.status_code == 400
    fields = error_of(response)["error"]["fields"]
    if field:
        assert field in fields


def test_an_unknown_question_answers_404(as_member, draft):
    response = put(as_member, draft, {"option": "yes"}, if_match='"0"', question="no_such")
    assert response.status_code == 404
    assert "no question 'no_such'" in error_of(response)["detail"]


def test_a_viewer_cannot_answer(as_viewer, draft):
    response = put(as_viewer, draft, {"option": "yes"}, if_match='"0"')
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_a_viewer_gets_403_even_with_a_broken_body(as_viewer, draft):
    assert put(as_viewer, draft, {}, if_match="nonsense").status_code == 403


def test_another_team_gets_404_and_changes_nothing(as_other, draft):
    response = put(as_other, draft, {"option": "yes"}, if_match='"0"')
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_a_submitted_assessment_refuses_answers_with_a_sentence(as_member, submitted):
    version = submitted.answers.get(question_key=QUESTION).version
    response = put(as_member, submitted, {"option": "yes"}, if_match=f'"{version}"')
    assert response.status_code == 400
    assert "reopen" in error_of(response)["detail"]


def test_one_answer_is_read_with_its_etag(as_viewer, as_member, draft):
    response = as_viewer.get(url(draft))
    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    assert response.json()["option"] is None
    put(as_member, draft, {"option": "partly"}, if_match=response["ETag"])
    response = as_viewer.get(url(draft))
    assert response["ETag"] == '"1"'
    assert response.json()["option"] == "partly"


def test_answers_are_listed_in_question_order(as_viewer, as_member, draft):
    put(as_member, draft, {"option": "yes"}, if_match='"0"', question="code_in_git")
    put(as_member, draft, {"option": "no"}, if_match='"0"')
    body = as_viewer.get(f"/api/v1/assessments/{draft.id}/answers/").json()
    assert body["count"] == 2
    assert [a["question"] for a in body["results"]] == sorted(["code_in_git", QUESTION])
    assert all(a["version"] == 1 for a in body["results"])


def test_another_team_cannot_list_the_answers(as_other, draft):
    assert as_other.get(f"/api/v1/assessments/{draft.id}/answers/").status_code == 404
