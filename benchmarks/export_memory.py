"""Stream the results export for a small and a large organisation; print rows per second and
peak memory of each, next to PostgreSQL's `COPY ... TO STDOUT` of the same rows.

The export must stay flat in memory however many rows it streams (goal: under 150 MB for
500 teams x 24 assessments x every capability) and reach at least 0.3x the rate of COPY, the
fastest way PostgreSQL can hand out the same rows.

The data lives in a throwaway test database (`test_<name>` on PostgreSQL, in memory on
SQLite), created, filled with bulk inserts and dropped by the script. Results are minimal
(headline fields plus one row per capability): the export reads nothing else. Each export goes
through the whole stack (middleware, token authentication, tenancy as an org admin, the view)
and its body is consumed chunk by chunk, as a client would.

Peak memory is measured twice: the process's peak resident set (VmHWM, reset before each export
through /proc/self/clear_refs on Linux) and, in a second pass, the peak of Python allocations
during the export (tracemalloc, which slows the code down, so it is not timed).

With `--checks`, both organisations have their own checks (a question and two rules), every
team a repository whose scan applied them and every assessment an answer, so the export reads
each result's organisation checks too (a few queries per team).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mlmaturity \\
     .venv/bin/python benchmarks/export_memory.py [--teams 500] [--assessments 24] [--checks]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")

import django  # noqa: E402 - the path and settings module are set just above

django.setup()
# collectstatic has not run; the export serves no static files.
warnings.filterwarnings("ignore", message="No directory at")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SEED = 20261126
INSERT_BATCH = 5_000
MB = 1024 * 1024


def generate(organization_slug: str, teams: int, assessments: int) -> tuple[object, int]:
    """An organisation of `teams` teams with `assessments` submitted results each; returns its
    admin and the number of export rows."""
    from assessments import maturity
    from assessments.models import (
        Assessment,
        AssessmentStatus,
        Membership,
        Organization,
        Result,
        ResultCapability,
        Role,
        Team,
    )

    rng = random.Random(f"{SEED}-{organization_slug}")
    capabilities = maturity.load_catalogue().capabilities
    organization = Organization.objects.create(name=organization_slug, slug=organization_slug)
    admin = get_user_model().objects.create_user(username=f"{organization_slug}-admin")
    Membership.objects.create(user=admin, organization=organization, role=Role.ORG_ADMIN)
    start = timezone.now() - timedelta(days=30 * assessments)
    rows = 0
    for first in range(0, teams, 25):
        batch = Team.objects.bulk_create(
            Team(organization=organization, name=f"Team {i:05d}", slug=f"{organization_slug}-{i}")
            for i in range(first, min(first + 25, teams))
        )
        submitted = Assessment.objects.bulk_create(
            Assessment(
                team=team,
                catalogue_version="bench",
                status=AssessmentStatus.SUBMITTED,
                submitted_at=start + timedelta(days=30 * month, minutes=rng.randint(0, 999)),
            )
            for team in batch
            for month in range(assessments)
        )
        results = Result.objects.bulk_create(
            Result(
                assessment=assessment,
                catalogue_version="bench",
                overall_level=rng.choice((0, 0, 1, 1, 2)),
                index=round(rng.uniform(0, 100), 1),
                target_level=rng.choice((1, 2)),
                weakest_dimension="data",
                ml_test_score=round(rng.uniform(0, 12), 1),
                snapshot={},
                computed_at=assessment.submitted_at,
            )
            for assessment in submitted
        )
        pending = []
        for result in results:
            for capability in capabilities:
                grade = rng.choice((0.0, 0.5, 1.0, None))
                pending.append(
                    ResultCapability(
                        result=result,
                        capability_key=capability.key,
                        dimension_key=capability.dimension,
                        required_level=capability.level,
                        grade=grade,
                        source=rng.choice(("answer", "evidence", "both")),
                        met=grade == 1.0,
                    )
                )
            if len(pending) >= INSERT_BATCH:
                ResultCapability.objects.bulk_create(pending)
                rows += len(pending)
                pending = []
        ResultCapability.objects.bulk_create(pending)
        rows += len(pending)
    return admin, rows


CHECKS_YAML = """\
counts_towards_levels: true
checks:
  - key: review
    title: Reviewed
    dimension: governance
    level: 1
    question: Does the team review every model incident?
  - {key: readme, title: README, dimension: governance, level: 0, rule: {file_exists: README.md}}
  - key: registry
    title: Registry
    dimension: data
    level: 2
    rule: {dependency_present: acme-registry}
"""


def add_checks(organization_slug: str) -> None:
    """The organisation's checks, a scanned repository per team and an answer per assessment."""
    from assessments.models import (
        Assessment,
        CheckAnswer,
        Organization,
        Repository,
        RepositoryCheckOutcome,
        Scan,
        Team,
    )
    from assessments.services.custom_checks import check_set_import

    rng = random.Random(f"{SEED}-{organization_slug}-checks")
    organization = Organization.objects.get(slug=organization_slug)
    version, _ = check_set_import(organization=organization, yaml_text=CHECKS_YAML, actor=None)
    teams = list(Team.objects.filter(organization=organization))
    repositories = Repository.objects.bulk_create(
        Repository(team=team, url=f"https://example.com/{team.slug}.git") for team in teams
    )
    scans = Scan.objects.bulk_create(
        Scan(repository=r, status="succeeded", commit="a" * 40, finished_at=timezone.now())
        for r in repositories
    )
    RepositoryCheckOutcome.objects.bulk_create(
        RepositoryCheckOutcome(
            scan=scan, version=version, check_key=key, passed=rng.random() < 0.5, reason="read"
        )
        for scan in scans
        for key in ("readme", "registry")
    )
    CheckAnswer.objects.bulk_create(
        (
            CheckAnswer(
                assessment_id=assessment_id,
                check_key="review",
                check_set_version=version,
                option_key=rng.choice(("yes", "partly", "no", "unknown")),
            )
            for assessment_id in Assessment.objects.filter(
                team__organization=organization
            ).values_list("pk", flat=True)
        ),
        batch_size=INSERT_BATCH,
    )


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_mb(field: str) -> float | None:
    """VmRSS (resident now) or VmHWM (peak resident since the last reset), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _stream(client: Client, fmt: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get("/api/v1/export/results/", {"format": fmt})
    assert response.status_code == 200, response.content
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    return size, time.perf_counter() - started


def measure_export(admin, rows: int, fmt: str = "csv") -> dict:
    from assessments.services.tokens import api_token_create

    _, plaintext = api_token_create(user=admin, name="benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Token {plaintext}")
    gc.collect()
    resettable = _reset_peak_rss()
    rss_before = _status_mb("VmRSS")
    size, seconds = _stream(client, fmt)
    peak_rss = _status_mb("VmHWM") if resettable else None
    gc.collect()
    tracemalloc.start()
    _stream(client, fmt)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rate": rows / seconds if seconds else float("inf"),
        "peak_rss_mb": peak_rss,
        "rss_before_mb": rss_before,
        "python_peak_mb": python_peak / MB,
    }


def measure_copy(admin, rows: int) -> dict | None:
    """COPY of the very query the export runs (same joins, filters and order), as CSV."""
    if connection.vendor != "postgresql":
        return None
    from assessments.access import visible_to
    from assessments.api.export import export_rows
    from assessments.models import ResultCapability

    queryset = export_rows(visible_to(ResultCapability.objects.all(), admin), {})
    sql, params = queryset.query.sql_with_params()
    started = time.perf_counter()
    size = 0
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            size += len(block)
    seconds = time.perf_counter() - started
    return {"rows": rows, "bytes": size, "seconds": seconds, "rate": rows / seconds}


def _print_export(label: str, figures: dict) -> None:
    rss = "n/a"
    if figures["peak_rss_mb"] is not None:
        rss = f"{figures['peak_rss_mb']:.0f} MB (from {figures['rss_before_mb']:.0f})"
    print(
        f"{label:<34} {figures['rows']:>9,} rows {figures['bytes'] / MB:>7.1f} MB "
        f"{figures['seconds']:>7.2f} s {figures['rate']:>10,.0f} rows/s   "
        f"peak RSS {rss:>16}   peak Python heap {figures['python_peak_mb']:.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--assessments", type=int, default=24)
    parser.add_argument("--small-teams", type=int, default=5)
    parser.add_argument("--keepdb", action="store_true", help="keep the test database")
    parser.add_argument(
        "--checks", action="store_true", help="give both organisations their own checks"
    )
    args = parser.parse_args()

    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}; generating...", flush=True)
        started = time.perf_counter()
        small_admin, small_rows = generate("small", args.small_teams, args.assessments)
        large_admin, large_rows = generate("large", args.teams, args.assessments)
        if args.checks:
            add_checks("small")
            add_checks("large")
        print(
            f"generated {small_rows + large_rows:,} rows in {time.perf_counter() - started:.0f} s"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        measure_export(small_admin, small_rows)  # warm-up: imports, first connection, caches
        small = measure_export(small_admin, small_rows)
        large = measure_export(large_admin, large_rows)
        large_json = measure_export(large_admin, large_rows, fmt="json")
        copy = measure_copy(large_admin, large_rows)

        print()
        _print_export(f"CSV export, {args.small_teams} teams", small)
        _print_export(f"CSV export, {args.teams} teams", large)
        _print_export(f"JSON export, {args.teams} teams", large_json)
        if copy is None:
            print("COPY ... TO STDOUT: n/a (needs PostgreSQL)")
        else:
            print(
                f"{'COPY ... TO STDOUT (same query)':<34} {copy['rows']:>9,} rows "
                f"{copy['bytes'] / MB:>7.1f} MB {copy['seconds']:>7.2f} s "
                f"{copy['rate']:>10,.0f} rows/s"
            )
            print(
                f"\nCSV export rate / COPY rate: {large['rate'] / copy['rate']:.2f}x (goal >= 0.3x)"
            )
        growth = large["python_peak_mb"] - small["python_peak_mb"]
        print(
            f"Python heap peak, large vs small: {large['python_peak_mb']:.1f} MB vs "
            f"{small['python_peak_mb']:.1f} MB ({growth:+.1f} MB for "
            f"{large_rows / max(small_rows, 1):.0f}x the rows)"
        )
        if large["peak_rss_mb"] is not None:
            print(
                f"Peak RSS during the large CSV export: {large['peak_rss_mb']:.0f} MB (goal < 150)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
