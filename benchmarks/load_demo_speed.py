"""How fast `load_demo --teams N --months M` writes a synthetic organisation.

Issue #17: at 5,000 teams x 12 months (60,000 results, 3.7 million answers, 2.5 million
capability rows) the loader must finish in minutes, not hours.

Builds, on the database in DATABASE_URL, a fresh organisation (its own slug, so nothing is
reused) with the loader's own code (`synthetic_teams_complete`, which `load_demo` runs), then
prints the rows written per table, the seconds, rows per second, and the process's CPU seconds
beside the wall-clock ones: on a shared machine the difference is mostly time spent waiting for
the database server. The load average is printed before and after, because the figures move
with it. The organisation is deleted afterwards unless --keep.

Baseline, in the same run (PostgreSQL): a bare COPY of as many narrow rows (an integer and two
short strings, like an answer) into an unindexed temporary table. The loader's rows per second
over the baseline's says how close it comes to the server's raw write speed at that moment.

Run (migrated database, see dashboard_overview.py):
    .venv/bin/python benchmarks/load_demo_speed.py [--teams 200] [--months 12] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")

import django  # noqa: E402 - the path and settings are set just above

django.setup()

from django.db import connection, models  # noqa: E402

from assessments.demo.synthetic import synthetic_teams_complete  # noqa: E402
from assessments.models import (  # noqa: E402
    Answer,
    Assessment,
    Organization,
    OrganizationMonth,
    Result,
    ResultCapability,
    RoadmapStep,
    Team,
    TeamTag,
)

TABLES: tuple[tuple[str, type[models.Model], str], ...] = (
    ("team", Team, "organization"),
    ("teamtag", TeamTag, "team__organization"),
    ("assessment", Assessment, "team__organization"),
    ("answer", Answer, "assessment__team__organization"),
    ("result", Result, "team__organization"),
    ("resultcapability", ResultCapability, "result__team__organization"),
    ("roadmapstep", RoadmapStep, "team__organization"),
    ("organizationmonth", OrganizationMonth, "organization"),
)


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def bare_copy_rows_per_second(rows: int) -> float | None:
    """Rows per second of a bare COPY into a temporary table, or None off PostgreSQL."""
    if connection.vendor != "postgresql" or rows == 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_bare_copy (a bigint, b text, c text)")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_bare_copy (a, b, c) FROM STDIN") as copy:
            for n in range(rows):
                copy.write_row((n // 60, f"question_{n % 60}", "partly"))
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_bare_copy")
    return rows / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the organisation afterwards")
    args = parser.parse_args()

    slug = f"bench-load-{args.teams}x{args.months}-{int(time.time())}"
    organization = Organization.objects.create(slug=slug, name=f"Loader benchmark {slug}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; organisation {slug}")
    print(f"load average before: {load_average()} ({os.cpu_count()} cores)")
    cpu_started = time.process_time()
    started = time.perf_counter()
    synthetic_teams_complete(organization=organization, teams=args.teams, months=args.months)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(f"load average after:  {load_average()}")

    total = 0
    print(f"{'table':<20}{'rows':>12}{'rows/s':>12}")
    for name, model, path in TABLES:
        rows = model._default_manager.filter(**{path: organization}).count()
        total += rows
        print(f"{name:<20}{rows:>12,}{rows / seconds:>12,.0f}")
    print(f"{'all':<20}{total:>12,}{total / seconds:>12,.0f}")
    print(
        f"{args.teams} teams x {args.months} months in {seconds:.1f} s "
        f"(this process's CPU: {cpu_seconds:.1f} s, {cpu_seconds / seconds:.0%} of the time)"
    )
    baseline = bare_copy_rows_per_second(total)
    if baseline is not None:
        print(
            f"baseline: a bare COPY of {total:,} narrow rows, {baseline:,.0f} rows/s; "
            f"the loader writes at {total / seconds / baseline:.2f}x that "
            f"(load average {load_average()})"
        )
    if not args.keep:
        started = time.perf_counter()
        organization.delete()
        print(f"organisation deleted in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
