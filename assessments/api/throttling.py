"""Throttles. Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read per request,
so a settings override (in tests, say) takes effect; counters live in the shared cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from ..models import ApiToken


class _RateFromCurrentSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def wait(self) -> float:
        """Seconds until the next request is allowed, never None: DRF's answers None when more
        requests are recorded than the rate allows (after the rate was lowered), and every 429
        must say when to come back (the exception handler rounds this up to whole seconds)."""
        wait = super().wait()  # type: ignore[misc]
        if wait is not None:
            return wait
        # The history is newest first: a request is allowed again once all but
        # num_requests - 1 of the recorded ones are older than the period.
        oldest_counted = self.history[max(self.num_requests - 1, 0)]  # type: ignore[attr-defined]
        return max(self.duration - (self.now - oldest_counted), 1)  # type: ignore[attr-defined]


class TokenClientRateThrottle(_RateFromCurrentSettings, UserRateThrottle):
    """Limits scripts using a personal API token, per user; browser sessions are not counted."""

    scope = "token-client"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)


class ScopedThrottle(_RateFromCurrentSettings, ScopedRateThrottle):
    """A view's `throttle_scope`, per client address (used by the password-for-token trade)."""
