"""Listing the repositories of a GitHub organisation or a GitLab group through the forge's REST
API. Pure Python: the HTTP transport is passed in (``forge_http.PinnedHTTPS`` in production, a
fake in unit tests), and so are the clock and the sleep, so rate limits are tested without waiting.

GitHub: ``GET {api}/orgs/{org}/repos?per_page=100&type=all``, next page in the ``Link`` header
(rel="next"), rate limit in ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` (epoch seconds),
``403`` or ``429`` with ``retry-after`` (seconds) for the secondary limits.
GitLab: ``GET {api}/groups/{id}/projects?include_subgroups=true&per_page=100``, next page in
``Link`` or ``x-next-page``, rate limit in ``ratelimit-remaining`` / ``ratelimit-reset``,
``429`` with ``retry-after``.

The forge's API address is untrusted input, like a repository URL: ``forge_addresses``
applies the same rules (https only, no credentials, public addresses or the operator's allowed
networks) and the pages' next links must stay on that same origin.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from . import addresses
from .errors import ScanError
from .forge_addresses import SafeApiURL

GITHUB = "github"
GITLAB = "gitlab"
KINDS = (GITHUB, GITLAB)
DEFAULT_API_URLS = {GITHUB: "https://api.github.com", GITLAB: "https://gitlab.com/api/v4"}
PER_PAGE = 100
# Bounds: a forge (or something pretending to be one) cannot make us read without end.
MAX_PAGES = 500
MAX_PAGE_BYTES = 8 * 1024 * 1024
MAX_RETRIES_PER_PAGE = 3
_OWNER = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.\-/]{0,254}$")


class ForgeError(ScanError):
    """The forge could not be listed; the message is one sentence without secrets."""


class ForgeAnswerTooLarge(ForgeError):
    """One answer was larger than the transport reads."""


class ForgeRateLimited(ForgeError):
    """The forge's rate limit asks for a longer wait than we allow; ``retry_at`` says when."""

    transient = True

    def __init__(self, message: str, *, retry_at: float) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass(frozen=True)
class ForgeResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Transport(Protocol):
    """Sends one GET to ``url`` (already checked to be on the API's origin) and answers."""

    def __call__(self, url: str, headers: Mapping[str, str]) -> ForgeResponse: ...


@dataclass(frozen=True)
class ForgeRepo:
    """One repository as the forge lists it, in the shape both forges share."""

    full_name: str
    clone_url: str
    archived: bool
    fork: bool
    topics: tuple[str, ...]
    default_branch: str


@dataclass
class ListingStats:
    api_calls: int = 0
    pages: int = 0
    waited_seconds: float = 0.0
    rate_limit_remaining: int | None = None


def validate_owner(kind: str, owner: str) -> str:
    """The organisation (GitHub) or group path or id (GitLab); refused when it could leave the
    API path it is put into."""
    owner = owner.strip().strip("/")
    if kind not in KINDS:
        raise ForgeError(f"'{kind}' is not a forge we list; choose github or gitlab.")
    if not owner or not _OWNER.match(owner) or ".." in owner or "//" in owner:
        raise ForgeError(
            "The organisation or group must be a name such as acme or acme/ml (letters, digits, "
            "'-', '_', '.' and, for GitLab subgroups, '/')."
        )
    if kind == GITHUB and "/" in owner:
        raise ForgeError("A GitHub organisation is one name, without '/'.")
    return owner


def first_page_url(kind: str, api_url: str, owner: str) -> str:
    if kind == GITHUB:
        return f"{api_url}/orgs/{quote(owner, safe='')}/repos?per_page={PER_PAGE}&type=all"
    return (
        f"{api_url}/groups/{quote(owner, safe='')}/projects"
        f"?include_subgroups=true&per_page={PER_PAGE}&order_by=id&sort=asc"
    )


def auth_headers(kind: str, token: str) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": "mlmaturity-forge-import"}
    if kind == GITHUB:
        headers["Accept"] = "application/vnd.github+json"
        headers["X-GitHub-Api-Version"] = "2022-11-28"
        if token:
            headers["Authorization"] = f"Bearer {token}"
    elif token:
        headers["PRIVATE-TOKEN"] = token
    return headers


_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def next_link(link_header: str) -> str | None:
    """The URL of rel="next" in an RFC 8288 ``Link`` header, or None."""
    for match in _LINK.finditer(link_header or ""):
        params = match.group(2)
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').split():
                return match.group(1).strip()
    return None


def next_page_url(kind: str, current_url: str, headers: Mapping[str, str]) -> str | None:
    """Where the next page is: the Link header, else GitLab's ``x-next-page``."""
    link = next_link(headers.get("link", ""))
    if link:
        return link
    if kind == GITLAB:
        page = headers.get("x-next-page", "").strip()
        if page.isdigit():
            parts = urlsplit(current_url)
            query = dict(parse_qsl(parts.query))
            query["page"] = page
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


def same_origin(url: str, api: SafeApiURL) -> bool:
    parts = urlsplit(url)
    try:
        port = parts.port or addresses.DEFAULT_HTTPS_PORT
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and (parts.hostname or "").lower() == api.host.lower()
        and port == api.port
        and not parts.username
        and not parts.password
    )


def parse_repos(kind: str, payload: Any) -> list[ForgeRepo]:
    """The repositories of one page; entries missing a field the import needs are refused."""
    if not isinstance(payload, list):
        raise ForgeError("The forge answered something that is not a list of repositories.")
    repos = []
    for item in payload:
        if not isinstance(item, dict):
            raise ForgeError("The forge answered a repository entry that is not an object.")
        if kind == GITHUB:
            name, url = item.get("full_name"), item.get("clone_url")
            fork = bool(item.get("fork"))
        else:
            name, url = item.get("path_with_namespace"), item.get("http_url_to_repo")
            fork = item.get("forked_from_project") is not None
        if not isinstance(name, str) or not isinstance(url, str) or not name or not url:
            raise ForgeError("The forge answered a repository without its name or clone URL.")
        topics = item.get("topics") or []
        branch = item.get("default_branch") or ""
        repos.append(
            ForgeRepo(
                full_name=name[:300],
                clone_url=url[:500],
                archived=bool(item.get("archived")),
                fork=fork,
                topics=tuple(str(t)[:100] for t in topics if isinstance(t, str))[:50],
                default_branch=branch[:200] if isinstance(branch, str) else "",
            )
        )
    return repos


def _int_header(headers: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        value = headers.get(name, "").strip()
        if value.lstrip("-").isdigit():
            return int(value)
    return None


def rate_limit_wait(response: ForgeResponse, now: float) -> float | None:
    """Seconds to wait before sending the same request again, when the answer is a rate-limit
    refusal (403/429 with retry-after or a spent limit); None when it is not one."""
    if response.status not in (403, 429):
        return None
    headers = response.headers
    retry_after = _int_header(headers, "retry-after")
    if retry_after is not None:
        return float(max(retry_after, 0))
    remaining = _int_header(headers, "x-ratelimit-remaining", "ratelimit-remaining")
    reset = _int_header(headers, "x-ratelimit-reset", "ratelimit-reset")
    if remaining == 0 and reset is not None:
        return max(float(reset) - now, 0.0) + 1.0
    if response.status == 429:
        return 60.0
    return None


def spent_limit_wait(headers: Mapping[str, str], now: float) -> float:
    """After a successful page: when the limit is spent, the wait until it resets, else 0."""
    remaining = _int_header(headers, "x-ratelimit-remaining", "ratelimit-remaining")
    reset = _int_header(headers, "x-ratelimit-reset", "ratelimit-reset")
    if remaining is not None and remaining <= 0 and reset is not None:
        return max(float(reset) - now, 0.0) + 1.0
    return 0.0


def _when(epoch: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(epoch))


@dataclass
class ForgeLister:
    """Pages through the forge's repositories, waiting out rate limits up to ``max_wait``."""

    kind: str
    api: SafeApiURL
    owner: str
    token: str
    transport: Transport
    max_wait_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    max_pages: int = MAX_PAGES
    stats: ListingStats = field(default_factory=ListingStats)

    def _wait(self, seconds: float) -> None:
        if seconds > self.max_wait_seconds:
            retry_at = self.clock() + seconds
            raise ForgeRateLimited(
                f"The forge's rate limit is spent; try the import again after {_when(retry_at)}.",
                retry_at=retry_at,
            )
        if seconds > 0:
            self.stats.waited_seconds += seconds
            self.sleep(seconds)

    def get(self, url: str, headers: Mapping[str, str]) -> ForgeResponse:
        """One GET on the forge's API, rate-limit refusals waited out (up to max_wait)."""
        for _ in range(MAX_RETRIES_PER_PAGE + 1):
            self.stats.api_calls += 1
            response = self.transport(url, headers)
            wait = rate_limit_wait(response, self.clock())
            if wait is None:
                return response
            self._wait(wait)
        raise ForgeError(
            f"The forge kept refusing with its rate limit after {MAX_RETRIES_PER_PAGE} waits; "
            "try the import again later."
        )

    def repositories(self) -> Iterator[ForgeRepo]:
        headers = auth_headers(self.kind, self.token)
        url: str | None = first_page_url(self.kind, self.api.url, self.owner)
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise ForgeError("The forge's next-page links go round in a circle.")
            seen.add(url)
            if self.stats.pages >= self.max_pages:
                raise ForgeError(
                    f"The forge listed more than {self.max_pages} pages; the import stopped there."
                )
            response = self.get(url, headers)
            self.stats.pages += 1
            _raise_for_status(response, self.kind, self.owner)
            try:
                payload = json.loads(response.body)
            except ValueError:
                raise ForgeError("The forge answered something that is not JSON.") from None
            yield from parse_repos(self.kind, payload)
            remaining = _int_header(
                response.headers, "x-ratelimit-remaining", "ratelimit-remaining"
            )
            self.stats.rate_limit_remaining = remaining
            url = next_page_url(self.kind, url, response.headers)
            if url is not None:
                if not same_origin(url, self.api):
                    raise ForgeError(
                        "The forge's next-page link points to another host; the import stopped."
                    )
                self._wait(spent_limit_wait(response.headers, self.clock()))


def _raise_for_status(response: ForgeResponse, kind: str, owner: str) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    what = "organisation" if kind == GITHUB else "group"
    if status in (301, 302, 303, 307, 308):
        raise ForgeError("The forge answered with a redirect, which the import does not follow.")
    if status == 401:
        raise ForgeError("The forge refused the token (401); check it and connect again.")
    if status == 403:
        raise ForgeError(f"The token may not list the {what} {owner} (403).")
    if status == 404:
        raise ForgeError(f"The forge has no {what} {owner} that this token can see (404).")
    raise ForgeError(f"The forge answered {status} when listing the {what} {owner}.")


def list_repositories(lister: ForgeLister) -> list[ForgeRepo]:
    return list(lister.repositories())
