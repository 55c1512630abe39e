"""Bytes a browser transfers for each page, as production serves them, in Debian's Chromium.

Loads the demo data into a throw-away SQLite database, collects the static files as the
Dockerfile does (whitenoise's compressed, hashed storage), and serves the app with gunicorn
with DEBUG off. Chromium then opens every page of the app as a team lead (the dashboards as
the organisation's admin) three times:

* baseline: a first visit that refuses compression (`Accept-Encoding: identity`), i.e. every
  byte as it lies on disk: what the pages cost before this storage;
* first visit: an empty cache, compression on (Chromium asks for brotli and gzip);
* next visit: the same page again in the same browser, as on a reader's second page: static
  files carry hashed names and are cached for a year, so only the page itself travels.

It prints, per page, the requests and kilobytes of each visit, whether plotly.js is loaded, and
the first visit's ratio to the baseline. Bytes are what crossed the wire (body as encoded plus
headers), from Chromium's own accounting.

Run: .venv/bin/python benchmarks/page_weight.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import CHROMIUM, free_port, wait_for  # noqa: E402

PASSWORD = "demo"  # noqa: S105 - the demo users' published password (load_demo prints it)
LEAD = "demand-forecasting-lead"
ADMIN = "demo-admin"


@dataclass
class Visit:
    requests: int = 0
    bytes: int = 0
    plotly: bool = False


def _production_env(database: str, static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DATABASE_URL": database,
        "STATIC_ROOT": static_root,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "page-weight-benchmark-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    return env


def _log_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    return page


def _visit(page, url: str) -> Visit:
    """Open `url` and add up what every request of the page transferred."""
    visit = Visit()
    finished = []

    def record(request):
        finished.append(request)

    page.on("requestfinished", record)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", record)
    for request in finished:
        sizes = request.sizes()
        response = request.response()
        # A file served from the browser's cache crossed no wire.
        if response is None or response.from_service_worker:
            continue
        if response.status == 304 or sizes["responseBodySize"] < 0:
            continue
        visit.requests += 1
        visit.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        visit.plotly = visit.plotly or "plotly" in request.url
    return visit


def _paths(page, base: str) -> dict[str, tuple[str, str]]:
    """Every page of the app, with the demo user who can see it."""
    page.goto(f"{base}/teams/demand-forecasting/history/")
    result = page.locator("table a[href$='/result/']").first.get_attribute("href")
    page.goto(f"{base}/teams/demand-forecasting/")
    repository = page.locator("a[href^='/repositories/']").first.get_attribute("href")
    page.get_by_role("button", name=re.compile("assessment")).click()
    page.wait_for_url(re.compile(r"/assessments/\d+/"))
    draft = re.search(r"/assessments/(\d+)/", page.url).group(1)
    return {
        "home": (LEAD, "/"),
        "team": (LEAD, "/teams/demand-forecasting/"),
        "questionnaire": (LEAD, f"/assessments/{draft}/questions/data/"),
        "summary": (LEAD, f"/assessments/{draft}/summary/"),
        "result": (LEAD, result),
        "history": (LEAD, "/teams/demand-forecasting/history/"),
        "repository": (LEAD, repository),
        "connect": (LEAD, "/teams/demand-forecasting/repositories/connect/"),
        "profile": (LEAD, "/accounts/profile/"),
        "methodology": (LEAD, "/methodology/"),
        "dashboard": (ADMIN, "/dashboard/"),
        "debt": (ADMIN, "/dashboard/debt/"),
        "compare": (ADMIN, "/dashboard/compare/"),
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/weight.sqlite3"
        setup_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        setup_env["DATABASE_URL"] = database
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=setup_env, check=True)
        subprocess.run(
            [*manage, "load_demo"], cwd=ROOT, env=setup_env, check=True, capture_output=True
        )
        env = _production_env(database, f"{tmp}/static")
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "mlmaturity.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{base}/health/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                rows = _measure(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    _print(rows)


def _measure(browser, base: str) -> list[tuple[str, Visit, Visit, Visit]]:
    setup = browser.new_context()
    paths = _paths(_log_in(setup, base, LEAD), base)
    setup.close()
    rows = []
    for name, (user, path) in paths.items():
        plain = browser.new_context(extra_http_headers={"Accept-Encoding": "identity"})
        baseline = _visit(_cold(plain, _log_in(plain, base, user)), base + path)
        plain.close()
        context = browser.new_context()
        page = _cold(context, _log_in(context, base, user))
        first = _visit(page, base + path)
        again = _visit(page, base + path)
        context.close()
        rows.append((name, baseline, first, again))
    return rows


def _cold(context, page):
    """The page with the browser's cache emptied: logging in fetched the stylesheets."""
    context.new_cdp_session(page).send("Network.clearBrowserCache")
    return page


def _print(rows) -> None:
    def kb(value: int) -> str:
        return f"{value / 1024:,.1f}"

    print(
        f"{'page':<14}{'plotly':>7}{'baseline kB':>13}{'first kB':>10}{'ratio':>7}"
        f"{'reqs':>6}{'next kB':>9}{'reqs':>6}"
    )
    for name, baseline, first, again in rows:
        ratio = first.bytes / baseline.bytes if baseline.bytes else 0
        print(
            f"{name:<14}{'yes' if first.plotly else 'no':>7}{kb(baseline.bytes):>13}"
            f"{kb(first.bytes):>10}{ratio:>7.2f}{first.requests:>6}{kb(again.bytes):>9}"
            f"{again.requests:>6}"
        )
    total_base = sum(row[1].bytes for row in rows)
    total_first = sum(row[2].bytes for row in rows)
    total_again = sum(row[3].bytes for row in rows)
    print(
        f"{'all pages':<14}{'':>7}{kb(total_base):>13}{kb(total_first):>10}"
        f"{total_first / total_base:>7.2f}{'':>6}{kb(total_again):>9}"
    )


if __name__ == "__main__":
    main()
