"""The OpenID provider this deployment signs in with: whether single sign-on is on, and the
provider's endpoints, read from its discovery document once and kept for the process.

Settings come from the environment (mlmaturity/config/sso.py, docs/single-sign-on.md); they are
read at each call, so tests can change them with `override_settings`.
"""

import threading
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.http import HttpRequest

DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or does not fit the settings."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str  # empty when the provider has none


_discovered: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def local_passwords_enabled() -> bool:
    # Turning passwords off without single sign-on would lock everyone out: settings refuse it,
    # and this says so again for a test that overrides one of the two.
    return settings.LOCAL_PASSWORDS_ENABLED or not oidc_enabled()


def provider_name() -> str:
    return str(settings.OIDC_PROVIDER_NAME)


def _discovery(issuer: str) -> dict[str, Any]:
    with _lock:
        if issuer in _discovered:
            return _discovered[issuer]
    try:
        response = requests.get(issuer + DISCOVERY_PATH, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"the provider's discovery document: {error}") from error
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"the discovery document at {issuer}{DISCOVERY_PATH} names another issuer"
        )
    with _lock:
        _discovered[issuer] = document
    return document


def provider() -> Provider:
    """The provider's endpoints: the OIDC_OP_* settings where set, else its discovery
    document's. Raises ProviderUnavailable when discovery is needed and fails."""
    issuer = settings.OIDC_ISSUER
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    logout = settings.OIDC_OP_LOGOUT_ENDPOINT
    document: dict[str, Any] = {}
    if not all(explicit.values()):
        document = _discovery(issuer)
    values = {key: value or document.get(key, "") for key, value in explicit.items()}
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise ProviderUnavailable(f"the provider publishes no {', '.join(missing)}")
    return Provider(
        issuer=issuer,
        end_session_endpoint=logout or document.get("end_session_endpoint", ""),
        **values,
    )


def forget_discovery() -> None:
    """Read the discovery document again at the next sign-in (tests, key rotation)."""
    with _lock:
        _discovered.clear()


def login_options(request: HttpRequest) -> dict[str, Any]:
    """Template context: how people sign in here."""
    return {
        "sso_enabled": oidc_enabled(),
        "sso_provider_name": provider_name(),
        "local_passwords_enabled": local_passwords_enabled(),
    }
