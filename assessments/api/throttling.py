"""Throttles. Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read per request,
so a settings override (in tests, say) takes effect; counters live in the shared cache."""

from typing import TYPE_CHECKING, cast

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from ..models import ApiToken

if TYPE_CHECKING:
    # For the checker only: DRF's settings load this module while DRF's views are importing.
    from rest_framework.request import Request
    from rest_framework.views import APIView

    # What the mixin is combined with, for the checker only: at run time it stays a plain mixin.
    _Throttle = SimpleRateThrottle
else:
    _Throttle = object


class _RateFromCurrentSettings(_Throttle):
    # Set by SimpleRateThrottle.__init__ from the rate; the stubs leave them out.
    num_requests: int
    duration: int

    def get_rate(self) -> str | None:
        if self.scope is None:
            return None
        # Rates are strings such as "100/minute" (DRF parses them); the stubs type this
        # setting's values as numbers.
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope)

    def wait(self) -> float:
        """Seconds until the next request is allowed, never None: DRF's answers None when more
        requests are recorded than the rate allows (after the rate was lowered), and every 429
        must say when to come back (the exception handler rounds this up to whole seconds)."""
        wait = super().wait()
        if wait is not None:
            return wait
        # The history is newest first: a request is allowed again once all but
        # num_requests - 1 of the recorded ones are older than the period.
        oldest_counted: float = self.history[max(self.num_requests - 1, 0)]
        return max(self.duration - (self.now - oldest_counted), 1)


class TokenClientRateThrottle(_RateFromCurrentSettings, UserRateThrottle):
    """Limits scripts using a personal API token, per user; browser sessions are not counted."""

    scope = "token-client"

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)


class ScopedThrottle(_RateFromCurrentSettings, ScopedRateThrottle):
    """A view's `throttle_scope`, per client address (used by the password-for-token trade)."""
