"""The address of a forge's API, checked like a repository URL before any connection is made:
https only, no credentials, no query, no private network names, public addresses only (or the
operator's allowed networks), and the checked address returned so the connection is pinned.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from . import addresses
from .addresses import Resolver
from .errors import HostResolutionFailed, UnsafeRepositoryURL
from .networks import Network


@dataclass(frozen=True)
class SafeApiURL:
    url: str  # normalised, without a trailing slash
    host: str
    port: int
    address: str


def validate_forge_api_url(
    url: str,
    *,
    resolver: Resolver = socket.getaddrinfo,
    allowed_networks: tuple[Network, ...] = (),
    allow_loopback: bool = False,
) -> SafeApiURL:
    """The repository URL rules applied to a forge's API address; returns the pinned address.

    ``allow_loopback`` is for tests and benchmarks only (a local fake forge on 127.0.0.1): no
    environment variable turns it on.
    """
    if not isinstance(url, str) or not url.strip():
        raise UnsafeRepositoryURL("The forge's API address is empty.")
    url = url.strip()
    if len(url) > addresses.MAX_URL_LENGTH:
        raise UnsafeRepositoryURL("The forge's API address is too long.")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise UnsafeRepositoryURL(
            "The forge's API address contains whitespace or control characters."
        )
    lowered = url.lower()
    if not lowered.startswith("https://"):
        scheme = lowered.split(":", 1)[0] if "://" in lowered else ""
        label = f"'{scheme}:'" if scheme else "this form"
        raise UnsafeRepositoryURL(f"Only https:// API addresses are accepted, not {label}.")
    if "\\" in url:
        raise UnsafeRepositoryURL("The API address must not contain backslashes.")
    rest = url[len("https://") :]
    authority, _, path = rest.partition("/")
    if "@" in authority:
        raise UnsafeRepositoryURL(
            "User names or passwords in the API address are not accepted; "
            "give the token separately."
        )
    if "?" in url or "#" in url:
        raise UnsafeRepositoryURL("The API address must not contain a query or a fragment.")
    if "%" in authority:
        raise UnsafeRepositoryURL("The host name must not be percent-encoded.")
    host_text, port = addresses._split_authority(authority)
    literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    try:
        host, literal = addresses._normalise_host(host_text)
    except UnsafeRepositoryURL:
        if not (allow_loopback and host_text.lower() == "localhost"):
            raise
        host, literal = "localhost", ipaddress.IPv4Address("127.0.0.1")
    path = "/" + path.strip("/") if path.strip("/") else ""
    for segment in path.split("/")[1:]:
        if segment in {".", ".."} or not segment:
            raise UnsafeRepositoryURL("The API address's path must not contain '.' or '..' parts.")
    netloc = f"[{host}]" if ":" in host else host
    if port != addresses.DEFAULT_HTTPS_PORT:
        netloc = f"{netloc}:{port}"
    normalised = f"https://{netloc}{path}"
    if literal is not None:
        _check_address(literal, host, allowed_networks, allow_loopback)
        return SafeApiURL(url=normalised, host=host, port=port, address=str(literal))
    try:
        results = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise HostResolutionFailed(f"The host {host} could not be resolved.") from None
    found = []
    for result in results or ():
        try:
            found.append(ipaddress.ip_address(str(result[4][0]).split("%", 1)[0]))
        except (IndexError, TypeError, ValueError):
            raise UnsafeRepositoryURL(
                f"The host {host} resolved to something that is not an IP address."
            ) from None
    if not found:
        raise HostResolutionFailed(f"The host {host} could not be resolved.")
    for address in found:
        _check_address(address, host, allowed_networks, allow_loopback)
    return SafeApiURL(url=normalised, host=host, port=port, address=str(found[0]))


def _check_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    host: str,
    allowed_networks: tuple[Network, ...],
    allow_loopback: bool,
) -> None:
    if allow_loopback and address.is_loopback:
        return
    addresses._refuse_non_global(address, host, allowed_networks)
