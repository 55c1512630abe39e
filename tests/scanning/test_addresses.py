"""Untrusted repository addresses are refused before any connection, with a clear sentence."""

import pytest

from assessments.scanning import UnsafeRepositoryURL, validate_repository_url
from assessments.scanning.addresses import address_problem, parse_allowed_networks
from assessments.scanning.errors import HostResolutionFailed

from .guards import PUBLIC_ADDRESS, answer, failing_resolver, forbidden_resolver, no_network

__all__ = ["no_network"]

HOSTILE_URLS = [
    # other schemes and transports
    "http://github.com/org/repo",
    "HTTP://github.com/org/repo",
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file:/etc/passwd",
    "ext::sh -c touch% /tmp/pwned",
    "ext::sh",
    "fd::17",
    "ssh://git@github.com/org/repo",
    "git://github.com/org/repo",
    "git+ssh://github.com/org/repo",
    "ftp://example.com/repo",
    "rsync://example.com/repo",
    "https:/github.com/org/repo",
    "//github.com/org/repo",
    # scp-like host:path
    "git@github.com:org/repo.git",
    "github.com:org/repo",
    "javascript:alert(1)",
    # userinfo
    "https://user@github.com/org/repo",
    "https://user:pass@github.com/org/repo",
    "https://ghp_secret123@github.com/org/repo",
    "https://x-access-token:ghs_secret456@github.com/org/repo",
    "https://github.com@evil.example.com/org/repo",
    "https://:@github.com/org/repo",
    # control characters and whitespace, raw and encoded
    "https://github.com/org/repo\n",
    "https://github.com/org/repo\t",
    "https://github.com\r\n/org/repo",
    "https://github.com/org/re po",
    " https://github.com/org/repo",
    "https://github.com/org/repo\x7f",
    "https://github.com/org/\u200brepo",
    "https://github.com/org/repo%0a",
    "https://github.com/org/repo%0D%0A",
    "https://github.com/org/repo%00",
    "https://github.com/org/repo%250a",
    "https://github.com/org/repo%20",
    # option injection
    "--upload-pack=touch /tmp/pwned",
    "-oProxyCommand=evil",
    "https://github.com/-u/repo",
    "https://github.com/org/--upload-pack=x",
    "https://github.com/org/%2d%2dupload-pack",
    "https://-oproxycommand.example.com/x",
    # ports
    "https://github.com:0/org/repo",
    "https://github.com:65536/org/repo",
    "https://github.com:abc/org/repo",
    "https://github.com:/org/repo",
    "https://github.com:+443/org/repo",
    "https://github.com:443:80/org/repo",
    # empty or malformed host, path, query
    "https:///org/repo",
    "https://",
    "https://github.com",
    "https://github.com/",
    "https://[::1/org/repo",
    "https://[fe80::1%25eth0]/org/repo",
    "https://github.com\\@evil.example.com/org/repo",
    "https://github.com/org/repo?x=1",
    "https://github.com/org/repo#main",
    "https://github.com/org/../repo",
    "https://exa_mple..com/org/repo",
    # private names
    "https://localhost/org/repo",
    "https://LOCALHOST./org/repo",
    "https://metadata.google.internal/computeMetadata/v1",
    "https://intranet/org/repo",
    "https://git.corp.local/org/repo",
    "https://printer.home.arpa/org/repo",
    # addresses that are not public, in every spelling
    "https://127.0.0.1/org/repo",
    "https://127.1/org/repo",
    "https://2130706433/org/repo",
    "https://0177.0.0.1/org/repo",
    "https://0x7f.1/org/repo",
    "https://0x7f000001/org/repo",
    "https://0/org/repo",
    "https://0.0.0.0/org/repo",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.5/org/repo",
    "https://172.16.0.1/org/repo",
    "https://192.168.1.1/org/repo",
    "https://100.64.0.1/org/repo",
    "https://198.18.0.1/org/repo",
    "https://224.0.0.1/org/repo",
    "https://255.255.255.255/org/repo",
    "https://240.0.0.1/org/repo",
    "https://[::1]/org/repo",
    "https://[::]/org/repo",
    "https://[::ffff:127.0.0.1]/org/repo",
    "https://[::ffff:7f00:1]/org/repo",
    "https://[::ffff:169.254.169.254]/org/repo",
    "https://[64:ff9b::7f00:1]/org/repo",
    "https://[64:ff9b::a9fe:a9fe]/org/repo",
    "https://[64:ff9b:1::8c52:7003]/org/repo",
    "https://[2002:7f00:1::]/org/repo",
    "https://[2002:c0a8:101::1]/org/repo",
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/org/repo",
    "https://[fc00::1]/org/repo",
    "https://[fe80::1]/org/repo",
    "https://[ff02::1]/org/repo",
    "https://[::127.0.0.1]/org/repo",
]


def test_the_hostile_list_is_long_enough():
    assert len(HOSTILE_URLS) >= 60


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_it_refuses_hostile_urls_before_any_lookup_or_connection(url, no_network):
    with pytest.raises(UnsafeRepositoryURL) as refused:
        validate_repository_url(url, allow_local_paths=False, resolver=forbidden_resolver)
    message = str(refused.value)
    assert message.endswith(".")
    assert "\n" not in message
    assert no_network == []


@pytest.mark.parametrize("url", [u for u in HOSTILE_URLS if "secret" in u])
def test_it_never_repeats_a_token_in_the_refusal(url):
    with pytest.raises(UnsafeRepositoryURL) as refused:
        validate_repository_url(url, allow_local_paths=False, resolver=forbidden_resolver)
    assert "secret" not in str(refused.value)
    assert "ghp_" not in str(refused.value)


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        (PUBLIC_ADDRESS, "10.0.0.1"),
        ("::1",),
        ("::ffff:169.254.169.254",),
        ("100.64.1.1",),
        ("169.254.169.254",),
        ("64:ff9b::a00:1",),
        ("fd12:3456::1",),
    ],
)
def test_it_refuses_a_name_that_resolves_to_a_private_address(addresses, no_network):
    resolver = answer(*addresses)
    with pytest.raises(UnsafeRepositoryURL, match="only public addresses"):
        validate_repository_url(
            "https://git.attacker.example.com/org/repo", allow_local_paths=False, resolver=resolver
        )
    assert resolver.asked == ["git.attacker.example.com"]
    assert no_network == []


def test_it_reports_an_unresolvable_host_as_transient():
    with pytest.raises(HostResolutionFailed) as failed:
        validate_repository_url(
            "https://nowhere.example.com/org/repo",
            allow_local_paths=False,
            resolver=failing_resolver,
        )
    assert failed.value.transient is True
    assert str(failed.value) == "The host nowhere.example.com could not be resolved."


def test_it_refuses_an_empty_dns_answer():
    with pytest.raises(HostResolutionFailed):
        validate_repository_url(
            "https://empty.example.com/org/repo", allow_local_paths=False, resolver=answer()
        )


@pytest.mark.parametrize(
    ("url", "normalised", "host", "port"),
    [
        ("https://github.com/org/repo", "https://github.com/org/repo", "github.com", 443),
        ("https://GitHub.com/Org/Repo.git/", "https://github.com/Org/Repo.git", "github.com", 443),
        ("HTTPS://github.com/org/repo", "https://github.com/org/repo", "github.com", 443),
        (
            "https://gitlab.example.com:8443/group/sub/project.git",
            "https://gitlab.example.com:8443/group/sub/project.git",
            "gitlab.example.com",
            8443,
        ),
        ("https://github.com:443/org/repo", "https://github.com/org/repo", "github.com", 443),
    ],
)
def test_it_accepts_public_https_urls_and_pins_the_checked_address(
    url, normalised, host, port, no_network
):
    resolver = answer(PUBLIC_ADDRESS)
    safe = validate_repository_url(url, allow_local_paths=False, resolver=resolver)
    assert (safe.url, safe.host, safe.port, safe.address) == (
        normalised,
        host,
        port,
        PUBLIC_ADDRESS,
    )
    assert safe.is_local is False
    assert resolver.asked == [host]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://140.82.112.3/org/repo", "140.82.112.3"),
        ("https://[2606:4700::1111]/org/repo", "2606:4700::1111"),
    ],
)
def test_it_accepts_public_ip_literals_without_a_lookup(url, address, no_network):
    safe = validate_repository_url(url, allow_local_paths=False, resolver=forbidden_resolver)
    assert safe.address == address


def test_it_accepts_a_nat64_address_of_a_public_host():
    safe = validate_repository_url(
        "https://github.com/org/repo",
        allow_local_paths=False,
        resolver=answer("64:ff9b::8c52:7003"),
    )
    assert safe.address == "64:ff9b::8c52:7003"


def test_it_accepts_an_existing_local_path_only_when_allowed(tmp_path):
    safe = validate_repository_url(str(tmp_path), allow_local_paths=True)
    assert safe.is_local
    assert safe.url == str(tmp_path.resolve())
    assert safe.address is None
    with pytest.raises(UnsafeRepositoryURL, match="Only https://"):
        validate_repository_url(str(tmp_path), allow_local_paths=False)


def test_it_accepts_a_local_path_with_spaces_but_not_control_characters(tmp_path):
    folder = tmp_path / "My Projects"
    folder.mkdir()
    assert validate_repository_url(str(folder), allow_local_paths=True).url == str(folder)
    with pytest.raises(UnsafeRepositoryURL, match="control characters"):
        validate_repository_url(str(folder) + "\n", allow_local_paths=True)


def test_it_refuses_a_local_path_that_does_not_exist(tmp_path):
    with pytest.raises(UnsafeRepositoryURL, match="does not exist"):
        validate_repository_url(str(tmp_path / "missing"), allow_local_paths=True)


def test_it_refuses_file_urls_even_when_local_paths_are_allowed(tmp_path):
    with pytest.raises(UnsafeRepositoryURL, match="not 'file:'"):
        validate_repository_url(f"file://{tmp_path}", allow_local_paths=True)


def test_it_refuses_local_paths_that_git_could_read_as_options(tmp_path):
    with pytest.raises(UnsafeRepositoryURL, match="must not start with '-'"):
        validate_repository_url("-c", allow_local_paths=True)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("169.254.169.254", "a link-local address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("10.1.2.3", "a private address"),
        ("224.0.0.1", "a multicast address"),
        ("::", "the unspecified address"),
        ("::ffff:10.0.0.1", "an IPv4-mapped address embedding 10.0.0.1, a private address"),
        ("64:ff9b::7f00:1", "a NAT64 address embedding 127.0.0.1, a loopback address"),
        ("2002:7f00:1::", "a 6to4 address embedding 127.0.0.1, a loopback address"),
        (PUBLIC_ADDRESS, None),
        ("2606:4700::1111", None),
    ],
)
def test_it_names_the_problem_with_an_address(address, problem):
    import ipaddress

    assert address_problem(ipaddress.ip_address(address)) == problem


# -- private networks opened for self-hosted forges ---------------------------------------------

FORGE_NETWORKS = parse_allowed_networks(["10.20.0.0/16", "fd00:abcd::/32"])


@pytest.mark.parametrize("address", ["10.20.3.4", "fd00:abcd::7"])
def test_an_allowed_private_network_opens_to_its_own_addresses(address, no_network):
    safe = validate_repository_url(
        "https://gitlab.corp.example.com/ml/repo.git",
        allow_local_paths=False,
        resolver=answer(address),
        allowed_networks=FORGE_NETWORKS,
    )
    assert safe.address == address
    assert no_network == []


@pytest.mark.parametrize(
    "addresses",
    [
        ("10.21.0.1",),  # private, but outside the allowed network
        ("10.20.3.4", "10.99.0.1"),  # one address outside is enough to refuse
        ("127.0.0.1",),
        ("169.254.169.254",),
        ("::ffff:10.20.3.4",),  # a mapped form is not the network's own address
    ],
)
def test_other_private_addresses_stay_refused_when_a_network_is_allowed(addresses, no_network):
    with pytest.raises(UnsafeRepositoryURL, match="only public addresses"):
        validate_repository_url(
            "https://gitlab.corp.example.com/ml/repo.git",
            allow_local_paths=False,
            resolver=answer(*addresses),
            allowed_networks=FORGE_NETWORKS,
        )


def test_an_allowed_network_opens_ip_literals_in_it_too(no_network):
    safe = validate_repository_url(
        "https://10.20.0.9:8443/ml/repo.git",
        allow_local_paths=False,
        allowed_networks=FORGE_NETWORKS,
    )
    assert (safe.address, safe.port) == ("10.20.0.9", 8443)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("banana", "is not an IP network"),
        ("10.0.0.0/33", "is not an IP network"),
        ("10.20.3.4/8", "host bits zero"),  # a typo must not silently widen the network
        ("169.254.169.254/32", "overlaps 169.254.0.0/16"),
        ("fe80::/64", "overlaps fe80::/10"),
        ("fc00::/7", "overlaps fd00:ec2::254/128"),  # AWS's IPv6 metadata address
        ("100.64.0.0/10", "overlaps 100.100.100.200/32"),  # Alibaba Cloud's metadata address
        ("0.0.0.0/0", "overlaps 0.0.0.0/8"),
        ("0.0.0.0/1", "overlaps 0.0.0.0/8"),
        ("127.0.0.1/32", "overlaps 127.0.0.0/8"),
        ("::/0", "overlaps ::/128"),
        ("::1/128", "overlaps ::1/128"),
        ("224.0.0.0/4", "overlaps 224.0.0.0/4"),
        ("::ffff:0:0/96", "overlaps ::ffff:0:0/96"),
        ("64:ff9b::/96", "overlaps 64:ff9b::/96"),
        ("2002::/16", "overlaps 2002::/16"),
        ("2001::/32", "overlaps 2001::/32"),
        ("8.8.8.0/24", "not a private network"),
    ],
)
def test_a_network_setting_that_is_wrong_or_opens_metadata_services_is_refused(entry, message):
    with pytest.raises(ValueError, match=message):
        parse_allowed_networks(["10.0.0.0/8", entry])


def test_empty_entries_of_the_network_setting_are_ignored():
    assert parse_allowed_networks(["", " 10.1.0.0/16 "]) == parse_allowed_networks(["10.1.0.0/16"])
