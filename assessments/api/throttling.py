"""Throttles. Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read per request,
so a settings override (in tests, say) takes effect; counters live in the shared cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from ..models import ApiToken


class _RateFromCurrentSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenClientRateThrottle(_RateFromCurrentSettings, UserRateThrottle):
    """Limits scripts using a personal API token, per user; browser sessions are not counted."""

    scope = "token-client"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)


class ScopedThrottle(_RateFromCurrentSettings, ScopedRateThrottle):
    """A view's `throttle_scope`, per client address (used by the password-for-token trade)."""
