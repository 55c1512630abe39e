"""Password guessing limits, shared by the browser login, the admin and the API token trade.

Each attempt is counted *before* the password is checked, with an atomic increment in the
shared cache (Redis in production), so concurrent guesses cannot slip past the limit while the
first ones are still being checked. A locked-out username is refused even with the right
password until the lockout ends.
"""

import hashlib

from django.core.cache import cache

ATTEMPT_LIMIT = 5
ATTEMPT_WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60


def _key(kind: str, username: str) -> str:
    # Hashed so any username makes a valid cache key; case-folded so "Alice" and "alice" share
    # one counter and changing case buys no extra guesses.
    digest = hashlib.sha256(username.casefold().encode()).hexdigest()
    return f"login:{kind}:{digest}"


def login_is_locked_out(*, username: str) -> bool:
    return bool(cache.get(_key("locked", username)))


def login_attempt_begin(*, username: str) -> bool:
    """Count an attempt; False when the username is locked out (or this attempt locks it)."""
    if login_is_locked_out(username=username):
        return False
    key = _key("attempts", username)
    cache.add(key, 0, timeout=ATTEMPT_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=ATTEMPT_WINDOW_SECONDS)
        attempts = 1
    if attempts > ATTEMPT_LIMIT:
        cache.set(_key("locked", username), True, timeout=LOCKOUT_SECONDS)
        cache.delete(key)
        return False
    return True


def login_attempt_succeeded(*, username: str) -> None:
    cache.delete(_key("attempts", username))
