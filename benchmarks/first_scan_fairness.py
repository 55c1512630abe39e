"""How long a small organisation's imported repositories wait for their first scans while a big
organisation's import is queued, and how long the big import takes, under three release
policies side by side on the same virtual clock: the fair share of the scan slots in force
(services.first_scans.fair_share_order, SCAN_WORKER_SLOTS = the workers), the fixed
per-organisation cap it replaced (2 in flight per organisation), and no cap at all; against
baselines measured in the same run: each organisation importing alone with every worker.

Both organisations import through the real code (the local HTTPS fake forge of
tests/fakeforge.py, `forge_preview`, `forge_import_start`), and the first scans are released by
the real `first_scans_release`, claimed by `scan_claim`, each ending release the next as the
`run_scan` task does, and beat's release runs every minute. What is simulated is the broker and
the workers, on a virtual clock: a FIFO queue (a Redis list) and `--workers` workers, each scan
taking a fixed pseudo-random 10 to 70 virtual seconds by repository (the same in every
scenario). No git clone runs, so the figures are about queueing order, not scanner speed, and
they do not depend on the machine's load.

The big organisation's import runs at t=0; the small one's at t=--small-after seconds, while
the big one's first scans are queued. The data lives in a throwaway database
(`bench_first_scan_fairness_<pid>` on PostgreSQL, in memory on SQLite).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mlmaturity \\
     .venv/bin/python benchmarks/first_scan_fairness.py [--big 2000] [--small 200] [--workers 2,4]
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import os
import statistics
import sys
import time
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlmaturity.settings")

import django  # noqa: E402 - the path and settings module are set just above

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from mlmaturity.celery import app as celery_app  # noqa: E402
from tests.fakeforge import FakeForge, ForgeState, repos  # noqa: E402

NO_CAP = 10**9
BEAT_SECONDS = 60.0


def scan_seconds(url: str) -> float:
    """A repository's scan time, 10 to 70 virtual seconds, the same in every scenario."""
    digest = hashlib.sha256(url.encode()).digest()
    return 10.0 + digest[0] / 255 * 60.0


@dataclass
class Outcome:
    label: str
    small_waits: list[float]
    small_done_at: float | None
    big_done_at: float | None
    wall_seconds: float

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.small_waits)
        return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


class Simulation:
    """The broker and the workers, on a virtual clock; everything else is the real code."""

    def __init__(self, workers: int):
        self.workers = workers
        self.broker: deque[int] = deque()
        self.now = 0.0

    def dispatch(self, scan_id: int) -> None:
        self.broker.append(scan_id)

    def run(self, imports: list[tuple[float, object]]) -> dict[int, tuple[int, float, float]]:
        """Run `imports` (when, a function that runs one) and every scan they lead to; returns
        each scan's organisation, start and end time."""
        from assessments.models import Scan, ScanStatus
        from assessments.services.first_scans import first_scans_release
        from assessments.services.scans import scan_claim

        pending_imports = sorted(imports, key=lambda item: item[0])
        running: list[tuple[float, int, int]] = []  # (ends at, scan id, organisation id)
        times: dict[int, tuple[int, float, float]] = {}
        next_beat = BEAT_SECONDS
        while pending_imports or running or self.broker:
            while pending_imports and pending_imports[0][0] <= self.now:
                pending_imports.pop(0)[1]()
            while self.broker and len(running) < self.workers:
                scan = scan_claim(scan_id=self.broker.popleft())
                if scan is None:
                    continue
                organization_id = scan.repository.team.organization_id
                ends = self.now + scan_seconds(scan.repository.url)
                heapq.heappush(running, (ends, scan.pk, organization_id))
                times[scan.pk] = (organization_id, self.now, ends)
            candidates = [next_beat]
            if running:
                candidates.append(running[0][0])
            if pending_imports:
                candidates.append(pending_imports[0][0])
            self.now = min(candidates)
            if self.now == next_beat:
                first_scans_release()  # beat's periodic catch-up
                next_beat += BEAT_SECONDS
            while running and running[0][0] <= self.now:
                _, scan_id, organization_id = heapq.heappop(running)
                Scan.objects.filter(pk=scan_id).update(
                    status=ScanStatus.SUCCEEDED, finished_at=timezone.now()
                )
                # As tasks.run_scan does when a scan ends.
                first_scans_release()
        return times


def organization_with_admin(slug: str):
    from assessments.models import Membership, Organization, Role, Team

    organization = Organization.objects.create(name=slug, slug=slug)
    admin = get_user_model().objects.create_user(username=f"{slug}-admin")
    Membership.objects.create(user=admin, organization=organization, role=Role.ORG_ADMIN)
    Team.objects.create(organization=organization, name=f"{slug} ML", slug=f"{slug}-ml")
    return organization, admin


def import_runner(forge, organization, admin, slug: str):
    """A function that previews and runs the import of `forge`'s repositories into the
    organisation's team, as an org admin does from the pages."""
    from assessments.services.forges import forge_connect, forge_import_start, forge_preview

    connection_ = forge_connect(
        organization=organization,
        user=admin,
        kind="github",
        owner=forge.state.owner,
        token="ghp_bench",
        api_url=forge.api_url,
    )

    def run() -> None:
        preview = forge_preview(connection=connection_, user=admin, rules=f"name:* = {slug}-ml")
        forge_import_start(forge_import=preview, user=admin)  # runs in-process (eager)

    return run


def capped(cap: int):
    """The fixed cap this policy replaced: each organisation with repositories waiting may have
    `cap` scans queued or running, whatever the workers' number."""

    def order(slots, in_flight, waiting):
        return [
            org
            for org, count in sorted(waiting.items())
            for _ in range(max(0, min(cap - in_flight.get(org, 0), count)))
        ]

    return order


def scenario(label, *, forges, policy, workers, small_after, with_small, with_big, counter):
    from assessments.services import first_scans, scans

    first_scans.release_policy = policy
    settings.SCAN_WORKER_SLOTS = workers
    simulation = Simulation(workers)
    scans._dispatch = simulation.dispatch
    counter[0] += 1
    imports = []
    small = big = None
    if with_small:
        small_slug = f"small{counter[0]}"
        small, small_admin = organization_with_admin(small_slug)
        imports.append(
            (small_after, import_runner(forges["small"], small, small_admin, small_slug))
        )
    if with_big:
        big_slug = f"big{counter[0]}"
        big, big_admin = organization_with_admin(big_slug)
        imports.append((0.0, import_runner(forges["big"], big, big_admin, big_slug)))
    start = time.perf_counter()
    times = simulation.run(imports)
    wall = time.perf_counter() - start
    small_waits: list[float] = []
    small_done = big_done = None
    if small is not None:
        small_waits = [
            started - small_after for org, started, _ in times.values() if org == small.pk
        ]
        small_done = max(ends for org, _, ends in times.values() if org == small.pk) - small_after
    if big is not None:
        big_done = max(ends for org, _, ends in times.values() if org == big.pk)
    return Outcome(label, small_waits, small_done, big_done, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=2000, help="the big organisation's repos")
    parser.add_argument("--small", type=int, default=200, help="the small organisation's repos")
    parser.add_argument(
        "--workers",
        default="2,4",
        help="scan workers, one table each, comma-separated (docker-compose runs 2)",
    )
    parser.add_argument("--cap", type=int, default=2, help="the fixed cap compared")
    parser.add_argument(
        "--small-after",
        type=float,
        default=60.0,
        help="virtual seconds between the big import and the small one",
    )
    args = parser.parse_args()
    worker_counts = [int(count) for count in args.workers.split(",")]

    from assessments.services.first_scans import fair_share_order

    policies = [
        ("fair share", fair_share_order),
        (f"cap {args.cap}", capped(args.cap)),
        ("no cap", capped(NO_CAP)),
    ]
    celery_app.conf.task_always_eager = True  # the import's own task runs in-process
    setup_test_environment(debug=False)
    if connection.vendor != "sqlite":
        # Not test_<name>: a test run on the same database would lose its own.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            f"bench_first_scan_fairness_{os.getpid()}"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    big_state = ForgeState(kind="github", owner="initech", repos=repos(args.big))
    small_state = ForgeState(kind="github", owner="smallco", repos=repos(args.small))
    counter = [0]
    tables: dict[int, list[tuple[str, Outcome, Outcome, Outcome]]] = {}
    try:
        with FakeForge(big_state) as big_forge, FakeForge(small_state) as small_forge:
            settings.FORGE_ALLOW_LOOPBACK = True
            # Both fake forges' CAs: one bundle file holding the two certificates.
            bundle = Path(big_forge.ca_path).with_name("both.pem")
            bundle.write_text(
                Path(big_forge.ca_path).read_text() + Path(small_forge.ca_path).read_text()
            )
            settings.FORGE_CA_BUNDLE = str(bundle)
            forges = {"big": big_forge, "small": small_forge}
            for workers in worker_counts:
                common = {
                    "forges": forges,
                    "workers": workers,
                    "small_after": args.small_after,
                    "counter": counter,
                }
                rows = tables.setdefault(workers, [])
                for name, policy in policies:
                    small_alone = scenario(
                        f"small alone, {name}",
                        policy=policy,
                        with_small=True,
                        with_big=False,
                        **common,
                    )
                    big_alone = scenario(
                        f"big alone, {name}",
                        policy=policy,
                        with_small=False,
                        with_big=True,
                        **common,
                    )
                    both = scenario(
                        f"small + big, {name}",
                        policy=policy,
                        with_small=True,
                        with_big=True,
                        **common,
                    )
                    rows.append((name, small_alone, big_alone, both))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(
        f"First scans of a small organisation's {args.small} imported repositories while a big "
        f"one's {args.big} are queued (scans of 10-70 virtual s, the small import "
        f"{args.small_after:.0f} s after the big one; {connection.vendor})"
    )
    for workers, rows in tables.items():
        by_name = {name: (small, big, both) for name, small, big, both in rows}
        # The baselines: each organisation alone with every worker and nothing else queued.
        small_base = by_name["no cap"][0].small_done_at
        big_base = by_name["no cap"][1].big_done_at
        print()
        print(
            f"{workers} workers; baselines in this run: small alone {small_base / 60:.1f} min, "
            f"big alone {big_base / 3600:.2f} h (no cap, every worker)"
        )
        print(
            f"{'scenario':26} {'small median wait':>18} {'p95 wait':>9} {'small done':>11} "
            f"{'x base':>7} {'big done':>9} {'x base':>7}"
        )
        for _name, small_alone, big_alone, both in rows:
            for outcome in (small_alone, big_alone, both):
                if outcome.small_waits:
                    small = (
                        f"{statistics.median(outcome.small_waits) / 60:15.1f}min "
                        f"{outcome.percentile(0.95) / 60:6.1f}min "
                        f"{outcome.small_done_at / 60:8.1f}min "
                        f"{outcome.small_done_at / small_base:6.2f}x"
                    )
                else:
                    small = f"{'-':>18} {'-':>9} {'-':>11} {'-':>7}"
                if outcome.big_done_at is not None:
                    big = (
                        f"{outcome.big_done_at / 3600:8.2f}h {outcome.big_done_at / big_base:6.2f}x"
                    )
                else:
                    big = f"{'-':>9} {'-':>7}"
                print(f"{outcome.label:26} {small} {big}")
    print()
    print(
        "x base: the time until the organisation's last first scan is done, against the same "
        "organisation alone with every worker (no cap), in the same run; waits are from the "
        "small import to each scan's start."
    )
    walls = [o.wall_seconds for rows in tables.values() for row in rows for o in row[1:]]
    print(
        f"Wall time of the {len(walls)} simulated scenarios (real services on the database): "
        f"{sum(walls):.0f} s in all, the longest {max(walls):.0f} s"
    )


if __name__ == "__main__":
    main()
