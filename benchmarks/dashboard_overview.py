"""Server time of the organisation overview at 500 teams x 24 months, against a trivial view.

Builds (or reuses) the synthetic organisation `synthetic-<teams>x<months>` of
`load_demo --teams N --months M` on the database in DATABASE_URL, then requests the overview
(/dashboard/) through Django's test client as the organisation's admin, interleaved with the
trivial view /health/ (one `SELECT 1`), so both are measured in the same run on the same
connection. It prints the median server time of each and their ratio, and the median CPU
time this process spent on it (Django's side of the request; the rest of the server time is
the database's and waiting, which on a shared machine includes waiting for a core), twice:

* cached: the overview as people see it most of the time, its charts and tables served from
  the cache because the data did not change since the previous view (the key is still
  computed on every request: visible teams and a data fingerprint, see dashboards/cache.py);
* computed: the cache emptied before every request, so every query and the rendering run,
  as for the first view after a submission.

Goals for the pages computed (cache emptied): within 20x the trivial view at 500 teams x 24
months; under 300 ms at 5,000 teams x 12 months.

The test client runs the whole Django stack (middleware, session and user lookups, view,
template) without a network socket, with DEBUG off, so queries are not logged, and without the
test environment's instrumentation of templates (`serve_as_deployed`).
The cache is the one configured (in-process memory without REDIS_URL). Build a database first:

    psql -h 127.0.0.1 -U postgres -c 'create database mlmaturity_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mlmaturity_bench
    .venv/bin/python manage.py migrate

Run: .venv/bin/python benchmarks/dashboard_overview.py [--teams 500] [--months 24]
     [--requests 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")

import django  # noqa: E402 - the path and settings are set just above

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessments.demo import synthetic_organization_load  # noqa: E402
from assessments.models import Result, ResultCapability, Team  # noqa: E402

GOAL_MS = 300  # at 5,000 teams and more
GOAL_RATIO = 20  # below that size, against the trivial view
LARGE_TEAMS = 5000
WARMUP = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=15, help="timed requests per view")
    args = parser.parse_args()

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print(
            "The database has unapplied migrations: run `manage.py migrate` with the same "
            "DATABASE_URL first.",
            file=sys.stderr,
        )
        return 2

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    summary = synthetic_organization_load(teams=args.teams, months=args.months)
    built = time.perf_counter() - started
    organization = summary.organization
    teams = Team.objects.filter(organization=organization).count()
    results = Result.objects.filter(assessment__team__organization=organization).count()
    capabilities = ResultCapability.objects.filter(
        result__assessment__team__organization=organization
    ).count()
    verb = "built" if summary.created else "reused"
    print(
        f"organisation {organization.slug}: {teams} teams, {results} results, "
        f"{capabilities} capability rows ({verb} in {built:.1f} s)"
    )

    if connection.vendor == "postgresql":
        # Statistics and visibility maps as autovacuum keeps them in service: the pages must not
        # depend on them, but the figures compare best against a database that has seen its data.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print("tables vacuumed and analysed (VACUUM ANALYZE) after loading")

    serve_as_deployed()
    client = Client()
    client.force_login(get_user_model().objects.get(username=summary.admin_username))

    compared = Team.objects.filter(organization=organization).order_by("slug")[:6]
    compared = list(compared.values_list("slug", flat=True))
    overview = "/dashboard/"
    trivial = "/health/"
    pages = {
        "overview, cached": overview,
        "overview, computed": overview,
        "trivial view (/health/)": trivial,
        "overview with dimension and level filters, computed": "/dashboard/?dimension=cicd&level=0",
        "overview sorted by change, page 3, computed": "/dashboard/?sort=delta&page=3",
        "organisation debt statement, computed": "/dashboard/debt/",
        "six teams compared, computed": "/dashboard/compare/?"
        + "&".join(f"team={slug}" for slug in compared),
    }
    for url in set(pages.values()):
        for _ in range(WARMUP):
            _get(client, url)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.requests):
        # Interleaved, so every page sees the same state of the machine.
        for name, url in pages.items():
            if "computed" in name:
                cache.clear()
            else:
                client.get(url)  # untimed: the pages before emptied the cache
            started = time.process_time()
            timings[name].append(_get(client, url))
            cpu[name].append(time.process_time() - started)

    cache.clear()
    with CaptureQueriesContext(connection) as computed_queries:
        size = len(client.get(overview).content)
    with CaptureQueriesContext(connection) as cached_queries:
        client.get(overview)
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    base = medians["trivial view (/health/)"]
    # The goals differ by size: at 500 teams within 20x the trivial view, at 5,000 under 300 ms.
    large = args.teams >= LARGE_TEAMS
    goal = f"under {GOAL_MS} ms" if large else f"within {GOAL_RATIO}x the trivial view"
    print(f"\nmedian server time of {args.requests} requests each (goal when computed: {goal}):")
    for name, value in medians.items():
        ratio = value / base
        verdict = ""
        if "computed" in name:
            met = value < GOAL_MS if large else ratio < GOAL_RATIO
            verdict = "met" if met else "NOT met"
        print(
            f"  {name:<52} {value:8.1f} ms {ratio:7.1f}x  {verdict:<8}"
            f"CPU {cpu_medians[name]:6.1f} ms"
        )
    print(f"\noverview: {size / 1024:.0f} KiB of HTML")
    for mode, queries in (("cached", cached_queries), ("computed", computed_queries)):
        print(f"  {mode:<9} {len(queries.captured_queries):2} queries")
    return 0


def serve_as_deployed() -> None:
    """Let the test client's requests be answered with DEBUG off and the client's host allowed,
    without the test environment's instrumentation of template rendering (a signal and a copy
    of each template's context, kept for tests' assertions), which no server runs and which
    only the pages that render templates pay. Other settings stay as the environment made them
    (in development: files served as they are, no HTTPS redirect)."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
