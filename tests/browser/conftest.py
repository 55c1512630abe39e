"""A real Chromium driven by Playwright against the live test server.

Debian's chromium package is used because browser downloads are not possible everywhere this
runs; CHROMIUM_PATH overrides the location. Without it a laptop run skips these tests, saying
why; with CI=true a missing browser fails the run. The accessibility checks need axe-core from
npm, which `python3 scripts/test.py` installs into node_modules/ here: without it they are
skipped in the same way, and fail under CI=true.
"""

import os
import shutil
from pathlib import Path

import pytest

from ..conftest import IN_CI

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}.", pytrace=False)
    pytest.skip(reason)


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (separate cookies), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def axe_violations(page, *, impacts=("serious", "critical")):
    """Run axe-core in the page and return the violations of the given impacts, each as its
    rule, the elements that break it and axe's sentence why: enough to fix it from a CI log."""
    if not AXE.exists():
        _skip_or_fail(_axe_missing_reason())
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "rule": violation["id"],
            "elements": [
                {"target": node["target"], "why": node.get("failureSummary", "")}
                for node in violation["nodes"][:5]
            ],
        }
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


def _axe_missing_reason() -> str:
    # scripts/test.py says why its `npm ci` could not install axe-core (no npm, no registry).
    why = os.environ.get("MLMATURITY_AXE_MISSING_REASON")
    if why:
        return f"axe-core is not installed: {why}"
    return (
        "axe-core is not installed in tests/browser/node_modules "
        "(python3 scripts/test.py installs it when npm is there; or run `npm ci` in tests/browser)"
    )
