"""Which IP addresses a scan may reach: public ones, and private networks an operator opens."""

from __future__ import annotations

import ipaddress

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SHARED = ipaddress.ip_network("100.64.0.0/10")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# What no setting may open: this host and "any address", multicast and broadcast, link-local
# and the other addresses where cloud metadata services answer, and the IPv6 forms that embed
# an IPv4 address (each could carry one of the others inside).
_NEVER_ALLOWED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.100.100.200/32",
        "224.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        "fe80::/10",
        "fd00:ec2::254/128",
        "ff00::/8",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2001::/32",
        "2002::/16",
    )
)


def parse_allowed_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """Private networks an operator opens for self-hosted forges (GitLab on 10.20.0.0/16).

    Raises ValueError with a sentence for an entry that is not a network written exactly
    (host bits zero, so a typo cannot widen it), is not private, or overlaps what no setting
    may open (``_NEVER_ALLOWED``).
    """
    networks = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            raise ValueError(
                f"'{text}' is not an IP network such as 10.20.0.0/16 (with the host bits zero)."
            ) from None
        for never in _NEVER_ALLOWED:
            if network.version == never.version and network.overlaps(never):
                raise ValueError(
                    f"{text} overlaps {never}, which no setting may open: loopback, link-local "
                    "and metadata addresses, multicast, and IPv6 forms embedding IPv4 ones."
                )
        if not network.is_private:
            raise ValueError(f"{text} is not a private network; public addresses need no setting.")
        networks.append(network)
    return tuple(networks)


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Say why an address is not a public unicast address, or return None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "an address with a zone identifier"
        if address.ipv4_mapped is not None:
            return _embedded_problem(address.ipv4_mapped, "an IPv4-mapped address")
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            return _embedded_problem(embedded, "a NAT64 address")
        if address in _NAT64_LOCAL:
            return "a local-use NAT64 address"
        if address.teredo is not None:
            return "a Teredo tunnel address"
        if address.sixtofour is not None:
            return _embedded_problem(address.sixtofour, "a 6to4 address")
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def _embedded_problem(embedded: ipaddress.IPv4Address, wrapper: str) -> str | None:
    problem = address_problem(embedded)
    return f"{wrapper} embedding {embedded}, {problem}" if problem else None
