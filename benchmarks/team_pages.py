"""Server time of a team's result, history and team pages in a large organisation, against a
trivial view, before and after the tables' statistics are fresh.

Builds (or reuses) the synthetic organisation of `load_demo --teams N --months M` on the
database in DATABASE_URL, like dashboard_overview.py, then requests the pages of one team as
the organisation's admin through Django's test client, interleaved with /health/ (one
`SELECT 1`). It measures twice: first as the tables are (right after a build, PostgreSQL has
not analysed them yet, which is when a page whose plan depends on statistics goes wrong), then
after `ANALYZE`. It prints each page's median time, its ratio to the trivial view and its
query count.

Goal: each page under 50 ms, with or without fresh statistics.

Run: .venv/bin/python benchmarks/team_pages.py [--teams 500] [--months 24] [--requests 15]
(see dashboard_overview.py for creating the database).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from dashboard_overview import _get, serve_as_deployed  # also sets Django up
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessments.demo import synthetic_organization_load  # noqa: E402
from assessments.models import Assessment, AssessmentStatus, Team  # noqa: E402

GOAL_MS = 50
WARMUP = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()

    started = time.perf_counter()
    summary = synthetic_organization_load(teams=args.teams, months=args.months)
    built = time.perf_counter() - started
    print(
        f"database: {connection.vendor}; organisation {summary.organization.slug} "
        f"{'built' if summary.created else 'reused'} in {built:.1f} s"
    )
    team = Team.objects.filter(organization=summary.organization).order_by("pk").first()
    latest = (
        Assessment.objects.filter(team=team, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    pages = {
        "trivial view (/health/)": "/health/",
        "result": f"/assessments/{latest.pk}/result/",
        "history": f"/teams/{team.slug}/history/",
        "team": f"/teams/{team.slug}/",
    }
    serve_as_deployed()
    client = Client()
    client.force_login(get_user_model().objects.get(username=summary.admin_username))

    _measure(client, pages, args.requests, "statistics as they are")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _measure(client, pages, args.requests, "after ANALYZE")
    return 0


def _measure(client: Client, pages: dict[str, str], requests: int, label: str) -> None:
    for url in pages.values():
        for _ in range(WARMUP):
            _get(client, url)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        for name, url in pages.items():
            timings[name].append(_get(client, url))
    base = statistics.median(timings["trivial view (/health/)"]) * 1000
    print(f"\n{label}: median server time of {requests} requests each")
    for name, url in pages.items():
        value = statistics.median(timings[name]) * 1000
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        met = "" if name.startswith("trivial") else (" met" if value < GOAL_MS else " NOT met")
        print(
            f"  {name:<24} {value:7.1f} ms = {value / base:6.1f}x trivial, "
            f"{len(queries.captured_queries):3} queries{met}"
        )


if __name__ == "__main__":
    sys.exit(main())
