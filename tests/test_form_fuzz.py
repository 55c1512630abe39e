"""The other browser forms fuzzed with hypothesis: connecting a repository, naming an API token
and logging in. Whatever is posted, nothing answers 500, a refusal saves nothing, and what is
accepted is stored as the form showed it."""

import socket

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import ApiToken, Repository

from .fuzzing import form_text, fuzz_settings

ANY_TEXT = form_text(max_size=80)
FUZZ = fuzz_settings(max_examples=50)
URLS = st.one_of(
    ANY_TEXT,
    st.sampled_from(
        [
            "https://github.com/acme/models.git",
            "https://140.82.112.3/acme/models.git",  # public: accepted without a lookup
            "https://127.0.0.1/x.git",
            "https://[::1]/x.git",
            "https://0x7f000001/x.git",
            "file:///etc/passwd",
            "ext::sh -c touch% /tmp/pwned",
            "--upload-pack=touch /tmp/pwned",
            "https://github.com/acme/x.git\nHost: evil",
            "https://user:pw@github.com/x.git",
        ]
    ),
    ANY_TEXT.map(lambda tail: f"https://github.com/{tail}"),
)


@pytest.fixture
def no_name_resolves(monkeypatch):
    """Every name lookup fails at once: fuzzed host names never reach a real resolver."""

    def unresolvable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)


@FUZZ
@given(
    url=URLS,
    branch=st.one_of(ANY_TEXT, st.sampled_from(["main", "-x", "a..b", "release/1.2"])),
    token=ANY_TEXT,
    interval=st.one_of(st.integers(-5, 1000).map(str), ANY_TEXT),
)
def test_fuzzed_repository_connections_never_fail_and_refusals_save_nothing(
    client, team, lead, no_name_resolves, url, branch, token, interval
):
    client.force_login(lead)
    before = Repository.objects.count()
    response = client.post(
        reverse("repository_connect", args=[team.slug]),
        {"url": url, "branch": branch, "access_token": token, "scan_interval_hours": interval},
    )
    assert response.status_code in (200, 302), response.content[:300]
    if response.status_code == 200:
        assert Repository.objects.count() == before
        body = response.content.decode()
        assert 'class="errorlist' in body or 'role="alert"' in body
        if len(token) >= 8 and token not in url + branch + interval:
            assert token not in body  # a refused form never echoes the token back
    else:
        repository = Repository.objects.latest("pk")
        assert repository.branch == branch.strip()
        assert repository.scan_interval_hours == int(interval)
        assert bool(repository.access_token_encrypted) == bool(token.strip())


@FUZZ
@given(name=st.one_of(ANY_TEXT, st.just("x" * 500), st.just("nul\x00")))
def test_fuzzed_token_names_never_fail_and_accepted_names_come_back_as_given(client, member, name):
    client.force_login(member)
    before = ApiToken.objects.count()
    response = client.post(reverse("profile"), {"name": name})
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert ApiToken.objects.count() == before
    else:
        assert ApiToken.objects.latest("pk").name == name.strip()


@FUZZ
@given(username=ANY_TEXT, password=ANY_TEXT)
def test_fuzzed_logins_never_fail(client, member, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 403, 429), response.content[:300]
    assert "_auth_user_id" not in client.session


def test_the_fuzzed_connection_form_is_accepted_when_well_formed(client, team, lead):
    """The fuzz above reaches its accepted branch too: a well-formed post is taken as typed."""
    client.force_login(lead)
    response = client.post(
        reverse("repository_connect", args=[team.slug]),
        {
            "url": "https://140.82.112.3/acme/models.git",
            "branch": " release/1.2 ",
            "access_token": "ghp_example",
            "scan_interval_hours": "12",
        },
    )
    assert response.status_code == 302
    repository = Repository.objects.get()
    assert (repository.branch, repository.scan_interval_hours) == ("release/1.2", 12)
