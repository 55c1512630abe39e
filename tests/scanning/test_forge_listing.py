"""Listing a GitHub organisation or a GitLab group through a local HTTPS fake of their REST APIs:
pagination, rate limits, the address rules, and the mapping of repositories to teams."""

import socket

import pytest

from assessments.scanning.errors import UnsafeRepositoryURL
from assessments.scanning.forge_addresses import validate_forge_api_url
from assessments.scanning.forge_http import PinnedHTTPS
from assessments.scanning.forge_listing import (
    ForgeError,
    ForgeLister,
    ForgeRateLimited,
    ForgeResponse,
    next_link,
    next_page_url,
    rate_limit_wait,
    validate_owner,
)
from assessments.scanning.forge_mapping import parse_rules, plan, team_for

from ..fakeforge import FakeForge, FakeRepo, ForgeState, repos

TOKEN = "s3cret-token"


def _lister(forge, kind, *, token=TOKEN, sleeps=None, max_wait=60.0, now=1_000_000.0):
    api = validate_forge_api_url(forge.api_url, allow_loopback=True)
    return ForgeLister(
        kind=kind,
        api=api,
        owner=forge.state.owner,
        token=token,
        transport=PinnedHTTPS(api, ca_bundle=forge.ca_path, timeout=5),
        max_wait_seconds=max_wait,
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        clock=lambda: now,
    )


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_every_page_is_listed_with_the_forges_own_shapes(kind):
    state = ForgeState(kind=kind, owner="acme", repos=repos(250, archived_every=7, fork_every=9))
    with FakeForge(state) as forge:
        lister = _lister(forge, kind)
        listed = list(lister.repositories())
    assert [r.full_name for r in listed] == [f"acme/repo-{n:04d}" for n in range(250)]
    assert lister.stats.pages == 3
    assert lister.stats.api_calls == 3
    assert sum(r.archived for r in listed) == 250 // 7
    assert sum(r.fork for r in listed) == len([n for n in range(250) if n % 9 == 7])
    assert listed[0].clone_url.startswith("https://")
    assert listed[0].default_branch == "main"
    expected_auth = "Bearer s3cret-token" if kind == "github" else "s3cret-token"
    assert set(state.tokens_seen) == {expected_auth}
    first = state.paths[0]
    assert "per_page=100" in first
    if kind == "gitlab":
        assert first.startswith("/groups/acme/projects")
        assert "include_subgroups=true" in first


def test_a_gitlab_subgroup_is_one_encoded_path_segment():
    state = ForgeState(kind="gitlab", owner="acme/ml", repos=repos(3))
    with FakeForge(state) as forge:
        listed = list(_lister(forge, "gitlab").repositories())
    assert len(listed) == 3
    assert state.paths[0].startswith("/groups/acme%2Fml/projects")


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_a_rate_limit_refusal_is_waited_out_then_the_page_is_asked_again(kind):
    state = ForgeState(kind=kind, repos=repos(150), refuse_request=2, retry_after=7)
    sleeps: list[float] = []
    with FakeForge(state) as forge:
        lister = _lister(forge, kind, sleeps=sleeps)
        listed = list(lister.repositories())
    assert len(listed) == 150
    assert sleeps == [7.0]
    assert lister.stats.api_calls == 3
    assert lister.stats.pages == 2


def test_a_wait_longer_than_allowed_stops_with_the_time_to_retry():
    state = ForgeState(kind="github", repos=repos(150), refuse_request=2, retry_after=3600)
    with FakeForge(state) as forge:
        lister = _lister(forge, "github", max_wait=60, now=0.0)
        with pytest.raises(ForgeRateLimited) as refused:
            list(lister.repositories())
    assert refused.value.message == (
        "The forge's rate limit is spent; try the import again after 01:00:00 UTC."
    )
    assert refused.value.retry_at == 3600.0


def test_a_spent_limit_waits_until_its_reset_before_the_next_page():
    # remaining 0 with a reset 5 s ahead: the lister waits before asking for page 2.
    state = ForgeState(kind="github", repos=repos(150), spent_limit_reset_in=5)
    sleeps: list[float] = []
    with FakeForge(state) as forge:
        import time

        lister = _lister(forge, "github", sleeps=sleeps, now=time.time())
        assert len(list(lister.repositories())) == 150
    assert len(sleeps) == 1
    assert 4 <= sleeps[0] <= 7


def test_a_next_link_to_another_host_is_refused():
    state = ForgeState(kind="github", repos=repos(150), foreign_next_link=True)
    with FakeForge(state) as forge, pytest.raises(ForgeError, match="another host"):
        list(_lister(forge, "github").repositories())
    assert state.requests == 1


def test_a_certificate_the_bundle_does_not_vouch_for_is_refused():
    state = ForgeState(kind="github", repos=repos(1))
    with FakeForge(state) as forge:
        api = validate_forge_api_url(forge.api_url, allow_loopback=True)
        lister = ForgeLister(
            kind="github", api=api, owner="acme", token="", transport=PinnedHTTPS(api)
        )
        with pytest.raises(ForgeError, match="could not be verified"):
            list(lister.repositories())


def test_a_missing_organisation_says_so():
    state = ForgeState(kind="github", owner="acme", repos=repos(1))
    with FakeForge(state) as forge:
        api = validate_forge_api_url(forge.api_url, allow_loopback=True)
        lister = ForgeLister(
            kind="github",
            api=api,
            owner="nobody",
            token="",
            transport=PinnedHTTPS(api, ca_bundle=forge.ca_path),
        )
        with pytest.raises(ForgeError) as refused:
            list(lister.repositories())
    assert refused.value.message == (
        "The forge has no organisation nobody that this token can see (404)."
    )


def _public(host, port, *, type):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("140.82.112.5", port))]


def _private(host, port, *, type):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("http://api.github.com", "Only https:// API addresses are accepted, not 'http:'."),
        (
            "https://user:pw@api.github.com",
            "User names or passwords in the API address are not accepted; give the token "
            "separately.",
        ),
        (
            "https://127.0.0.1:8443",
            "The address 127.0.0.1 is a loopback address; only public addresses are allowed.",
        ),
        (
            "https://169.254.169.254/api",
            "The address 169.254.169.254 is a link-local address; only public addresses are "
            "allowed.",
        ),
        ("https://gitlab.internal/api/v4", "The host gitlab.internal is a private network name."),
        ("https://localhost", "The host localhost is a private network name."),
        ("https://api.github.com/?x=1", "The API address must not contain a query or a fragment."),
    ],
)
def test_unsafe_api_addresses_are_refused_with_one_sentence(url, sentence):
    with pytest.raises(UnsafeRepositoryURL) as refused:
        validate_forge_api_url(url, resolver=_public)
    assert refused.value.message == sentence


def test_a_host_resolving_to_a_private_address_is_refused():
    with pytest.raises(UnsafeRepositoryURL) as refused:
        validate_forge_api_url("https://git.example.com/api/v4", resolver=_private)
    assert refused.value.message == (
        "The host git.example.com points to 10.1.2.3, a private address; only public addresses "
        "are allowed."
    )


def test_a_public_host_is_pinned_to_its_checked_address():
    safe = validate_forge_api_url("https://GitLab.Example.com/api/v4/", resolver=_public)
    assert safe.url == "https://gitlab.example.com/api/v4"
    assert safe.address == "140.82.112.5"
    assert safe.port == 443


def test_loopback_is_reachable_only_with_the_test_switch():
    assert validate_forge_api_url("https://127.0.0.1:9", allow_loopback=True).address == (
        "127.0.0.1"
    )


@pytest.mark.parametrize("owner", ["../admin", "acme?x=1", "", "a b"])
def test_owner_names_that_could_leave_the_api_path_are_refused(owner):
    with pytest.raises(ForgeError):
        validate_owner("gitlab", owner)


def test_link_headers_and_gitlab_next_page():
    header = (
        '<https://api.github.com/orgs/a/repos?page=3>; rel="next", '
        '<https://api.github.com/orgs/a/repos?page=9>; rel="last"'
    )
    assert next_link(header) == "https://api.github.com/orgs/a/repos?page=3"
    assert next_link('<https://x/y?page=9>; rel="last"') is None
    assert (
        next_page_url(
            "gitlab",
            "https://g.example.com/api/v4/groups/1/projects?per_page=100",
            {"x-next-page": "2"},
        )
        == "https://g.example.com/api/v4/groups/1/projects?per_page=100&page=2"
    )
    assert next_page_url("gitlab", "https://g/x?page=2", {"x-next-page": ""}) is None


def test_rate_limit_answers_are_told_apart_from_plain_refusals():
    assert rate_limit_wait(ForgeResponse(403, {"retry-after": "30"}, b""), 0) == 30
    assert (
        rate_limit_wait(
            ForgeResponse(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "100"}, b""), 40
        )
        == 61
    )
    assert rate_limit_wait(ForgeResponse(403, {"x-ratelimit-remaining": "10"}, b""), 0) is None
    assert rate_limit_wait(ForgeResponse(429, {"ratelimit-remaining": "0"}, b""), 0) == 60
    assert rate_limit_wait(ForgeResponse(200, {"retry-after": "5"}, b""), 0) is None


def _repo(name, topics=(), archived=False, fork=False):
    from assessments.scanning.forge_listing import ForgeRepo

    return ForgeRepo(
        full_name=f"acme/{name}",
        clone_url=f"https://github.com/acme/{name}.git",
        archived=archived,
        fork=fork,
        topics=tuple(topics),
        default_branch="main",
    )


def test_rules_map_by_hand_first_then_in_order():
    rules = parse_rules(
        "# rules\n"
        "topic:fraud = fraud\n"
        "name:search-* = search\n"
        "regex:^acme/ranking[-_] = search\n"
        "repo:acme/search-legacy = fraud\n",
        ["fraud", "search"],
    )
    assert team_for(_repo("scoring", topics=["fraud"]), rules) == "fraud"
    assert team_for(_repo("search-api"), rules) == "search"
    assert team_for(_repo("ranking_v2"), rules) == "search"
    assert team_for(_repo("search-legacy"), rules) == "fraud"
    assert team_for(_repo("misc"), rules) is None


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("topic:x = nobody", "Line 1 names the team 'nobody', which this organisation has not."),
        ("owner:x = fraud", "Line 1 is not a rule such as 'topic:fraud = fraud-detection'"),
        ("\nregex:([ = fraud", "The regular expression on line 2 is wrong"),
    ],
)
def test_wrong_rules_are_refused_with_their_line(text, sentence):
    with pytest.raises(ForgeError) as refused:
        parse_rules(text, ["fraud"])
    assert refused.value.message.startswith(sentence)


def test_the_plan_skips_archived_forks_and_connected_ones_and_says_why():
    rules = parse_rules("name:* = fraud", ["fraud"])
    listed = [
        _repo("a"),
        _repo("b", archived=True),
        _repo("c", fork=True),
        _repo("d"),
    ]
    rows = plan(listed, rules, existing_urls={"https://github.com/acme/d"})
    assert [(r.full_name, r.action) for r in rows] == [
        ("acme/a", "create"),
        ("acme/b", "archived"),
        ("acme/c", "fork"),
        ("acme/d", "exists"),
    ]
    rows = plan(listed, [], existing_urls=set(), include_archived=True, include_forks=True)
    assert {r.action for r in rows} == {"unmapped"}


def test_a_forge_answering_nonsense_is_refused_with_a_sentence():
    class Transport:
        def __call__(self, url, headers):
            return ForgeResponse(200, {}, b'{"not": "a list"}')

    api = validate_forge_api_url("https://140.82.112.5", resolver=_public)
    lister = ForgeLister(kind="github", api=api, owner="acme", token="", transport=Transport())
    with pytest.raises(ForgeError, match="not a list of repositories"):
        list(lister.repositories())


def test_fake_repo_defaults():
    assert FakeRepo("x").topics == []
