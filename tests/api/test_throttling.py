"""Every 429 of every throttle carries Retry-After: whole seconds, at least 1, and never more
than the rate's period. The throttles' clock is stubbed so that the awkward cases are exact: a
wait under a second (which rounded down to "0" and was left out), and more recorded requests
than a lowered rate allows (where DRF knows no wait at all)."""

import itertools

import pytest
from rest_framework.throttling import SimpleRateThrottle

from assessments.api import throttling

from .conftest import error_of, token_client


class Clock:
    """The throttles' time, set by the test (an object, so it is not bound as a method)."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    stub = Clock()
    monkeypatch.setattr(SimpleRateThrottle, "timer", stub)
    return stub


def _set_rate(settings, scope, rate):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            scope: rate,
        },
    }


_usernames = itertools.count()


def _token_client_request(member):
    client = token_client(member)
    return lambda: client.get("/api/v1/teams/")


def _auth_token_request(anonymous):
    # A new username each time: the per-username lockout is not what stops these.
    return lambda: anonymous.post(
        "/api/v1/auth/token/", {"username": f"nobody{next(_usernames)}", "password": "x"}
    )


@pytest.fixture(params=["token-client", "auth-token"])
def throttled_endpoint(request, member, anonymous):
    """(scope, send one request) for each throttle class of throttling.py."""
    if request.param == "token-client":
        return request.param, _token_client_request(member)
    return request.param, _auth_token_request(anonymous)


def test_every_throttle_class_of_the_module_is_covered():
    classes = {
        name
        for name, value in vars(throttling).items()
        if isinstance(value, type)
        and issubclass(value, SimpleRateThrottle)
        and value.__module__ == throttling.__name__
    }
    assert classes == {"TokenClientRateThrottle", "ScopedThrottle"}
    assert throttling.TokenClientRateThrottle.scope == "token-client"
    from assessments.api.tokens import AuthTokenView

    assert AuthTokenView.throttle_classes == [throttling.ScopedThrottle]
    assert AuthTokenView.throttle_scope == "auth-token"


def _assert_throttled(response, retry_after: int):
    assert response.status_code == 429
    assert error_of(response)["error"]["code"] == "throttled"
    assert response["Retry-After"] == str(retry_after)
    assert f"try again in {retry_after} second" in response.json()["detail"]


def test_a_429_says_when_the_oldest_counted_request_expires(throttled_endpoint, settings, clock):
    scope, send = throttled_endpoint
    _set_rate(settings, scope, "2/minute")
    assert send().status_code != 429
    clock.now += 10
    assert send().status_code != 429
    clock.now += 5
    _assert_throttled(send(), 45)


def test_a_wait_under_a_second_is_rounded_up_to_one(throttled_endpoint, settings, clock):
    scope, send = throttled_endpoint
    _set_rate(settings, scope, "2/minute")
    send()
    send()
    clock.now += 59.7
    _assert_throttled(send(), 1)
    clock.now += 0.4
    assert send().status_code != 429


def test_a_lowered_rate_still_says_when_to_retry(throttled_endpoint, settings, clock):
    scope, send = throttled_endpoint
    _set_rate(settings, scope, "5/minute")
    for _ in range(3):
        clock.now += 1
        assert send().status_code != 429
    # Three requests in the last minute, and now only two allowed: DRF's own wait is None.
    _set_rate(settings, scope, "2/minute")
    clock.now += 1
    # The request two back (the second) must leave the window: 60 - (4 - 2) = 58 seconds.
    _assert_throttled(send(), 58)
    clock.now += 58
    assert send().status_code != 429


def test_every_429_of_a_burst_carries_retry_after(throttled_endpoint, settings, clock):
    scope, send = throttled_endpoint
    _set_rate(settings, scope, "3/minute")
    responses = []
    for _ in range(12):
        clock.now += 0.25
        responses.append(send())
    throttled = [r for r in responses if r.status_code == 429]
    assert len(throttled) == 9
    assert all(1 <= int(r["Retry-After"]) <= 60 for r in throttled)
