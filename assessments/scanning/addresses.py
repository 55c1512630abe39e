"""Validation of untrusted repository addresses, before any connection is made.

A team lead types a repository URL into a form; a worker then runs git against it from inside
our network. Everything here exists so that such a string can never make git talk to a private
service (SSRF), run a command (``ext::``), read a local file (``file:``), or take an option
(``--upload-pack=...``). The host is resolved here and the checked address is returned so the
fetch can be pinned to it: resolving twice would let DNS rebinding swap in a private address
between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from .errors import HostResolutionFailed, UnsafeRepositoryURL
from .networks import Network, address_problem, parse_allowed_networks

__all__ = [
    "Network",
    "SafeRepositoryURL",
    "UnsafeRepositoryURL",
    "address_problem",
    "parse_allowed_networks",
    "validate_repository_url",
]

MAX_URL_LENGTH = 2048
DEFAULT_HTTPS_PORT = 443

# Names that only make sense inside a private network; refused before any DNS lookup so that a
# resolver with a search domain cannot turn them into internal hosts.
_PRIVATE_SUFFIXES = (
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
    "arpa",
    "test",
    "invalid",
    "onion",
)
_KNOWN_SCHEMES = frozenset(
    {"file", "ssh", "git", "http", "https", "ftp", "ftps", "rsync", "ext", "fd", "git+ssh"}
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,19}):")
_REMOTE_HELPER = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")
_PORT = re.compile(r"^[0-9]{1,5}$")

# One ``socket.getaddrinfo`` result; its fifth item is the socket address, host first.
AddressInfo = tuple[
    int, int, int, str, tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
]


class Resolver(Protocol):
    """Resolves like ``socket.getaddrinfo``; tests pass their own answers."""

    def __call__(self, host: str, port: int, *, type: int) -> Sequence[AddressInfo]: ...


@dataclass(frozen=True)
class SafeRepositoryURL:
    """An address that passed every check; ``address`` is the IP the fetch must be pinned to.

    For a local path ``url`` is the absolute path, ``host`` is empty, ``port`` is 0 and
    ``address`` is None.
    """

    url: str
    host: str
    port: int
    address: str | None
    is_local: bool = False


def validate_repository_url(
    url: str,
    *,
    allow_local_paths: bool,
    resolver: Resolver = socket.getaddrinfo,
    allowed_networks: tuple[Network, ...] = (),
) -> SafeRepositoryURL:
    """Return the normalised, pinned address for ``url`` or raise UnsafeRepositoryURL.

    Only ``https://`` URLs are accepted, plus plain local paths when ``allow_local_paths``
    is true (the embedded default and tests; never in production). Hosts must have public
    addresses, or addresses inside ``allowed_networks`` (see ``parse_allowed_networks``).
    """
    if not isinstance(url, str) or not url.strip():
        raise UnsafeRepositoryURL("The repository address is empty.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeRepositoryURL("The repository address is too long.")
    plain_path = not _SCHEME.match(url) and "://" not in url and not _looks_like_scp(url)
    _refuse_hidden_characters(url, allow_spaces=plain_path and allow_local_paths)
    if url.startswith("-"):
        raise UnsafeRepositoryURL("The repository address must not start with '-'.")
    if _REMOTE_HELPER.match(url):
        raise UnsafeRepositoryURL("Remote helper addresses such as ext:: are not accepted.")

    scheme_match = _SCHEME.match(url)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme == "https" and url[len(scheme) + 1 :].startswith("//"):
        return _validate_https(url, resolver, allowed_networks)
    if "://" in url or scheme in _KNOWN_SCHEMES:
        label = f"'{scheme}:'" if scheme and scheme != "https" else "this form"
        raise UnsafeRepositoryURL(f"Only https:// repository URLs are accepted, not {label}.")
    if _looks_like_scp(url):
        raise UnsafeRepositoryURL(
            "Addresses of the form host:path (ssh) are not accepted; use an https:// URL."
        )
    if not allow_local_paths:
        raise UnsafeRepositoryURL("Only https:// repository URLs are accepted.")
    return _validate_local_path(url)


def _refuse_hidden_characters(url: str, *, allow_spaces: bool) -> None:
    """Refuse control characters and whitespace, also when percent-encoded (even twice).

    Plain spaces are allowed in a local path ("My Projects/repo"): git receives it as one
    argument, never through a shell.
    """
    text = url
    for _ in range(3):
        if any(
            (char.isspace() and not (allow_spaces and char == " ")) or not char.isprintable()
            for char in text
        ):
            raise UnsafeRepositoryURL(
                "The repository address contains whitespace or control characters."
            )
        decoded = unquote(text) if "%" in text else text
        if decoded == text:
            return
        text = decoded


def _looks_like_scp(url: str) -> bool:
    """Mirror git's rule: a colon before the first slash means ``host:path`` (ssh)."""
    colon = url.find(":")
    slash = url.find("/")
    return colon != -1 and (slash == -1 or colon < slash) and not url.startswith("/")


def _validate_local_path(path: str) -> SafeRepositoryURL:
    absolute = os.path.realpath(os.path.abspath(path))
    if not os.path.isdir(absolute):
        raise UnsafeRepositoryURL("The local path does not exist or is not a directory.")
    return SafeRepositoryURL(url=absolute, host="", port=0, address=None, is_local=True)


def _validate_https(
    url: str, resolver: Resolver, allowed_networks: tuple[Network, ...]
) -> SafeRepositoryURL:
    if "\\" in url:
        raise UnsafeRepositoryURL("The repository URL must not contain backslashes.")
    after_scheme = url[len("https://") :]
    authority = after_scheme.split("/", 1)[0]
    if "@" in authority:
        raise UnsafeRepositoryURL(
            "User names or passwords in the URL are not accepted; give the access token separately."
        )
    if "?" in url or "#" in url:
        raise UnsafeRepositoryURL("The repository URL must not contain a query or a fragment.")
    if "%" in authority:
        raise UnsafeRepositoryURL("The host name must not be percent-encoded.")
    slash = after_scheme.find("/")
    path = after_scheme[slash:] if slash != -1 else ""
    host_text, port = _split_authority(authority)
    host, literal = _normalise_host(host_text)
    path = _normalise_path(path)
    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_HTTPS_PORT:
        netloc = f"{netloc}:{port}"
    normalised = f"https://{netloc}{path}"
    if literal is not None:
        _refuse_non_global(literal, host, allowed_networks)
        return SafeRepositoryURL(url=normalised, host=host, port=port, address=str(literal))
    address = _resolve_and_check(host, port, resolver, allowed_networks)
    return SafeRepositoryURL(url=normalised, host=host, port=port, address=address)


def _split_authority(netloc: str) -> tuple[str, int]:
    if not netloc:
        raise UnsafeRepositoryURL("The URL has no host name.")
    if netloc.startswith("["):
        end = netloc.find("]")
        if end == -1:
            raise UnsafeRepositoryURL("The IPv6 address in the URL is not closed with ']'.")
        host, rest = netloc[: end + 1], netloc[end + 1 :]
    else:
        host, _, port_text = netloc.partition(":")
        rest = f":{port_text}" if ":" in netloc else ""
    if not rest:
        return host, DEFAULT_HTTPS_PORT
    port_digits = rest[1:] if rest.startswith(":") else None
    if port_digits is None or not _PORT.match(port_digits):
        raise UnsafeRepositoryURL("The port in the URL is not a number between 1 and 65535.")
    port = int(port_digits)
    if not 1 <= port <= 65535:
        raise UnsafeRepositoryURL("The port in the URL is not a number between 1 and 65535.")
    return host, port


def _normalise_host(host: str) -> tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address | None]:
    """Return the lower-case ASCII host and, for an IP literal, its parsed address."""
    if not host or host in {"[]", "."}:
        raise UnsafeRepositoryURL("The URL has no host name.")
    if host.startswith("["):
        inner = host[1:-1]
        try:
            literal = ipaddress.IPv6Address(inner)
        except ValueError:
            raise UnsafeRepositoryURL("The IPv6 address in the URL is not valid.") from None
        if literal.scope_id:
            raise UnsafeRepositoryURL("IPv6 zone identifiers are not accepted.")
        return str(literal), literal
    host = host.rstrip(".").lower()
    if not host:
        raise UnsafeRepositoryURL("The URL has no host name.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeRepositoryURL("The host name is not a valid domain name.") from None
    if _NUMERIC_HOST.match(host):
        ipv4_literal = _parse_ipv4_spelling(host)
        if ipv4_literal is not None:
            if str(ipv4_literal) != host:
                _refuse_non_global(ipv4_literal, host)
                raise UnsafeRepositoryURL(
                    f"The host is an IP address written in an unusual form ({ipv4_literal});"
                    " write it as a.b.c.d."
                )
            return host, ipv4_literal
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise UnsafeRepositoryURL("The host name is not a valid domain name.")
    if len(labels) < 2 or any(
        host == suffix or host.endswith("." + suffix) for suffix in _PRIVATE_SUFFIXES
    ):
        raise UnsafeRepositoryURL(f"The host {host} is a private network name.")
    return host, None


def _parse_ipv4_spelling(host: str) -> ipaddress.IPv4Address | None:
    """Parse decimal, octal and hex IPv4 spellings the way C resolvers (and curl) do."""
    try:
        packed = socket.inet_aton(host)
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)


def _normalise_path(path: str) -> str:
    path = path.rstrip("/")
    if not path:
        raise UnsafeRepositoryURL("The URL has no repository path.")
    for segment in path.split("/")[1:]:
        decoded = unquote(segment)
        if decoded.startswith("-"):
            raise UnsafeRepositoryURL("A path segment of the URL must not start with '-'.")
        if decoded in {".", ".."} or not segment:
            raise UnsafeRepositoryURL("The URL path must not contain empty, '.' or '..' parts.")
    return path


def _resolve_and_check(
    host: str, port: int, resolver: Resolver, allowed_networks: tuple[Network, ...]
) -> str:
    try:
        results = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise HostResolutionFailed(f"The host {host} could not be resolved.") from None
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for result in results or ():
        try:
            text = str(result[4][0]).split("%", 1)[0]
            addresses.append(ipaddress.ip_address(text))
        except (IndexError, TypeError, ValueError):
            raise UnsafeRepositoryURL(
                f"The host {host} resolved to something that is not an IP address."
            ) from None
    if not addresses:
        raise HostResolutionFailed(f"The host {host} could not be resolved.")
    for address in addresses:
        _refuse_non_global(address, host, allowed_networks)
    return str(addresses[0])


def _refuse_non_global(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    host: str,
    allowed_networks: tuple[Network, ...] = (),
) -> None:
    if any(address in network for network in allowed_networks):
        return
    problem = address_problem(address)
    if problem:
        subject = (
            f"The address {address} is"
            if host == str(address)
            else (f"The host {host} points to {address},")
        )
        raise UnsafeRepositoryURL(f"{subject} {problem}; only public addresses are allowed.")
