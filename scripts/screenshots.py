"""Regenerate the README's screenshots from the demo data, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py

Starts the app on a throw-away SQLite database with the demo data, logs in as a team lead, and
saves docs/screenshots/home.png, history.png, questionnaire.png and result.png.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - our own local server
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"{url} did not answer within {timeout} s")
            time.sleep(0.3)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env["DATABASE_URL"] = f"sqlite:///{tmp}/screenshots.sqlite3"
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{base}/health/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                # The home page as an org admin sees it: every team of the organisation.
                admin = browser.new_page(viewport={"width": 1280, "height": 1000})
                admin.goto(f"{base}/accounts/login/")
                admin.get_by_label("Username").fill("demo-admin")
                admin.get_by_label("Password").fill("demo")
                admin.get_by_role("button", name="Log in").click()
                admin.wait_for_url(f"{base}/")
                OUT.mkdir(parents=True, exist_ok=True)
                admin.screenshot(path=OUT / "home.png", full_page=False)
                admin.close()

                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Username").fill("demand-forecasting-lead")
                page.get_by_label("Password").fill("demo")
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{base}/")

                page.goto(f"{base}/teams/demand-forecasting/history/")
                page.locator(".chart .main-svg").first.wait_for()
                OUT.mkdir(parents=True, exist_ok=True)
                page.locator("main").screenshot(path=OUT / "history.png")
                page.locator("table a").first.click()
                page.wait_for_url(re.compile(r"/result/$"))
                page.locator(".chart .main-svg").first.wait_for()
                OUT.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=OUT / "result.png", full_page=False)

                page.goto(f"{base}/teams/demand-forecasting/")
                page.get_by_role("button", name=re.compile("assessment")).click()
                page.wait_for_url(re.compile(r"/assessments/\d+/(questions|summary)/"))
                draft = re.search(r"/assessments/(\d+)/", page.url).group(1)
                page.goto(f"{base}/assessments/{draft}/questions/data/")
                page.screenshot(path=OUT / "questionnaire.png", full_page=False)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Saved home.png, history.png, questionnaire.png and result.png in {OUT}")


if __name__ == "__main__":
    main()
