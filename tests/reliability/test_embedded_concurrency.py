"""Everyone at once, on the app started as the README starts it, and with a real worker.

Two members autosave twenty answers between them, a lead asks twice for a scan of a real git
repository and submits another team's assessment (so its result is computed), and an admin reads
the dashboards: all sent at the same moment from threads. No request may answer a server error,
and everything the server accepted must be readable afterwards.

The embedded default (`scripts/run.py`: a threaded runserver on SQLite, tasks in-process) runs
the scans and the result computation inside the requests that ask for them, so they contend with
the autosaves for SQLite's one writer. With PostgreSQL and Redis the same requests hand that
work to a real Celery worker; both modes are held to the same test.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from ..live_server import LiveServer, live_server
from ..scanning.archetypes import ORCHESTRATED
from ..scanning.gitrepo import make_repo

AUTOSAVES = 20  # ten from each of two members, each on a question of its own
SCAN_REQUESTS = 2
DASHBOARD_READS = 4
OPTIONS = ("no", "partly", "yes", "unknown")


def seed(*, repository_path: str) -> dict:
    """The organisation the burst works on (runs in the server's environment)."""
    from assessments.models import Repository, Role, Scan
    from assessments.services.assessments import assessment_start, assessment_submit
    from assessments.services.results import result_compute
    from assessments.services.scans import scan_execute
    from assessments.services.tokens import api_token_create
    from tests.assessment_helpers import answer_everything, answers_all, graded_questions
    from tests.factories import MembershipFactory, TeamFactory, UserFactory

    fraud = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    search = TeamFactory(organization=fraud.organization, name="Search", slug="search")
    alice, bob, lena, olga = (
        UserFactory(username=name) for name in ("alice", "bob", "lena", "olga")
    )
    for user in (alice, bob):
        MembershipFactory(team=fraud, user=user, role=Role.MEMBER)
    for team in (fraud, search):
        MembershipFactory(team=team, user=lena, role=Role.LEAD)
    MembershipFactory(user=olga, team=None, organization=fraud.organization, role=Role.ORG_ADMIN)

    # Fraud Detection has a submitted assessment, so a scan recomputes its result, and the
    # draft its two members are answering.
    earlier = assessment_start(team=fraud, user=lena)
    answer_everything(earlier, answers_all("partly"), lena)
    assessment_submit(assessment=earlier, user=lena)
    # Computed here too (it is idempotent): with a real worker the queued one arrives later.
    earlier.refresh_from_db()
    result_compute(assessment=earlier)
    draft = assessment_start(team=fraud, user=alice)
    draft.answers.all().delete()  # prefilled from the submission; the burst answers afresh
    # Search's draft is complete: the burst submits it.
    ready = assessment_start(team=search, user=lena)
    answer_everything(ready, answers_all("yes"), lena)

    # Connected with a finished first scan, whatever mode the server runs in.
    repository = Repository.objects.create(team=fraud, url=repository_path, created_by=lena)
    scan_execute(scan_id=Scan.objects.create(repository=repository, trigger="connect").pk)
    _, token = api_token_create(user=lena, name="concurrency")
    return {
        "draft": draft.pk,
        "ready": ready.pk,
        "repository": repository.pk,
        "token": token,
        "questions": [question.key for question in graded_questions()[:AUTOSAVES]],
    }


@dataclass(frozen=True)
class Sent:
    kind: str
    status: int
    body: dict | None
    detail: str


def _json(response: requests.Response) -> dict | None:
    try:
        return response.json()
    except ValueError:
        return None


def burst(server: LiveServer, seeded: dict) -> list[Sent]:
    """Send every request of the burst at the same moment; return what each answered."""
    sessions = {name: server.session(name) for name in ("alice", "bob", "olga")}
    token = {"Authorization": f"Token {seeded['token']}"}
    api = f"{server.url}/api/v1"

    def browser(user: str) -> requests.Session:
        """A tab of the user's browser: their cookies, a connection of its own."""
        tab = requests.Session()
        tab.cookies.update(sessions[user].cookies)
        return tab

    def autosave(number: int):
        user = ("alice", "bob")[number % 2]
        question = seeded["questions"][number]
        tab = browser(user)
        return tab.post(
            f"{server.url}/assessments/{seeded['draft']}/answers/{question}/",
            data={
                "option": OPTIONS[number % len(OPTIONS)],
                "note": f"{user}'s note on {question}",
                "version": "0",
            },
            headers={"X-CSRFToken": tab.cookies["csrftoken"]},
            timeout=120,
        )

    requests_to_send = [
        *((f"autosave {number}", lambda n=number: autosave(n)) for number in range(AUTOSAVES)),
        *(
            (
                "scan",
                lambda: requests.post(
                    f"{api}/repositories/{seeded['repository']}/scans/", headers=token, timeout=120
                ),
            )
            for _ in range(SCAN_REQUESTS)
        ),
        (
            "submit",
            lambda: requests.post(
                f"{api}/assessments/{seeded['ready']}/submit/", headers=token, timeout=120
            ),
        ),
        *(
            (
                "dashboard",
                lambda path=path: browser("olga").get(f"{server.url}{path}", timeout=120),
            )
            for path in ("/dashboard/", "/dashboard/debt/") * (DASHBOARD_READS // 2)
        ),
    ]
    start = threading.Barrier(len(requests_to_send), timeout=60)

    def send(item) -> Sent:
        kind, request = item
        start.wait()
        response = request()
        return Sent(
            kind, response.status_code, _json(response), " ".join(response.text[:300].split())
        )

    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


def tally(sent: list[Sent]) -> str:
    counts = Counter(item.status for item in sent)
    by_status = ", ".join(f"{status}: {counts[status]}" for status in sorted(counts))
    return f"{len(sent)} requests sent at once; status codes {by_status}"


def wait_for(fetch, ready, *, timeout: float = 90, interval: float = 0.3):
    """Poll `fetch()` until `ready(response)`; the last response either way."""
    deadline = time.monotonic() + timeout
    while True:
        response = fetch()
        if ready(response) or time.monotonic() > deadline:
            return response
        time.sleep(interval)


def check_burst(server: LiveServer, seeded: dict, sent: list[Sent]) -> None:
    print(tally(sent))
    errors = [item for item in sent if item.status >= 500]
    assert not errors, "server errors:\n" + "\n".join(
        f"{item.kind}: {item.status} {item.detail}" for item in errors
    )
    assert len(sent) == AUTOSAVES + SCAN_REQUESTS + 1 + DASHBOARD_READS
    token = {"Authorization": f"Token {seeded['token']}"}
    api = f"{server.url}/api/v1"

    # Every autosave was accepted (each had a question of its own) and is stored as answered.
    saved = [item for item in sent if item.kind.startswith("autosave")]
    assert [item.status for item in saved] == [200] * AUTOSAVES, [item.detail for item in saved]
    stored = requests.get(
        f"{api}/assessments/{seeded['draft']}/answers/?page_size=500", headers=token, timeout=30
    ).json()["results"]
    by_question = {answer["question"]: answer for answer in stored}
    for number, question in enumerate(seeded["questions"]):
        user = ("alice", "bob")[number % 2]
        answer = by_question[question]
        assert (answer["option"], answer["note"], answer["version"], answer["updated_by"]) == (
            OPTIONS[number % len(OPTIONS)],
            f"{user}'s note on {question}",
            saved[number].body["version"],
            user,
        )
    assert len(stored) == AUTOSAVES

    # Both scan requests were accepted; the scans they name finish, and succeed.
    scans = [item for item in sent if item.kind == "scan"]
    assert [item.status for item in scans] == [202] * SCAN_REQUESTS, [i.detail for i in scans]
    for scan_id in {item.body["id"] for item in scans}:
        scan = wait_for(
            lambda scan_id=scan_id: requests.get(
                f"{api}/scans/{scan_id}/", headers=token, timeout=30
            ),
            lambda response: response.json()["status"] in {"succeeded", "unchanged", "failed"},
        ).json()
        assert scan["status"] in {"succeeded", "unchanged"}, scan

    # The submission was accepted and its result computed.
    (submitted,) = (item for item in sent if item.kind == "submit")
    assert submitted.status == 202, submitted.detail
    result = wait_for(
        lambda: requests.get(
            f"{api}/assessments/{seeded['ready']}/result/", headers=token, timeout=30
        ),
        lambda response: response.status_code == 200,
    )
    assert result.status_code == 200, result.text

    reads = [item for item in sent if item.kind == "dashboard"]
    assert [item.status for item in reads] == [200] * DASHBOARD_READS


@pytest.fixture
def repository_path(tmp_path):
    return str(make_repo(tmp_path / "pipeline", ORCHESTRATED))


@pytest.mark.slow
def test_the_embedded_default_answers_everyone_at_once_without_a_server_error(
    tmp_path, repository_path
):
    with live_server(tmp_path / "embedded") as server:
        seeded = server.call(
            "tests.reliability.test_embedded_concurrency:seed", repository_path=repository_path
        )
        check_burst(server, seeded, burst(server, seeded))


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_postgresql_with_a_real_worker_answers_everyone_at_once_without_a_server_error(
    tmp_path, repository_path, transactional_db
):
    from ..worker import running_worker, test_database_url

    database_url = test_database_url()
    with (
        running_worker(extra_env={"SCAN_ALLOW_LOCAL_PATHS": "true"}) as queue,
        live_server(
            tmp_path / "served",
            database_url=database_url,
            REDIS_URL=os.environ["REDIS_URL"],
            CELERY_TASK_DEFAULT_QUEUE=queue,
            SCAN_ALLOW_LOCAL_PATHS="true",
        ) as server,
    ):
        seeded = server.call(
            "tests.reliability.test_embedded_concurrency:seed", repository_path=repository_path
        )
        check_burst(server, seeded, burst(server, seeded))
