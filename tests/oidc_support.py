"""The test OpenID provider (tests/oidc_provider) in a process of its own, and helpers to sign in
at it as a browser would: its login form, then its consent form."""

from __future__ import annotations

import contextlib
import html
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

from .live_server import ROOT, free_port

CLIENT_ID = "mlmaturity-tests"
CLIENT_SECRET = "test-client-secret-not-for-production"  # noqa: S105 (test provider only)
PROVIDER_PASSWORD = "provider password 42"  # noqa: S105 (test provider only)
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG")


@dataclass(frozen=True)
class ProviderProcess:
    url: str
    log_path: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def set_user(
        self,
        username: str,
        *,
        groups: list[str],
        email: str = "",
        first_name: str = "",
        last_name: str = "",
        password: str = PROVIDER_PASSWORD,
    ) -> str:
        """Create or update a provider user; returns its subject (`sub`)."""
        response = requests.post(
            f"{self.url}/testing/user/",
            json={
                "username": username,
                "password": password,
                "email": email or f"{username}@example.org",
                "first_name": first_name,
                "last_name": last_name,
                "groups": groups,
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["sub"]

    def register_client(self, app_url: str, *, skip_authorization: bool = False) -> None:
        """Let the app at `app_url` sign in here, with CLIENT_ID and CLIENT_SECRET."""
        response = requests.post(
            f"{self.url}/testing/client/",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{app_url}/oidc/callback/"],
                "post_logout_redirect_uris": [f"{app_url}/accounts/login/"],
                "skip_authorization": skip_authorization,
            },
            timeout=30,
        )
        response.raise_for_status()

    def app_settings(self) -> dict[str, str]:
        """The app's settings (and environment variables) that point at this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "Test Provider",
        }

    def signed_in(self, username: str, password: str = PROVIDER_PASSWORD) -> requests.Session:
        """A browser-like session signed in at the provider through its login form."""
        browser = requests.Session()
        login = f"{self.url}/accounts/login/"
        browser.get(login, timeout=30).raise_for_status()
        response = browser.post(
            login,
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": browser.cookies["provider_csrftoken"],
                "next": "/",
            },
            headers={"Referer": login},
            timeout=30,
        )
        response.raise_for_status()
        assert "provider_sessionid" in browser.cookies, f"{username} could not sign in"
        return browser

    def approve(self, browser: requests.Session, authorize_url: str) -> str:
        """Open the authorisation request and press Authorize on the consent page; returns
        where the provider sends the browser back (the app's callback, with code and state)."""
        page = browser.get(authorize_url, timeout=30, allow_redirects=False)
        if page.status_code == 302:  # a client that skips consent
            return page.headers["Location"]
        page.raise_for_status()
        fields = {
            html.unescape(name): html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
            )
        }
        assert "client_id" in fields, f"no consent form:\n{page.text[:2000]}"
        response = browser.post(
            authorize_url,
            data=fields | {"allow": "Authorize"},
            headers={"Referer": authorize_url},
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]
        return urljoin(authorize_url, response.headers["Location"])


@contextlib.contextmanager
def provider_served(folder: Path) -> Iterator[ProviderProcess]:
    """Serve the test provider on a free port of 127.0.0.1 until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env["PYTHONUNBUFFERED"] = "1"
    log_path = folder / "provider.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(folder), str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        provider = ProviderProcess(f"http://127.0.0.1:{port}", log_path)
        try:
            _wait_for_discovery(provider, process)
            yield provider
        except BaseException:
            print(f"--- provider log (last lines) ---\n{provider.log()[-6000:]}")
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_discovery(provider: ProviderProcess, process: subprocess.Popen, timeout=90) -> None:
    deadline = time.monotonic() + timeout
    url = f"{provider.issuer}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the provider exited early:\n{provider.log()[-4000:]}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the provider did not answer in {timeout} s:\n{provider.log()[-4000:]}")
