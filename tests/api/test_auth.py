"""Token authentication (`Authorization: Token <token>`) and POST /api/v1/auth/token/."""

import os
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import ApiToken
from assessments.services.login_guard import ATTEMPT_LIMIT as LOGIN_FAILURE_LIMIT
from assessments.services.tokens import (
    api_token_create,
    api_token_revoke,
    hash_token,
)

from ..factories import UserFactory
from .conftest import error_of, token_client

PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"


def test_a_request_without_credentials_is_refused_with_401(anonymous, db):
    response = anonymous.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["error"]["code"] == "not_authenticated"


def test_a_valid_token_authenticates(member):
    response = token_client(member).get("/api/v1/teams/")
    assert response.status_code == 200


def test_only_the_hash_of_a_token_is_stored(member):
    token, plaintext = api_token_create(user=member, name="CI")
    token.refresh_from_db()
    assert token.key_hash == hash_token(plaintext)
    assert plaintext not in {token.key_hash, token.prefix, token.name}
    assert plaintext.startswith(token.prefix)


def test_an_unknown_token_is_refused(anonymous, db):
    anonymous.credentials(HTTP_AUTHORIZATION="Token mlm_not-a-real-token")
    response = anonymous.get("/api/v1/teams/")
    assert response.status_code == 401
    assert "unknown or was revoked" in error_of(response)["detail"]


def test_a_revoked_token_is_refused(member):
    token, plaintext = api_token_create(user=member, name="CI")
    api_token_revoke(token=token, user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    response = client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["detail"]


def test_the_token_of_a_deactivated_user_is_refused(member):
    client = token_client(member)
    member.is_active = False
    member.save()
    assert client.get("/api/v1/teams/").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token caf\u00e9"],
    ids=["no-token", "two-parts", "non-ascii"],
)
def test_a_malformed_authorization_header_is_refused_with_a_sentence(anonymous, db, header):
    anonymous.credentials(HTTP_AUTHORIZATION=header)
    response = anonymous.get("/api/v1/teams/")
    assert response.status_code == 401
    error_of(response)


def test_last_use_is_recorded_at_most_once_a_minute(member, django_assert_num_queries):
    token, plaintext = api_token_create(user=member, name="CI")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    client.get("/api/v1/catalogue/")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/catalogue/")
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/api/v1/catalogue/")
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(seconds=1)


def test_a_token_used_within_the_minute_costs_one_query(member, django_assert_num_queries):
    client = token_client(member)
    client.get("/api/v1/catalogue/")  # records the first use
    with django_assert_num_queries(1):
        assert client.get("/api/v1/catalogue/").status_code == 200


# --- POST /api/v1/auth/token/ ------------------------------------------------------------------


def test_a_username_and_password_are_traded_for_a_working_token(anonymous, db):
    user = UserFactory(username="alice")
    response = anonymous.post(
        TOKEN_URL, {"username": "alice", "password": PASSWORD, "name": "laptop"}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "name", "prefix"}
    assert body["name"] == "laptop"
    assert response["Cache-Control"] == "no-store"
    assert user.api_tokens.get().key_hash == hash_token(body["token"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/teams/").status_code == 200


def test_a_wrong_password_is_refused_with_a_sentence(anonymous, db):
    UserFactory(username="alice")
    response = anonymous.post(TOKEN_URL, {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "do not match" in error_of(response)["detail"]
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named(anonymous, db):
    response = anonymous.post(TOKEN_URL, {"username": "alice"})
    assert response.status_code == 400
    assert set(error_of(response)["error"]["fields"]) == {"password"}


def test_repeated_failures_lock_the_username_out_even_for_the_right_password(anonymous, db):
    UserFactory(username="alice")
    for _ in range(LOGIN_FAILURE_LIMIT):
        assert anonymous.post(TOKEN_URL, {"username": "alice", "password": "x"}).status_code == 400
    response = anonymous.post(TOKEN_URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    body = error_of(response)
    assert body["error"]["code"] == "locked_out"
    assert "Too many failed attempts" in body["detail"]
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_the_lockout_ignores_the_case_of_the_username(anonymous, db):
    UserFactory(username="alice")
    for variant in ("alice", "Alice", "ALICE", "aLice", "alicE"):
        anonymous.post(TOKEN_URL, {"username": variant, "password": "x"})
    response = anonymous.post(TOKEN_URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_a_lockout_of_one_username_leaves_others_alone(anonymous, db):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(LOGIN_FAILURE_LIMIT):
        anonymous.post(TOKEN_URL, {"username": "alice", "password": "x"})
    response = anonymous.post(TOKEN_URL, {"username": "bob", "password": PASSWORD})
    assert response.status_code == 201


def test_a_success_resets_the_failure_count(anonymous, db):
    UserFactory(username="alice")
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        anonymous.post(TOKEN_URL, {"username": "alice", "password": "x"})
    assert anonymous.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 201
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        anonymous.post(TOKEN_URL, {"username": "alice", "password": "x"})
    assert anonymous.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 201


def test_token_requests_are_throttled_per_client_with_429(anonymous, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth-token": "3/minute",
        },
    }
    for i in range(3):
        # A different username each time: the per-username lockout is not what stops these.
        response = anonymous.post(TOKEN_URL, {"username": f"nobody{i}", "password": "x"})
        assert response.status_code == 400
    response = anonymous.post(TOKEN_URL, {"username": "nobody9", "password": "x"})
    assert response.status_code == 429
    assert error_of(response)["error"]["code"] == "throttled"
    assert "try again in" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_the_default_rate_is_the_documented_one(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth-token"] == "10/minute"


def test_a_forwarded_for_header_does_not_dodge_the_throttle(anonymous, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth-token": "2/minute",
        },
    }
    statuses = [
        anonymous.post(
            TOKEN_URL,
            {"username": f"nobody{i}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_token_clients_are_throttled_but_browser_sessions_are_not(member, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token-client": "2/minute",
        },
    }
    client = token_client(member)
    assert [client.get("/api/v1/teams/").status_code for _ in range(3)] == [200, 200, 429]
    browser = APIClient()
    browser.force_login(member)
    assert [browser.get("/api/v1/teams/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.redis
def test_the_lockout_is_shared_through_redis(anonymous, db, settings):
    """With REDIS_URL set every process shares the counter: proven on the real cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"lockout-test-{uuid.uuid4()}",
            "TIMEOUT": 60,
        }
    }
    UserFactory(username="alice")
    for _ in range(LOGIN_FAILURE_LIMIT):
        anonymous.post(TOKEN_URL, {"username": "alice", "password": "x"})
    response = anonymous.post(TOKEN_URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_an_active_token_count_is_capped(member, monkeypatch):
    from assessments.services import tokens

    monkeypatch.setattr(tokens, "MAX_ACTIVE_TOKENS_PER_USER", 2)
    api_token_create(user=member, name="one")
    api_token_create(user=member, name="two")
    with pytest.raises(tokens.ApplicationError, match="revoke"):
        api_token_create(user=member, name="three")


def test_tokens_are_created_now(member):
    token, _ = api_token_create(user=member, name="CI")
    assert timezone.now() - token.created_at < timedelta(minutes=1)
