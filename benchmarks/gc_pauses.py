"""Full garbage collections during dashboard requests, with and without the process's startup
objects frozen (mlmaturity/wsgi.py calls gc.freeze() once every view is loaded).

A full pass of CPython's collector scans every tracked object, and a Django process with plotly
and the catalogue loaded holds a hundred thousand or more of them for its whole life: each full
pass then holds the request that set it off for tens of milliseconds. Freezing them after
startup leaves them out of every pass.

Requests the organisation overview with its cache emptied (as benchmarks/dashboard_overview.py
does, on the same synthetic organisation) `--requests` times, first as the process is after
loading, then after gc.freeze(), in the same run, and prints for each phase the median, p95
and slowest request and the full collections with their pauses.

Run: DATABASE_URL=postgres://... .venv/bin/python benchmarks/gc_pauses.py
     [--teams 500] [--months 24] [--requests 120]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time

from dashboard_overview import _get, serve_as_deployed  # also sets Django up
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from assessments.demo import synthetic_organization_load  # noqa: E402

WARMUP = 5


class _FullPasses:
    """The duration of each full collection (generation 2) while it is installed."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


def _phase(client: Client, requests: int) -> tuple[list[float], list[float]]:
    passes = _FullPasses()
    gc.callbacks.append(passes)
    timings = []
    try:
        for _ in range(requests):
            cache.clear()
            timings.append(_get(client, "/dashboard/") * 1000)
    finally:
        gc.callbacks.remove(passes)
    return sorted(timings), passes.pauses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=120)
    args = parser.parse_args()

    summary = synthetic_organization_load(teams=args.teams, months=args.months)
    serve_as_deployed()
    client = Client()
    client.force_login(get_user_model().objects.get(username=summary.admin_username))
    for _ in range(WARMUP):
        cache.clear()
        _get(client, "/dashboard/")

    print(f"overview of {args.teams} teams x {args.months} months, cache emptied each time:")
    for label in ("as loaded", "startup objects frozen"):
        if label != "as loaded":
            gc.collect()
            gc.freeze()
        timings, pauses = _phase(client, args.requests)
        p95 = timings[int(len(timings) * 0.95) - 1]
        paused = f"{statistics.mean(pauses):.1f} ms each" if pauses else "none"
        median = statistics.median(timings)
        print(
            f"  {label:<24} {gc.get_freeze_count():7} frozen  median {median:6.1f}"
            f"  p95 {p95:6.1f}  slowest {timings[-1]:6.1f} ms  full collections: "
            f"{len(pauses)} ({paused})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
