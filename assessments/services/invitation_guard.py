"""The limit on guessing invitation links, per client address.

Every look-up of a link is counted *before* its token is read, with an atomic increment in the
shared cache (Redis in production), and allowed or refused from what the increment returns: so
concurrent guesses cannot all slip past the limit while the first ones are still being looked
up, as they could if the counter were read first and raised later. A look-up that finds a real
invitation was no guess and is given back, so the holder of a real link can open it as often
as they need. Once the limit is reached every link answers the same refusal, a real one too,
so a guess cannot be confirmed until the window ends.
"""

import contextlib

from django.core.cache import cache

GUESSES_ALLOWED = 20
GUESS_WINDOW_SECONDS = 15 * 60


def _key(address: str) -> str:
    return f"invitation-guesses:{address}"


def invitation_guess_allowed(*, address: str) -> bool:
    """Count a look-up from `address` as a guess; False once it is past the limit."""
    key = _key(address)
    cache.add(key, 0, timeout=GUESS_WINDOW_SECONDS)
    try:
        guesses = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=GUESS_WINDOW_SECONDS)
        guesses = 1
    if guesses == 1:
        # The first of a window. Or the window ended between the cache's check that the key is
        # there and its increment (two steps in Redis), which made the key anew without an
        # expiry: it would then count forever.
        cache.touch(key, GUESS_WINDOW_SECONDS)
    return guesses <= GUESSES_ALLOWED


def invitation_guess_was_real(*, address: str) -> None:
    """The link named a real invitation (valid, or expired, revoked, accepted): the look-up was
    no guess, so it stops counting."""
    # The window may have ended meanwhile: then nothing is counted any more.
    key = _key(address)
    with contextlib.suppress(ValueError):
        if cache.decr(key) <= 0:
            # Nothing counted: as if the window had ended. And a key the decrement made anew,
            # having raced the window's end, would have no expiry.
            cache.delete(key)
