"""Server time of the questionnaire's pages and of one autosave, against a trivial view.

Loads the demo (`load_demo`, as load.py does) into the database in DATABASE_URL, opens the
draft of one demo team (carried over from its last submission, so answers need confirming as
they do after a quarter), and requests every page of the questionnaire as that team's member
through Django's test client, interleaved with the trivial view /health/ (one `SELECT 1`), so
all are measured in the same run on the same connection. An autosave (POST of one answer, as
questionnaire.js sends it) is timed in the same loop. Prints the median server time of each,
its ratio to the trivial view and its query count, and the median CPU time this process spent
on it (Django's side of the request, without the database's): on a machine other work shares,
wall times swing with the load while CPU times and their ratios hold steadier.

Goal: every questionnaire page within 5x the trivial view. (The autosave goal, p95 under
200 ms at 32 users with no pause, is load.py's: it needs concurrency this script does not make.)

The test client runs the whole Django stack (middleware, session and user lookups, view,
template) without a network socket, with DEBUG off and without the test environment's
instrumentation of templates (see `serve_as_deployed`). The cache is the one configured:
set REDIS_URL to measure with Redis, as deployed.

Run: DATABASE_URL=postgres://... .venv/bin/python benchmarks/questionnaire_page.py
     [--requests 30] [--profile SECTION]
(`--profile` prints a pyinstrument profile of that page and of an autosave instead.)
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

from dashboard_overview import _get, serve_as_deployed  # also sets Django up
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessments.maturity.sections import questionnaire_sections  # noqa: E402
from assessments.maturity.versions import load_catalogue_version  # noqa: E402
from assessments.models import Answer, Team  # noqa: E402
from assessments.services.assessments import assessment_start  # noqa: E402

GOAL_RATIO = 5
WARMUP = 3
TEAM = "fraud-detection"
TRIVIAL = "trivial view (/health/)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--profile", metavar="SECTION", help="profile one page with pyinstrument")
    args = parser.parse_args()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    team = Team.objects.get(slug=TEAM)
    member = team.memberships.get(user__username=f"{TEAM}-member").user
    draft = assessment_start(team=team, user=member)
    catalogue = load_catalogue_version(draft.catalogue_version)
    sections = questionnaire_sections(catalogue)
    answers = Answer.objects.filter(assessment=draft)
    print(
        f"draft {draft.pk} of {team.name}: {answers.count()} answers, "
        f"{answers.filter(carried_over_from__isnull=False).count()} carried over; "
        f"{len(sections)} pages, {len(catalogue.questions)} questions"
    )

    serve_as_deployed()
    client = Client()
    client.force_login(member)
    question = next(
        q for q in catalogue.graded_questions if "unknown" in {o.key for o in q.options}
    )
    autosave = _Autosave(client, draft.pk, question.key)

    pages = {TRIVIAL: "/health/"}
    pages |= {f"page {s.key}": f"/assessments/{draft.pk}/questions/{s.key}/" for s in sections}

    if args.profile:
        return _profile(client, pages[f"page {args.profile}"], autosave)

    for url in pages.values():
        for _ in range(WARMUP):
            _get(client, url)
    for _ in range(WARMUP):
        autosave()
    timings: dict[str, list[float]] = {name: [] for name in [*pages, "autosave"]}
    cpu: dict[str, list[float]] = {name: [] for name in timings}
    for _ in range(args.requests):
        # Interleaved, so every page sees the same state of the machine.
        for name, url in pages.items():
            started = time.process_time()
            timings[name].append(_get(client, url))
            cpu[name].append(time.process_time() - started)
        started = time.process_time()
        timings["autosave"].append(autosave())
        cpu["autosave"].append(time.process_time() - started)

    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    base = medians[TRIVIAL]
    print(
        f"\nmedian server time of {args.requests} requests each "
        f"(goal: each page within {GOAL_RATIO}x the trivial view):"
    )
    worst = 0.0
    for name, value in medians.items():
        if name == "autosave":
            with CaptureQueriesContext(connection) as queries:
                autosave()
        else:
            with CaptureQueriesContext(connection) as queries:
                client.get(pages[name])
        ratio = value / base
        verdict = ""
        if name.startswith("page "):
            worst = max(worst, ratio)
            verdict = "met" if ratio < GOAL_RATIO else "NOT met"
        print(
            f"  {name:<28} {value:7.1f} ms {ratio:6.1f}x "
            f"{len(queries.captured_queries):3} queries  "
            f"CPU {cpu_medians[name]:5.1f} ms {cpu_medians[name] / cpu_medians[TRIVIAL]:5.1f}x"
            f"  {verdict}"
        )
    verdict = "met" if worst < GOAL_RATIO else "NOT met"
    print(f"\nslowest page: {worst:.1f}x the trivial view: goal {verdict}")
    slowest_cpu = max(v for k, v in cpu_medians.items() if k.startswith("page "))
    print(f"slowest page in CPU time: {slowest_cpu / cpu_medians[TRIVIAL]:.1f}x the trivial view")
    return 0


class _Autosave:
    """One answer saved as questionnaire.js saves it, with the version the server returned."""

    def __init__(self, client: Client, assessment_id: int, question_key: str):
        self.client = client
        self.url = f"/assessments/{assessment_id}/answers/{question_key}/"
        self.version = (
            Answer.objects.filter(assessment_id=assessment_id, question_key=question_key)
            .values_list("version", flat=True)
            .first()
            or 0
        )
        self.count = 0

    def __call__(self) -> float:
        self.count += 1
        body = {"option": "unknown", "note": f"n{self.count}", "version": self.version}
        started = time.perf_counter()
        response = self.client.post(self.url, body)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"autosave answered {response.status_code}: {response.content!r}")
        self.version = response.json()["version"]
        return elapsed


def _profile(client: Client, url: str, autosave: _Autosave) -> int:
    from pyinstrument import Profiler

    for _ in range(WARMUP):
        _get(client, url)
        autosave()
    for label, run in ((url, lambda: _get(client, url)), ("autosave", autosave)):
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(20):
            run()
        profiler.stop()
        print(f"\n=== {label} (20 requests)")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
