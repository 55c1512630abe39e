"""Import 2,000 repositories of a GitHub organisation from the local HTTPS fake forge
(tests/fakeforge.py) and print the time, the forge API calls, the database queries and the
peak memory of each step, next to a baseline in the same run: fetching the same pages and
nothing else.

Steps: the baseline listing; a preview (listing plus mapping, nothing created); the import's run
(listing again, connecting each mapped repository through `repository_connect`, one audit event
each, their first scans left waiting but two); a re-run that finds every repository connected.
Peak memory is measured in a second organisation's identical import under tracemalloc, which
slows code down and so is not timed. No scan runs: the queued scans' dispatch is a no-op.

The data lives in a throwaway database (`bench_forge_import_<pid>` on PostgreSQL, in memory on
SQLite), created and dropped by the script.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mlmaturity \\
     .venv/bin/python benchmarks/forge_import.py [--repos 2000] [--per-page 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
import warnings
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

from tests.fakeforge import FakeForge, ForgeState, repos  # noqa: E402

MB = 1024 * 1024
TEAMS = ("fraud", "search", "ranking", "platform")


def _organization(slug: str):
    from assessments.models import Membership, Organization, Role, Team

    organization = Organization.objects.create(name=slug, slug=slug)
    admin = get_user_model().objects.create_user(username=f"{slug}-admin")
    Membership.objects.create(user=admin, organization=organization, role=Role.ORG_ADMIN)
    for team in TEAMS:
        Team.objects.create(organization=organization, name=team, slug=f"{slug}-{team}")
    rules = "\n".join(f"topic:{team} = {slug}-{team}" for team in TEAMS[:3])
    rules += f"\nname:* = {slug}-platform"
    return organization, admin, rules


def _timed(label: str, function, rows: list):
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - start
    rows.append((label, seconds, queries[0]))
    return value, seconds


def _peak(function) -> tuple[object, float]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        value = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=100)
    args = parser.parse_args()

    from assessments.models import ForgeImport
    from assessments.scanning.forge_addresses import validate_forge_api_url
    from assessments.scanning.forge_http import PinnedHTTPS
    from assessments.scanning.forge_listing import ForgeLister
    from assessments.selectors.forges import import_progress
    from assessments.services import scans
    from assessments.services.forges import forge_connect, forge_import_start, forge_preview

    def run(forge_import, user):
        # Without a broker the task runs in-process as the start commits, as in the embedded
        # default; with REDIS_URL set it would run on a worker instead.
        forge_import_start(forge_import=forge_import, user=user)
        return ForgeImport.objects.get(pk=forge_import.pk)

    scans._dispatch = lambda scan_id: None  # no scan runs: the clone URLs are not real
    setup_test_environment(debug=False)
    if connection.vendor != "sqlite":
        # Not test_<name>: a test run on the same database would lose its own.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            f"bench_forge_import_{os.getpid()}"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    topic = {0: "fraud", 1: "search", 2: "ranking"}
    state = ForgeState(
        kind="github",
        owner="acme",
        per_page_max=args.per_page,
        repos=repos(
            args.repos, archived_every=20, fork_every=25, topic=lambda n: topic.get(n % 4, "misc")
        ),
        refuse_request=3,  # one secondary rate-limit answer (403, Retry-After: 0) on page 3
        retry_after=0,
    )
    try:
        with FakeForge(state) as forge:
            settings.FORGE_ALLOW_LOOPBACK = True
            settings.FORGE_CA_BUNDLE = forge.ca_path
            rows: list[tuple[str, float, int]] = []
            calls: dict[str, int] = {}

            def fetch_only(record=False):
                api = validate_forge_api_url(forge.api_url, allow_loopback=True)
                transport = PinnedHTTPS(api, ca_bundle=forge.ca_path)
                lister = ForgeLister(
                    kind="github", api=api, owner="acme", token="t", transport=transport
                )
                listed = list(lister.repositories())
                transport.close()
                if record:
                    calls["baseline"] = lister.stats.api_calls
                return listed

            listed, _ = _timed(
                "baseline: fetch the pages only", lambda: fetch_only(record=True), rows
            )
            state.refuse_request = state.requests + 3

            organization, admin, rules = _organization("acme")
            connection_row = forge_connect(
                organization=organization,
                user=admin,
                kind="github",
                owner="acme",
                token="ghp_bench",
                api_url=forge.api_url,
            )
            preview, _ = _timed(
                "preview (list + map, nothing created)",
                lambda: forge_preview(connection=connection_row, user=admin, rules=rules),
                rows,
            )
            calls["preview"] = preview.api_calls
            done, _ = _timed("import run (list + connect each)", lambda: run(preview, admin), rows)
            calls["run"] = done.api_calls - calls["preview"]
            again = forge_preview(connection=connection_row, user=admin, rules=rules)
            again_preview_calls = again.api_calls
            rerun, _ = _timed(
                "re-run (everything already connected)", lambda: run(again, admin), rows
            )
            calls["re-run"] = rerun.api_calls - again_preview_calls

            # Memory: the same steps for a second organisation, under tracemalloc (untimed).
            _, fetch_peak = _peak(fetch_only)
            organization2, admin2, rules2 = _organization("globex")
            connection2 = forge_connect(
                organization=organization2,
                user=admin2,
                kind="github",
                owner="acme",
                token="ghp_bench",
                api_url=forge.api_url,
            )
            preview2, preview_peak = _peak(
                lambda: forge_preview(connection=connection2, user=admin2, rules=rules2)
            )
            _, run_peak = _peak(lambda: run(preview2, admin2))

        progress = import_progress(done)
        where = f"{connection.vendor}, {args.per_page} a page"
        print(f"Forge import of {args.repos} repositories ({where})")
        print(f"listed {len(listed)}; counts after the run: {done.counts}")
        print(f"first scans: {progress}")
        print()
        print(f"{'step':42} {'seconds':>8} {'queries':>8} {'API calls':>10}")
        keys = ["baseline", "preview", "run", "re-run"]
        for (label, seconds, queries), key in zip(rows, keys, strict=True):
            print(f"{label:42} {seconds:8.2f} {queries:8d} {calls[key]:10d}")
        baseline = rows[0][1]
        print()
        print(f"run / baseline: {rows[2][1] / baseline:.1f}x the time of fetching the pages alone")
        per_repository = rows[2][1] / max(done.counts.get("created", 1), 1) * 1000
        print(f"per repository connected: {per_repository:.2f} ms")
        print(
            f"peak Python allocations (tracemalloc): fetch {fetch_peak:.1f} MB, "
            f"preview {preview_peak:.1f} MB, run {run_peak:.1f} MB"
        )
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident set of the whole process: {maxrss:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
