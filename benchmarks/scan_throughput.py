"""Scan throughput: N small repositories scanned by one worker process, then by two.

Builds N small git repositories (the scanner tests' archetypes, one commit each) in a temporary
folder, connects them to one team of a fresh organisation on the PostgreSQL database in
DATABASE_URL, and then, for each worker size K (1, then 2):

- starts a real `celery -A mlmaturity worker --concurrency=K` on the Redis at REDIS_URL,
  consuming a queue of its own (tests/worker.py, as the worker tests do);
- queues one scan per repository through the scan service (`scan_enqueue`), as a webhook or the
  schedule does;
- waits until every scan is final (succeeded, unchanged or failed) and takes the wall time from
  the first enqueue to the last scan finished.

Every round does the same work: the previous round's scans are deleted first, so each scan is a
repository's first (succeeded, findings stored), never "unchanged". The team has no submitted
assessment, so what is measured is the scan itself, not the result recomputed after it.

It prints repositories per second for each K and the ratio of two to one (goal: close to 2x).
A second process can only add what the machine has spare: the core count and load average are
printed first, and each round says how many cores the whole machine kept busy meanwhile (the
workers, git, PostgreSQL, Redis, this script and anyone else). `--rounds R` measures every
size R times, alternating, and compares medians.

The database is created when missing and migrated (`manage.py migrate`); the organisation, the
worker, its queue and the task results are removed at the end, the repositories too.

    .venv/bin/python benchmarks/scan_throughput.py                # 200 repositories
    .venv/bin/python benchmarks/scan_throughput.py --repos 20
    .venv/bin/python benchmarks/scan_throughput.py --rounds 3 --concurrency 1 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python \\
        benchmarks/scan_throughput.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mlmaturity_bench_scan"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FINAL = ("succeeded", "unchanged", "failed")
ROUND_TIMEOUT_SECONDS = 1800
POLL_SECONDS = 0.1


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200, help="repositories to scan per round")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker process counts to measure, in order (default: 1 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every worker size this many times, alternating; medians are compared",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    return parser.parse_args(argv)


def database_prepare(database_url: str) -> None:
    """Create the PostgreSQL database when it is missing, then apply the migrations."""
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )


def repositories_build(root: Path, count: int) -> list[Path]:
    """`count` small repositories, cycling through the archetypes, one commit each."""
    from tests.scanning import archetypes
    from tests.scanning.gitrepo import make_repo

    kinds = [
        archetypes.NOTEBOOK_ONLY,
        archetypes.TRAINING_SCRIPTS,
        archetypes.DVC_PIPELINE,
        archetypes.ORCHESTRATED,
        archetypes.LEVEL_TWO,
        archetypes.DOCS_ONLY,
        archetypes.UNUSUAL_CI,
    ]
    paths = []
    for index in range(count):
        files = {**kinds[index % len(kinds)], "NOTES.md": f"Repository {index}.\n"}
        paths.append(make_repo(root / f"repo-{index:04d}", files))
    return paths


def organization_create(paths: list[Path]):
    """A fresh organisation, one team and its lead, and one Repository row per path."""
    from django.contrib.auth import get_user_model

    from assessments.models import Membership, Organization, Repository, Role, Team
    from assessments.services.encryption import encrypt

    tag = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(name=f"Scan benchmark {tag}", slug=f"bench-{tag}")
    team = Team.objects.create(organization=organization, name="Platform", slug=f"platform-{tag}")
    lead = get_user_model().objects.create_user(username=f"bench-lead-{tag}")
    Membership.objects.create(user=lead, team=team, organization=organization, role=Role.LEAD)
    # Rows made directly: connecting through the service would queue a first scan for each.
    empty_token = encrypt("")
    Repository.objects.bulk_create(
        Repository(
            team=team,
            url=str(path),
            access_token_encrypted=empty_token,
            webhook_secret_encrypted=encrypt(uuid.uuid4().hex),
            created_by=lead,
        )
        for path in paths
    )
    return organization, lead, team


def scans_run(team, concurrency: int) -> dict:
    """One round: a K-process worker scans every repository of `team` once."""
    from assessments.models import Repository, Scan
    from assessments.services.scans import scan_enqueue
    from tests.worker import running_worker

    Scan.objects.filter(repository__team=team).delete()
    repositories = list(Repository.objects.filter(team=team).order_by("pk"))
    extra_env = {"SCAN_ALLOW_LOCAL_PATHS": "true"}
    queue = None
    try:
        with running_worker(concurrency=concurrency, extra_env=extra_env) as queue:
            cpu_before = _cpu_times()
            started = time.perf_counter()
            scan_ids = [
                scan_enqueue(repository=repository, trigger="benchmark").pk
                for repository in repositories
            ]
            enqueued = time.perf_counter() - started
            pending = Scan.objects.filter(pk__in=scan_ids).exclude(status__in=FINAL)
            while pending.exists():
                if time.perf_counter() - started > ROUND_TIMEOUT_SECONDS:
                    raise RuntimeError(
                        f"{pending.count()} of {len(scan_ids)} scans were not final after "
                        f"{ROUND_TIMEOUT_SECONDS} s."
                    )
                time.sleep(POLL_SECONDS)
            seconds = time.perf_counter() - started
            busy = _cores_busy(cpu_before, _cpu_times())
    finally:
        if queue is not None:
            queue_delete(queue)
    scans = Scan.objects.filter(pk__in=scan_ids)
    failed = list(scans.filter(status="failed").values_list("failure_reason", flat=True)[:3])
    return {
        "concurrency": concurrency,
        "seconds": seconds,
        "enqueued": enqueued,
        "busy": busy,
        "succeeded": scans.filter(status="succeeded").count(),
        "failed": scans.filter(status="failed").count(),
        "failure_examples": failed,
    }


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine from /proc/stat; None elsewhere than Linux."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def _cores_busy(before, after) -> float | None:
    """How many cores the machine kept busy in between, whoever used them."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * os.cpu_count()


def queue_delete(queue: str) -> None:
    """Remove the round's queue and its bindings from Redis once its worker has stopped."""
    from mlmaturity.celery import app

    with app.connection_for_write() as connection:
        # Declared here first, so that this channel knows the bindings it has to remove.
        bound = app.amqp.queues[queue](connection.default_channel)
        bound.declare()
        bound.delete()


def results_forget(task_ids: list[str]) -> None:
    from mlmaturity.celery import app

    for task_id in task_ids:
        app.AsyncResult(task_id).forget()


def _processes(count: int) -> str:
    return f"{count} worker process{'es' if count > 1 else ''}"


def main(argv=None) -> int:
    args = parse_args(argv)
    if urlparse(args.database_url).scheme not in {"postgres", "postgresql"}:
        print("DATABASE_URL must point at PostgreSQL: workers share the database.", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["SCAN_ALLOW_LOCAL_PATHS"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")
    database_prepare(args.database_url)

    import django

    django.setup()
    from celery.signals import after_task_publish

    published: list[str] = []

    def remember(sender=None, headers=None, **kwargs):
        published.append(headers["id"])

    after_task_publish.connect(remember, weak=False)

    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="mlmaturity-scan-throughput-"))
    organization = lead = None
    try:
        started = time.perf_counter()
        paths = repositories_build(workdir, args.repos)
        print(f"repositories: {len(paths)} built in {time.perf_counter() - started:.1f} s")
        organization, lead, team = organization_create(paths)
        seconds = {concurrency: [] for concurrency in args.concurrency}
        for _ in range(args.rounds):
            for concurrency in args.concurrency:
                outcome = scans_run(team, concurrency)
                seconds[concurrency].append(outcome["seconds"])
                rate = args.repos / outcome["seconds"]
                print(
                    f"{_processes(concurrency)}: {outcome['seconds']:.1f} s, {rate:.2f} repos/s "
                    f"(enqueued in {outcome['enqueued']:.2f} s; {outcome['succeeded']} "
                    f"succeeded, {outcome['failed']} failed"
                    + (f"; machine {outcome['busy']:.1f} cores busy)" if outcome["busy"] else ")")
                )
                for reason in outcome["failure_examples"]:
                    print(f"    failed: {reason}")
        median = {concurrency: statistics.median(times) for concurrency, times in seconds.items()}
        if args.rounds > 1:
            for concurrency, value in median.items():
                print(
                    f"median of {args.rounds}, {_processes(concurrency)}: {value:.1f} s, "
                    f"{args.repos / value:.2f} repos/s"
                )
        base = args.concurrency[0]
        for concurrency in args.concurrency[1:]:
            ratio = median[base] / median[concurrency]
            print(
                f"ratio {_processes(concurrency)} / {_processes(base)}: {ratio:.2f}x "
                f"(ideal {concurrency / base:.0f}x)"
            )
    finally:
        if organization is not None:
            organization.delete()
            lead.delete()
        results_forget(published)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
