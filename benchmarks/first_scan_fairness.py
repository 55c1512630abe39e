"""How long a small organisation's imported repositories wait for their first scans while a big
organisation's import is queued, with and without the per-organisation in-flight cap
(SCANS_PER_ORGANISATION_IN_FLIGHT), against a baseline measured in the same run: the small
organisation importing alone.

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
     .venv/bin/python benchmarks/first_scan_fairness.py [--big 2000] [--small 200] [--workers 2]
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
    small_done_at: float
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
                first_scans_release(organization_id=organization_id)
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


def scenario(label, *, forges, cap, workers, small_after, with_big, counter) -> Outcome:
    from assessments.services import scans

    settings.SCANS_PER_ORGANISATION_IN_FLIGHT = cap
    simulation = Simulation(workers)
    scans._dispatch = simulation.dispatch
    counter[0] += 1
    small_slug = f"small{counter[0]}"
    small, small_admin = organization_with_admin(small_slug)
    imports = [
        (small_after, import_runner(forges["small"], small, small_admin, small_slug)),
    ]
    big = None
    if with_big:
        big_slug = f"big{counter[0]}"
        big, big_admin = organization_with_admin(big_slug)
        imports.append((0.0, import_runner(forges["big"], big, big_admin, big_slug)))
    start = time.perf_counter()
    times = simulation.run(imports)
    wall = time.perf_counter() - start
    small_waits = [started - small_after for org, started, _ in times.values() if org == small.pk]
    small_done = max(ends for org, _, ends in times.values() if org == small.pk) - small_after
    big_done = (
        max(ends for org, _, ends in times.values() if org == big.pk) if big is not None else None
    )
    return Outcome(label, small_waits, small_done, big_done, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=2000, help="the big organisation's repos")
    parser.add_argument("--small", type=int, default=200, help="the small organisation's repos")
    parser.add_argument(
        "--workers", type=int, default=2, help="scan workers (docker-compose runs 2)"
    )
    parser.add_argument("--cap", type=int, default=2, help="SCANS_PER_ORGANISATION_IN_FLIGHT")
    parser.add_argument(
        "--small-after",
        type=float,
        default=60.0,
        help="virtual seconds between the big import and the small one",
    )
    args = parser.parse_args()

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
            common = {
                "forges": forges,
                "workers": args.workers,
                "small_after": args.small_after,
                "counter": counter,
            }
            capped = f"cap {args.cap}"
            outcomes = [
                scenario(
                    f"small alone, {capped} (baseline)", cap=args.cap, with_big=False, **common
                ),
                scenario(f"small + big, {capped}", cap=args.cap, with_big=True, **common),
                scenario("small alone, no cap", cap=NO_CAP, with_big=False, **common),
                scenario("small + big, no cap", cap=NO_CAP, with_big=True, **common),
            ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    baseline = outcomes[0]
    print(
        f"First scans of a small organisation's {args.small} imported repositories while a big "
        f"one's {args.big} are queued"
    )
    print(
        f"({args.workers} workers, scans of 10-70 virtual s, small import {args.small_after:.0f} "
        f"s after the big one; {connection.vendor})"
    )
    print()
    header = (
        f"{'scenario':34} {'median wait':>12} {'p95 wait':>10} {'last start':>11} "
        f"{'all 200 done':>13} {'big done':>10} {'x baseline':>11}"
    ).replace("all 200", f"all {args.small}")
    print(header)
    for outcome in outcomes:
        median = statistics.median(outcome.small_waits)
        big = f"{outcome.big_done_at / 3600:9.1f}h" if outcome.big_done_at else f"{'-':>10}"
        ratio = outcome.small_done_at / baseline.small_done_at
        print(
            f"{outcome.label:34} {median / 60:10.1f}min {outcome.percentile(0.95) / 60:8.1f}min "
            f"{max(outcome.small_waits) / 60:9.1f}min {outcome.small_done_at / 60:11.1f}min "
            f"{big} {ratio:10.1f}x"
        )
    print()
    print(
        "x baseline: the time until the small organisation's last first scan is done, against "
        "the small organisation alone with the cap."
    )
    print(
        "Wall time of each simulated scenario (real services on the database): "
        + ", ".join(f"{o.wall_seconds:.1f}s" for o in outcomes)
    )


if __name__ == "__main__":
    main()
