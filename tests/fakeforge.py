"""A local HTTPS server answering like GitHub's and GitLab's REST APIs, for tests and the
benchmark: paginated repository lists with Link (and GitLab's x-next-page) headers, rate-limit
headers, and on demand one 403 (GitHub) or 429 (GitLab) rate-limit answer with Retry-After;
and each repository's files (CODEOWNERS) through GitHub's contents API and GitLab's raw file API.

Its certificate comes from a throwaway CA made with trustme; only code given ``ca_path`` trusts
it. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import trustme

CLONE_HOST = "140.82.112.3"  # a public address written as a literal: no DNS is needed


@dataclass
class FakeRepo:
    name: str
    archived: bool = False
    fork: bool = False
    topics: list[str] = field(default_factory=list)
    # Files on the default branch, by path (e.g. ".github/CODEOWNERS"), served by the
    # contents API (GitHub, base64 in JSON) or the raw file API (GitLab).
    files: dict[str, bytes | str] = field(default_factory=dict)


@dataclass
class ForgeState:
    kind: str = "github"
    owner: str = "acme"
    repos: list[FakeRepo] = field(default_factory=list)
    per_page_max: int = 100
    # Answer the request number N (1-based) once with a rate-limit refusal and Retry-After.
    refuse_request: int | None = None
    retry_after: int = 1
    # Report a spent limit on the page answers (x-ratelimit-remaining: 0 with a reset time).
    spent_limit_reset_in: int | None = None
    # A next-page link to another host, to test that it is refused.
    foreign_next_link: bool = False
    # Where the listed clone URLs point; the forge is untrusted, so tests point them elsewhere.
    clone_host: str = CLONE_HOST
    tokens_seen: list[str] = field(default_factory=list)
    requests: int = 0
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _github_item(state: ForgeState, repo: FakeRepo) -> dict:
    full = f"{state.owner}/{repo.name}"
    return {
        "id": abs(hash(full)) % 10**9,
        "name": repo.name,
        "full_name": full,
        "private": False,
        "html_url": f"https://github.com/{full}",
        "clone_url": f"https://{state.clone_host}/{full}.git",
        "archived": repo.archived,
        "fork": repo.fork,
        "topics": repo.topics,
        "default_branch": "main",
        "visibility": "public",
    }


def _gitlab_item(state: ForgeState, repo: FakeRepo) -> dict:
    full = f"{state.owner}/{repo.name}"
    return {
        "id": abs(hash(full)) % 10**9,
        "name": repo.name,
        "path_with_namespace": full,
        "http_url_to_repo": f"https://{state.clone_host}/{full}.git",
        "web_url": f"https://gitlab.example/{full}",
        "archived": repo.archived,
        "topics": repo.topics,
        "default_branch": "main",
        **({"forked_from_project": {"id": 1}} if repo.fork else {}),
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this the second waits for the
        # client's delayed ACK (40 ms a page), which a real forge does not add.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _file(self, state: ForgeState, path: str, query: dict, github: bool) -> bool:
        """Answer a file request (True), or leave the request to the listing (False)."""
        named = _file_answer(state, path, query, github)
        if named is None:
            return False
        name, file_path = named
        repo = next((r for r in state.repos if r.name == name), None)
        content = repo.files.get(file_path) if repo else None
        if content is None:
            self._send(404, b'{"message": "Not Found"}', {})
            return True
        data = content.encode() if isinstance(content, str) else content
        if github:
            body = json.dumps(
                {
                    "type": "file",
                    "encoding": "base64",
                    "size": len(data),
                    "name": file_path.rsplit("/", 1)[-1],
                    "path": file_path,
                    "content": base64.encodebytes(data).decode(),
                }
            ).encode()
        else:
            body = data
        self._send(200, body, {})
        return True

    def do_GET(self):  # noqa: N802 - the base class names it so
        state = self.server.state
        with state.lock:
            state.requests += 1
            number = state.requests
            state.paths.append(self.path)
            token = self.headers.get("Authorization", "") or self.headers.get("PRIVATE-TOKEN", "")
            state.tokens_seen.append(token)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        github = state.kind == "github"
        if self._file(state, parts.path, query, github):
            return
        expected = (
            f"/orgs/{state.owner}/repos"
            if github
            else f"/groups/{state.owner.replace('/', '%2F')}/projects"
        )
        if parts.path != expected:
            self._send(404, b'{"message": "Not Found"}', {})
            return
        if state.refuse_request == number:
            status = 403 if github else 429
            headers = {"Retry-After": str(state.retry_after)}
            if github:
                headers |= {"x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000"}
            body = b'{"message": "You have exceeded a secondary rate limit."}'
            self._send(status, body, headers)
            return
        per_page = min(int(query.get("per_page", "30")), state.per_page_max)
        page = int(query.get("page", "1"))
        start = (page - 1) * per_page
        chunk = state.repos[start : start + per_page]
        item = _github_item if github else _gitlab_item
        body = json.dumps([item(state, repo) for repo in chunk]).encode()
        last = max(1, -(-len(state.repos) // per_page))
        host = f"127.0.0.1:{self.server.server_address[1]}"
        headers: dict[str, str] = {}
        links = []
        if page < last:
            next_query = dict(query, page=str(page + 1))
            next_url = f"https://{host}{parts.path}?" + "&".join(
                f"{k}={v}" for k, v in next_query.items()
            )
            if state.foreign_next_link:
                next_url = next_url.replace(host, "10.0.0.1")
            links.append(f'<{next_url}>; rel="next"')
            if not github:
                headers["x-next-page"] = str(page + 1)
        elif not github:
            headers["x-next-page"] = ""
        if links:
            headers["Link"] = ", ".join(links)
        remaining = "0" if state.spent_limit_reset_in is not None else str(5000 - number)
        reset = str(int(__import__("time").time()) + (state.spent_limit_reset_in or 3600))
        if github:
            headers |= {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": remaining,
                "x-ratelimit-reset": reset,
            }
        else:
            headers |= {
                "ratelimit-limit": "2000",
                "ratelimit-remaining": remaining,
                "ratelimit-reset": reset,
                "x-page": str(page),
                "x-per-page": str(per_page),
                "x-total": str(len(state.repos)),
                "x-total-pages": str(last),
            }
        self._send(200, body, headers)


def _file_answer(state: ForgeState, path: str, query: dict, github: bool):
    """The repository and file path a file request names, or None when it is not one."""
    if github:
        prefix = f"/repos/{state.owner}/"
        if not path.startswith(prefix) or "/contents/" not in path:
            return None
        name, _, file_path = path[len(prefix) :].partition("/contents/")
    else:
        prefix = f"/projects/{quote(state.owner, safe='')}%2F"
        if not path.startswith(prefix) or not path.endswith("/raw"):
            return None
        name, _, rest = path[len(prefix) :].partition("/repository/files/")
        file_path = unquote(rest.removesuffix("/raw"))
        if query.get("ref") not in (None, "main"):
            return None
    return unquote(name), unquote(file_path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ForgeState


class FakeForge:
    """``with FakeForge(state) as forge:`` serves on ``forge.api_url`` (https://127.0.0.1:port);
    ``forge.ca_path`` is the PEM file of the CA that signed its certificate."""

    def __init__(self, state: ForgeState):
        self.state = state
        self._ca = trustme.CA()
        self._dir = tempfile.TemporaryDirectory()
        self.ca_path = str(Path(self._dir.name) / "ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_path)

    def __enter__(self) -> FakeForge:
        cert = self._ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = self.state
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        port = self.server.server_address[1]
        self.api_url = f"https://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._dir.cleanup()


def repos(count: int, *, archived_every: int = 0, fork_every: int = 0, topic=None) -> list:
    result = []
    for n in range(count):
        result.append(
            FakeRepo(
                name=f"repo-{n:04d}",
                archived=bool(archived_every) and n % archived_every == archived_every - 1,
                fork=bool(fork_every) and n % fork_every == fork_every - 2,
                topics=[topic(n)] if topic else [],
            )
        )
    return result
