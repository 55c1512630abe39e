"""Guessing invitation links: each address gets a fixed number of unknown links per window,
counted before the token is read, so guesses that overlap cannot go past the limit."""

import os
import uuid

import pytest
from django.urls import reverse

from assessments.services import invitation_guard
from assessments.services.invitation_guard import (
    GUESSES_ALLOWED,
    invitation_guess_allowed,
    invitation_guess_was_real,
)
from assessments.services.invitations import invitation_create
from assessments.views import invitations as invitation_views

ADDRESS = "203.0.113.9"


def accept_url(token):
    return reverse("invitation_accept", args=[token])


def test_it_allows_the_limit_of_guesses_and_refuses_the_next():
    assert all(invitation_guess_allowed(address=ADDRESS) for _ in range(GUESSES_ALLOWED))
    assert not invitation_guess_allowed(address=ADDRESS)
    assert invitation_guess_allowed(address="198.51.100.1")  # another address has its own


def test_guesses_begun_together_cannot_exceed_the_limit():
    """Every look-up starts before any of them has found its link unknown: the interleaving in
    which a counter read first and raised afterwards let them all through."""
    begun = [invitation_guess_allowed(address=ADDRESS) for _ in range(GUESSES_ALLOWED + 10)]
    assert begun.count(True) == GUESSES_ALLOWED


def test_a_real_link_is_given_back():
    for _ in range(GUESSES_ALLOWED * 2):
        assert invitation_guess_allowed(address=ADDRESS)
        invitation_guess_was_real(address=ADDRESS)
    assert all(invitation_guess_allowed(address=ADDRESS) for _ in range(GUESSES_ALLOWED))
    assert not invitation_guess_allowed(address=ADDRESS)


def test_giving_back_after_the_window_ended_does_nothing():
    invitation_guess_was_real(address=ADDRESS)  # no counter: nothing to give back
    assert all(invitation_guess_allowed(address=ADDRESS) for _ in range(GUESSES_ALLOWED))
    assert not invitation_guess_allowed(address=ADDRESS)


def test_opening_a_real_link_often_does_not_use_up_the_guesses(client, team, lead):
    _, token = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="nadia@example.com",
        role="member",
    )
    for _ in range(GUESSES_ALLOWED + 5):
        assert client.get(accept_url(token)).status_code == 200
    for n in range(GUESSES_ALLOWED):
        assert client.get(accept_url(f"guess{n}")).status_code == 404
    assert client.get(accept_url("guess-more")).status_code == 429


def test_overlapping_guesses_on_the_page_cannot_exceed_the_limit(client, db, monkeypatch):
    """Each request, while it looks its token up, lets the next one start: every request has
    passed the limit's check before the first has found its link unknown. (A small limit keeps
    the nested requests within Python's stack.)"""
    limit = 3
    monkeypatch.setattr(invitation_guard, "GUESSES_ALLOWED", limit)
    looked_up = []
    statuses = []
    real_lookup = invitation_views.invitation_for_token

    def overlapping_lookup(token):
        looked_up.append(token)
        if len(looked_up) < limit + 3:  # without a limit, stop somewhere
            statuses.append(client.get(accept_url(f"{token}x")).status_code)
        return real_lookup(token)

    monkeypatch.setattr(invitation_views, "invitation_for_token", overlapping_lookup)
    statuses.append(client.get(accept_url("guess")).status_code)
    assert len(looked_up) == limit
    # The innermost request, past the limit, answers first.
    assert statuses == [429] + [404] * limit


@pytest.mark.redis
def test_a_counter_made_anew_without_an_expiry_gets_one_back(settings):
    """On Redis, incr() and decr() check the key and then change it in two steps: a window
    that ends between them leaves a key made anew without an expiry, which would count forever.
    The first count of a window sets the expiry again; a give-back to nothing deletes it."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"guess-test-{uuid.uuid4()}",
        }
    }
    from django.core.cache import cache

    key = invitation_guard._key(ADDRESS)
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    stored = cache.make_and_validate_key(key)

    cache.set(key, 0, timeout=None)  # as the increment leaves it after the race
    assert server.ttl(stored) == -1  # no expiry
    assert invitation_guess_allowed(address=ADDRESS)
    assert 0 < server.ttl(stored) <= invitation_guard.GUESS_WINDOW_SECONDS

    cache.set(key, 0, timeout=None)  # as the decrement leaves it after the race, before it
    invitation_guess_was_real(address=ADDRESS)
    assert not server.exists(stored)
