"""Many answers in one request: POST /api/v1/assessments/{id}/answers/, all or nothing.

Each answer carries the version the client last read (0, null or absent for a new one), under
the rules of the single-answer PUT; an import script fills a whole assessment in one request.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import maturity
from assessments.models import Answer, Role
from assessments.services.answers import answer_save
from assessments.services.assessments import assessment_reopen

from ..assessment_helpers import answers_all
from ..factories import MembershipFactory, TeamFactory
from .conftest import error_of, token_client


def url(assessment):
    return f"/api/v1/assessments/{assessment.id}/answers/"


def post(client, assessment, answers):
    return client.post(url(assessment), {"answers": answers}, format="json")


def saved(assessment):
    return dict(
        Answer.objects.filter(assessment=assessment).values_list("question_key", "option_key")
    )


def test_many_new_answers_are_saved_in_one_request(as_member, draft):
    response = post(
        as_member,
        draft,
        [
            {"question": "code_in_git", "option": "yes"},
            {"question": "experiments_tracked", "option": "partly", "note": "a\r\nb", "version": 0},
            {"question": "team_size", "option": "medium", "version": None},
        ],
    )
    assert response.status_code == 200, response.json()
    body = response.json()["answers"]
    assert [a["question"] for a in body] == ["code_in_git", "experiments_tracked", "team_size"]
    assert all(a["version"] == 1 and a["updated_by"] == "alice" for a in body)
    assert body[1]["note"] == "a\nb"
    assert saved(draft) == {
        "code_in_git": "yes",
        "experiments_tracked": "partly",
        "team_size": "medium",
    }


def test_changes_carry_the_current_version_and_get_the_next_one(as_member, draft, member):
    answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="no",
        expected_version=0,
        user=member,
    )
    response = post(
        as_member,
        draft,
        [
            {"question": "code_in_git", "option": "yes", "version": 1},
            {"question": "experiments_tracked", "option": "no"},
        ],
    )
    assert response.status_code == 200
    versions = {a["question"]: a["version"] for a in response.json()["answers"]}
    assert versions == {"code_in_git": 2, "experiments_tracked": 1}
    # The single-answer read agrees with what the bulk write answered.
    single = as_member.get(f"/api/v1/assessments/{draft.id}/answers/code_in_git/")
    assert single["ETag"] == '"2"'
    assert single.json()["option"] == "yes"


def test_a_whole_assessment_is_filled_in_one_request(as_member, draft):
    answers = [{"question": k, "option": v} for k, v in answers_all("partly").items()]
    response = post(as_member, draft, answers)
    assert response.status_code == 200
    assert saved(draft) == answers_all("partly")


def test_the_write_takes_a_fixed_number_of_queries(as_member, draft):
    # The first request of a token also records when it was last used.
    as_member.get(url(draft))
    few = [{"question": k, "option": v} for k, v in list(answers_all("no").items())[:3]]
    with CaptureQueriesContext(connection) as small:
        assert post(as_member, draft, few).status_code == 200
    many = [
        {"question": k, "option": v}
        for k, v in answers_all("no").items()
        if k not in {item["question"] for item in few}
    ]
    with CaptureQueriesContext(connection) as large:
        assert post(as_member, draft, many).status_code == 200
    assert len(large) == len(small)


# --- all or nothing ------------------------------------------------------------------------------


def test_one_invalid_answer_saves_nothing_and_names_the_item(as_member, draft):
    response = post(
        as_member,
        draft,
        [
            {"question": "code_in_git", "option": "yes"},
            {"question": "experiments_tracked", "option": "maybe"},
            {"question": "no_such_question", "option": "yes"},
        ],
    )
    assert response.status_code == 400
    body = error_of(response)
    fields = body["error"]["fields"]
    assert set(fields) == {"answers[1]", "answers[2]"}
    assert fields["answers[1]"][0].startswith("'maybe' is not an answer to question")
    assert "no question 'no_such_question'" in fields["answers[2]"][0]
    assert all(message.endswith(".") for messages in fields.values() for message in messages)
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"option": "yes"}, "answers[1].question"),
        ({"question": "team_size"}, "answers[1].option"),
        ({"question": "team_size", "option": "small", "version": -1}, "answers[1].version"),
        ({"question": "team_size", "option": "small", "version": "x"}, "answers[1].version"),
        ({"question": "team_size", "option": "small", "note": "x" * 4001}, "answers[1].note"),
        ("team_size", "answers[1]"),
        (None, "answers[1]"),
        ([], "answers[1]"),
    ],
)
def test_a_malformed_item_saves_nothing_and_names_its_field(as_member, draft, item, field):
    response = post(as_member, draft, [{"question": "code_in_git", "option": "yes"}, item])
    assert response.status_code == 400
    assert field in error_of(response)["error"]["fields"]
    assert not Answer.objects.exists()


def test_a_question_sent_twice_saves_nothing(as_member, draft):
    response = post(
        as_member,
        draft,
        [
            {"question": "code_in_git", "option": "yes"},
            {"question": "code_in_git", "option": "no"},
        ],
    )
    assert response.status_code == 400
    fields = error_of(response)["error"]["fields"]
    assert "twice" in fields["answers[1]"][0]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("body", [{}, {"answers": []}, {"answers": "all"}, [], {"answers": None}])
def test_an_empty_or_shapeless_batch_answers_400(as_member, draft, body):
    response = as_member.post(url(draft), body, format="json")
    assert response.status_code == 400
    error_of(response)
    assert not Answer.objects.exists()


def test_a_batch_larger_than_the_questionnaire_is_refused_with_the_limit(as_member, draft):
    limit = len(maturity.load_catalogue().questions)
    answers = [{"question": f"q{i}", "option": "yes"} for i in range(limit + 1)]
    response = post(as_member, draft, answers)
    assert response.status_code == 400
    assert f"at most {limit} answers" in error_of(response)["detail"]
    assert not Answer.objects.exists()


def test_a_stale_version_answers_412_naming_the_answers_and_saves_nothing(as_member, draft, lead):
    for key in ("code_in_git", "experiments_tracked"):
        answer_save(
            assessment=draft,
            question_key=key,
            option_key="no",
            note="lena's",
            expected_version=0,
            user=lead,
        )
    response = post(
        as_member,
        draft,
        [
            {"question": "team_size", "option": "small"},
            {"question": "code_in_git", "option": "yes", "version": 1},
            {"question": "experiments_tracked", "option": "yes"},
        ],
    )
    assert response.status_code == 412
    body = error_of(response)
    assert body["error"]["code"] == "answer_conflict"
    assert "experiments_tracked" in body["detail"]
    assert "nothing was saved" in body["detail"]
    assert body["conflicts"] == [
        {
            "question": "experiments_tracked",
            "current_option": "no",
            "current_note": "lena's",
            "current_version": 1,
            "updated_by": "lena",
        }
    ]
    assert saved(draft) == {"code_in_git": "no", "experiments_tracked": "no"}
    assert set(Answer.objects.values_list("version", flat=True)) == {1}


def test_a_version_for_an_unanswered_question_is_stale(as_member, draft):
    response = post(as_member, draft, [{"question": "code_in_git", "option": "yes", "version": 2}])
    assert response.status_code == 412
    assert response.json()["conflicts"][0]["current_version"] == 0
    assert not Answer.objects.exists()


# --- the rules of a single answer ----------------------------------------------------------------


def test_a_submitted_assessment_refuses_the_batch_as_it_refuses_one_answer(as_member, submitted):
    current = dict(submitted.answers.values_list("question_key", "version"))
    before = saved(submitted)
    response = post(
        as_member,
        submitted,
        [{"question": "code_in_git", "option": "no", "version": current["code_in_git"]}],
    )
    assert response.status_code == 400
    assert "reopen" in error_of(response)["detail"]
    assert saved(submitted) == before


def test_saving_a_carried_over_answer_confirms_it(as_member, submitted, member):
    draft = assessment_reopen(assessment=submitted, user=member).assessment
    carried = draft.answers.get(question_key="code_in_git")
    assert carried.needs_confirmation
    response = post(
        as_member,
        draft,
        [{"question": "code_in_git", "option": carried.option_key, "version": carried.version}],
    )
    assert response.status_code == 200
    assert response.json()["answers"][0]["carried_over_from"] is None
    carried.refresh_from_db()
    assert not carried.needs_confirmation
    assert carried.version == 2
    # The answers the batch did not name still need a look.
    assert (
        draft.answers.exclude(question_key="code_in_git")
        .filter(carried_over_from__isnull=False)
        .exists()
    )


# --- tenancy -------------------------------------------------------------------------------------


def test_another_team_gets_404_and_changes_nothing(as_other, draft):
    response = post(as_other, draft, [{"question": "code_in_git", "option": "yes"}])
    assert response.status_code == 404
    error_of(response)
    assert not Answer.objects.exists()


def test_a_viewer_is_refused_even_with_a_broken_body(as_viewer, draft):
    response = post(as_viewer, draft, [{"question": "code_in_git", "option": "yes"}])
    assert response.status_code == 403
    assert as_viewer.post(url(draft), {"answers": "x"}, format="json").status_code == 403
    assert not Answer.objects.exists()


def test_an_org_admin_and_a_lead_may_write(as_org_admin, as_lead, draft):
    assert (
        post(as_org_admin, draft, [{"question": "code_in_git", "option": "yes"}]).status_code == 200
    )
    response = post(as_lead, draft, [{"question": "code_in_git", "option": "no", "version": 1}])
    assert response.status_code == 200


def test_anonymous_gets_401(anonymous, draft):
    assert post(anonymous, draft, [{"question": "code_in_git", "option": "yes"}]).status_code == 401


# --- the import script and the throttle ----------------------------------------------------------

ASSESSMENTS = 30


def _import_teams(team):
    """An org admin who imports one assessment for each of 30 teams."""
    admin = MembershipFactory(
        user__username="importer", team=None, organization=team.organization, role=Role.ORG_ADMIN
    ).user
    teams = [team] + [TeamFactory(organization=team.organization) for _ in range(ASSESSMENTS - 1)]
    return token_client(admin, name="import"), teams


def _open_draft(client, team):
    response = client.post("/api/v1/assessments/", {"team": team.id}, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()["id"]


@pytest.mark.slow
def test_one_request_per_assessment_stays_under_the_default_throttle(team):
    client, teams = _import_teams(team)
    answers = [{"question": k, "option": v} for k, v in answers_all("partly").items()]
    for each in teams:
        assessment_id = _open_draft(client, each)
        response = client.post(
            f"/api/v1/assessments/{assessment_id}/answers/", {"answers": answers}, format="json"
        )
        assert response.status_code == 200, response.json()
    assert Answer.objects.count() == ASSESSMENTS * len(answers)


@pytest.mark.slow
def test_answer_by_answer_is_throttled_within_the_same_import(team):
    """The pattern the bulk write replaces: read each answer's ETag, then PUT it."""
    client, teams = _import_teams(team)
    answers = answers_all("partly")
    throttled = None
    assessments_begun = 0
    for each in teams:
        assessments_begun += 1
        assessment_id = _open_draft(client, each)
        for key, option in answers.items():
            answer_url = f"/api/v1/assessments/{assessment_id}/answers/{key}/"
            read = client.get(answer_url)
            if read.status_code == 429:
                throttled = read
                break
            response = client.put(
                answer_url, {"option": option}, format="json", HTTP_IF_MATCH=read["ETag"]
            )
            if response.status_code == 429:
                throttled = response
                break
            assert response.status_code in (200, 201)
        if throttled is not None:
            break
    assert throttled is not None, f"{ASSESSMENTS} assessments were never throttled"
    # Throttled a few assessments in, long before the 30 that bulk writes fill.
    assert assessments_begun < ASSESSMENTS // 2
    assert int(throttled["Retry-After"]) >= 1
