"""/api/v1/assessments/{id}/check-answers/: the organisation's own questions and the team's
answers, read by anyone who sees the team and written by its members, leads and org admins with
the catalogue answers' rules (If-Match/ETag versions, drafts only), through the service the
questionnaire's organisation page uses."""

import pytest

from assessments.models import CheckAnswer
from assessments.services.check_answers import check_answer_save
from assessments.services.custom_checks import check_set_import

from .conftest import error_of, fake_submitted_assessment

CHECKS = """\
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
  - key: on_call
    title: On call
    dimension: governance
    level: 2
    question: Is someone on call for the model in production?
"""


@pytest.fixture
def checks(team, org_admin):
    version, _ = check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    return version


def url(assessment, check=None):
    base = f"/api/v1/assessments/{assessment.id}/check-answers/"
    return base if check is None else f"{base}{check}/"


def put(client, assessment, body, if_match='"0"', check="incident_review"):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return client.put(url(assessment, check), body, format="json", **headers)


def test_the_list_gives_every_question_in_order_answered_or_not(as_viewer, member, draft, checks):
    check_answer_save(
        assessment=draft, check_key="on_call", option_key="partly", expected_version=0, user=member
    )
    response = as_viewer.get(url(draft))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["check"], r["option"], r["version"], r["current"]) for r in rows] == [
        ("incident_review", None, 0, True),
        ("on_call", "partly", 1, True),
    ]
    assert rows[0]["question"] == "Does the team review every model incident within a week?"
    assert rows[1]["updated_by"] == "alice"
    assert rows[1]["check_set_version"] == checks.number


def test_a_first_answer_gets_etag_1_and_a_change_the_next(as_member, draft, checks):
    response = put(as_member, draft, {"option": "yes", "note": "Weekly review"})
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    assert {k: body[k] for k in ("check", "option", "note", "version", "updated_by")} == {
        "check": "incident_review",
        "option": "yes",
        "note": "Weekly review",
        "version": 1,
        "updated_by": "alice",
    }
    response = put(as_member, draft, {"option": "partly"}, if_match='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    saved = CheckAnswer.objects.get(assessment=draft, check_key="incident_review")
    assert (saved.option_key, saved.note, saved.version) == ("partly", "", 2)
    one = as_member.get(url(draft, "incident_review"))
    assert one["ETag"] == '"2"'
    assert one.json()["option"] == "partly"


def test_an_unanswered_question_reads_with_etag_0(as_viewer, draft, checks):
    response = as_viewer.get(url(draft, "on_call"))
    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    assert response.json()["option"] is None


def test_a_stale_etag_answers_412_and_changes_nothing(as_member, as_lead, draft, checks):
    assert put(as_lead, draft, {"option": "yes"}).status_code == 201
    response = put(as_member, draft, {"option": "no"})
    assert response.status_code == 412
    assert response["ETag"] == '"1"'
    body = error_of(response)
    assert body["current_option"] == "yes"
    assert body["updated_by"] == "lena"
    assert CheckAnswer.objects.get(assessment=draft).option_key == "yes"


def test_a_write_without_if_match_answers_428(as_member, draft, checks):
    response = put(as_member, draft, {"option": "yes"}, if_match=None)
    assert response.status_code == 428
    assert not CheckAnswer.objects.exists()


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (
            {"option": "maybe"},
            "'maybe' is not an answer to question 'incident_review'; choose one of: no, partly, "
            "yes, unknown.",
        ),
        ({}, "option: This field is required."),
        (
            {"option": "yes", "note": "x" * 4001},
            "note: Ensure this field has no more than 4000 characters.",
        ),
    ],
)
def test_an_invalid_answer_answers_400_with_one_sentence(as_member, draft, checks, body, sentence):
    response = put(as_member, draft, body)
    assert response.status_code == 400
    assert error_of(response)["detail"] == sentence
    assert not CheckAnswer.objects.exists()


@pytest.mark.parametrize("check", ["nothing_like_it", "readme"])
def test_a_check_that_asks_no_question_answers_404(as_member, draft, checks, check):
    response = put(as_member, draft, {"option": "yes"}, check=check)
    assert response.status_code == 404
    assert error_of(response)["detail"] == (
        f"There is no question '{check}' in your organisation's checks."
    )


def test_an_answer_to_a_question_no_longer_asked_is_read_but_not_changed(
    as_member, member, team, org_admin, draft, checks
):
    check_answer_save(
        assessment=draft, check_key="on_call", option_key="yes", expected_version=0, user=member
    )
    fewer = CHECKS.split("  - key: on_call")[0]
    check_set_import(organization=team.organization, yaml_text=fewer, actor=org_admin)
    rows = as_member.get(url(draft)).json()["results"]
    assert [(r["check"], r["current"], r["question"]) for r in rows][-1] == ("on_call", False, None)
    response = put(as_member, draft, {"option": "no"}, if_match='"1"', check="on_call")
    assert response.status_code == 400
    assert (
        "no question 'on_call' in your organisation's current checks"
        in (error_of(response)["detail"])
    )
    assert CheckAnswer.objects.get(check_key="on_call").option_key == "yes"


@pytest.mark.parametrize(
    ("client", "status"),
    [
        ("as_member", 201),
        ("as_lead", 201),
        ("as_org_admin", 201),
        ("as_viewer", 403),
        ("as_other", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_answer(request, draft, checks, client, status):
    response = put(request.getfixturevalue(client), draft, {"option": "yes"})
    assert response.status_code == status
    assert CheckAnswer.objects.exists() is (status == 201)
    if status != 201:
        error_of(response)


@pytest.mark.parametrize(
    ("client", "status"),
    [("as_viewer", 200), ("as_org_admin", 200), ("as_other", 404), ("anonymous", 401)],
)
def test_who_may_read(request, draft, checks, client, status):
    assert request.getfixturevalue(client).get(url(draft)).status_code == status
    assert request.getfixturevalue(client).get(url(draft, "on_call")).status_code == status


def test_a_submitted_assessment_s_answers_are_read_only(as_member, member, team, checks):
    submitted = fake_submitted_assessment(team)
    CheckAnswer.objects.create(
        assessment=submitted,
        check_key="incident_review",
        check_set_version=checks,
        option_key="no",
        updated_by=member,
    )
    response = put(as_member, submitted, {"option": "yes"}, if_match='"1"')
    assert response.status_code == 400
    assert error_of(response)["detail"] == (
        "This assessment was submitted and is locked; reopen it to change answers."
    )
    assert CheckAnswer.objects.get(assessment=submitted).option_key == "no"
    assert as_member.get(url(submitted, "incident_review")).json()["option"] == "no"


def test_an_organisation_without_questions_lists_none(as_member, draft):
    response = as_member.get(url(draft))
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert put(as_member, draft, {"option": "yes"}).status_code == 404


def test_options_on_an_answer_describes_it_without_an_error(as_member, draft, checks):
    response = as_member.options(url(draft, "incident_review"))
    assert response.status_code == 200
    assert response.json()["name"]
