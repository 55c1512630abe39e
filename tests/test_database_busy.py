"""A database too busy to take a write answers a retryable 503, never a server error page.

The first test holds SQLite's write lock from another connection, as a long writer would, against
the app started as the README starts it (with a short busy timeout so the test need not wait
20 seconds): every kind of write is refused with 503, Retry-After and a sentence; what was saved
before is intact and the same request succeeds once the lock is gone. The others provoke the
same errors inside a request and check which errors count as contention.
"""

import sqlite3
from contextlib import closing

import psycopg
import pytest
from django.db import OperationalError

from mlmaturity.middleware import DatabaseBusyMiddleware, is_database_busy

from .api.conftest import error_of, token_client
from .live_server import live_server

SENTENCE = DatabaseBusyMiddleware.message
RETRY_AFTER = str(DatabaseBusyMiddleware.retry_after_seconds)


def seed() -> dict:
    """A member with a draft and one saved answer, and a token (runs in the server's env)."""
    from assessments import maturity
    from assessments.maturity.sections import questionnaire_sections
    from assessments.models import Role
    from assessments.services.answers import answer_save
    from assessments.services.assessments import assessment_start
    from assessments.services.tokens import api_token_create
    from tests.factories import MembershipFactory, TeamFactory, UserFactory

    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    alice = MembershipFactory(team=team, user=UserFactory(username="alice"), role=Role.MEMBER).user
    draft = assessment_start(team=team, user=alice)
    section = next(
        s for s in questionnaire_sections(maturity.load_catalogue()) if s.key != "context"
    )
    first, second, third = (question.key for question in section.questions[:3])
    answer_save(
        assessment=draft,
        question_key=first,
        option_key="partly",
        note="saved before the lock",
        expected_version=0,
        user=alice,
    )
    _, token = api_token_create(user=alice, name="busy")
    return {
        "draft": draft.pk,
        "section": section.key,
        "saved": first,
        "questions": [second, third],
        "token": token,
    }


def test_a_write_while_another_connection_holds_the_lock_answers_503_and_keeps_saved_data(
    tmp_path,
):
    with live_server(tmp_path, SQLITE_BUSY_TIMEOUT_SECONDS="1") as server:
        seeded = server.call("tests.test_database_busy:seed")
        browser = server.session("alice")
        csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}
        token = {"Authorization": f"Token {seeded['token']}"}
        draft, (second, third) = seeded["draft"], seeded["questions"]
        answers_url = f"{server.url}/api/v1/assessments/{draft}/answers/"
        # The token's first use records it; done now, so the refusals below are the writes'.
        assert browser.get(answers_url, headers=token).status_code == 200

        def autosave():
            return browser.post(
                f"{server.url}/assessments/{draft}/answers/{second}/",
                data={"option": "yes", "note": "typed during the lock", "version": "0"},
                headers={**csrf, "Accept": "application/json"},
                timeout=30,
            )

        def api_answer():
            return browser.put(
                f"{answers_url}{third}/",
                json={"option": "no"},
                headers={**token, "If-Match": '"0"'},
                timeout=30,
            )

        def section_form():
            return browser.post(
                f"{server.url}/assessments/{draft}/questions/{seeded['section']}/",
                data={f"q-{second}": "no", f"v-{second}": "0", "go": "stay"},
                headers=csrf,
                timeout=30,
            )

        with closing(sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another writer holds the lock, and keeps it
            held = autosave(), api_answer(), section_form()
            # Reads go on meanwhile: write-ahead logging keeps them off the writer's lock.
            reading = browser.get(answers_url, headers=token, timeout=30)
            other.execute("ROLLBACK")

        for response in held:
            assert response.status_code == 503, response.text[:500]
            assert response.headers["Retry-After"] == RETRY_AFTER
        autosaved, through_api, page = held
        assert autosaved.json()["detail"] == SENTENCE
        assert autosaved.json()["error"]["code"] == "database_busy"
        assert through_api.json() == {
            "detail": SENTENCE,
            "error": {"code": "database_busy", "message": SENTENCE, "fields": {}},
        }
        assert page.headers["Content-Type"].startswith("text/html")
        assert SENTENCE in page.text
        assert reading.status_code == 200

        # What was saved before the lock is intact, and nothing refused was half saved.
        stored = {
            a["question"]: a for a in browser.get(answers_url, headers=token).json()["results"]
        }
        assert set(stored) == {seeded["saved"]}
        saved = stored[seeded["saved"]]
        assert (saved["option"], saved["note"], saved["version"]) == (
            "partly",
            "saved before the lock",
            1,
        )

        # The same requests, sent again, go through.
        assert autosave().json()["version"] == 1
        assert api_answer().status_code == 201
        stored = {
            a["question"]: a for a in browser.get(answers_url, headers=token).json()["results"]
        }
        assert set(stored) == {seeded["saved"], second, third}
        assert stored[second]["note"] == "typed during the lock"


def _locked(message="database is locked") -> OperationalError:
    try:
        try:
            raise sqlite3.OperationalError(message)
        except sqlite3.OperationalError as cause:
            raise OperationalError(message) from cause
    except OperationalError as error:
        return error


def _from_postgresql(error_class) -> OperationalError:
    try:
        try:
            raise error_class("deadlock detected")
        except psycopg.Error as cause:
            raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (_locked(), True),
        (_locked("database table is locked"), True),
        (_from_postgresql(psycopg.errors.DeadlockDetected), True),
        (_from_postgresql(psycopg.errors.SerializationFailure), True),
        (_from_postgresql(psycopg.errors.LockNotAvailable), True),
        (_locked("no such table: assessments_answer"), False),
        (_locked("disk I/O error"), False),
        (_from_postgresql(psycopg.errors.AdminShutdown), False),
        (ValueError("database is locked"), False),
    ],
)
def test_only_lock_contention_counts_as_a_busy_database(error, busy):
    assert is_database_busy(error) is busy


@pytest.fixture
def locked_writes(monkeypatch):
    """Every answer write fails as it does when the lock stays taken past the busy timeout."""

    def refuse(**_):
        raise _locked()

    monkeypatch.setattr("assessments.api.assessments.answer_save", refuse)
    monkeypatch.setattr("assessments.views.questionnaire.autosave.answer_save_with_choices", refuse)


def test_an_api_write_the_database_is_too_busy_for_answers_503_in_the_error_shape(
    member, draft, locked_writes
):
    response = token_client(member).put(
        f"/api/v1/assessments/{draft.pk}/answers/experiments_tracked/",
        {"option": "yes"},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert error_of(response)["error"]["code"] == "database_busy"


def test_an_autosave_the_database_is_too_busy_for_answers_503_with_a_sentence(
    client, member, draft, locked_writes
):
    client.force_login(member)
    response = client.post(
        f"/assessments/{draft.pk}/answers/experiments_tracked/",
        {"option": "yes", "version": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert response.json()["detail"] == SENTENCE


def test_a_page_the_database_is_too_busy_for_answers_a_503_page(client, member, draft, monkeypatch):
    client.force_login(member)
    monkeypatch.setattr(
        "assessments.views.teams.selectors.team_get_for_user",
        lambda **_: (_ for _ in ()).throw(_locked()),
    )
    response = client.get(f"/teams/{draft.team.slug}/")
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert response["Content-Type"].startswith("text/html")
    assert SENTENCE in response.content.decode()


def test_other_database_errors_stay_server_errors(client, member, draft, monkeypatch):
    client.force_login(member)

    def broken(**_):
        raise _locked("no such table: assessments_answer")

    monkeypatch.setattr("assessments.views.questionnaire.autosave.answer_save_with_choices", broken)
    with pytest.raises(OperationalError, match="no such table"):
        client.post(
            f"/assessments/{draft.pk}/answers/experiments_tracked/",
            {"option": "yes", "version": "0"},
        )


@pytest.fixture
def draft(team, member):
    from assessments.services.assessments import assessment_start

    return assessment_start(team=team, user=member)


def test_a_page_of_answers_is_saved_whole_or_not_at_all(client, member, draft, monkeypatch):
    """The form posts a page at once; when the database turns busy mid-way, no answer of it
    is kept, so posting it again with the same versions saves it whole."""
    from assessments import maturity
    from assessments.maturity.sections import questionnaire_sections
    from assessments.models import Answer
    from assessments.services import answers as service

    section = next(
        s for s in questionnaire_sections(maturity.load_catalogue()) if s.key != "context"
    )
    first, second = section.questions[:2]
    real_save = service.answer_save

    def busy_on_the_second(**kwargs):
        if kwargs["question_key"] == second.key:
            raise _locked()
        return real_save(**kwargs)

    monkeypatch.setattr(service, "answer_save", busy_on_the_second)
    client.force_login(member)
    page = {
        f"q-{first.key}": first.options[0].key,
        f"v-{first.key}": "0",
        f"q-{second.key}": second.options[0].key,
        f"v-{second.key}": "0",
        "go": "stay",
    }
    url = f"/assessments/{draft.pk}/questions/{section.key}/"
    assert client.post(url, page).status_code == 503
    assert not Answer.objects.filter(assessment=draft).exists()

    monkeypatch.setattr(service, "answer_save", real_save)
    assert client.post(url, page).status_code == 302
    assert set(Answer.objects.filter(assessment=draft).values_list("question_key", flat=True)) == {
        first.key,
        second.key,
    }


@pytest.mark.django_db(transaction=True)
def test_scans_and_result_computations_hold_no_transaction_while_they_work(
    team, lead, tmp_path, monkeypatch
):
    """On SQLite a transaction holds the one write lock from its start: git and scoring run
    outside any, and only their short writes take it. Tasks run in the request here, as in
    the embedded default."""
    from django.db import connection

    from assessments import maturity, scanning
    from assessments.services.assessments import assessment_start, assessment_submit
    from assessments.services.repositories import repository_connect

    from .assessment_helpers import answer_everything, answers_all
    from .scanning.archetypes import ORCHESTRATED
    from .scanning.gitrepo import make_repo

    seen = []

    def watched(name, work):
        def run(*args, **kwargs):
            seen.append((name, connection.in_atomic_block))
            return work(*args, **kwargs)

        return run

    monkeypatch.setattr(scanning, "scan_repository", watched("scan", scanning.scan_repository))
    monkeypatch.setattr(maturity, "score", watched("score", maturity.score))

    draft = assessment_start(team=team, user=lead)
    answer_everything(draft, answers_all("partly"), lead)
    assessment_submit(assessment=draft, user=lead)
    repository_connect(team=team, user=lead, url=str(make_repo(tmp_path / "repo", ORCHESTRATED)))

    # The submission's result, the scan, and the result recomputed with its evidence.
    assert seen == [("score", False), ("scan", False), ("score", False)]
