"""Single sign-on with an OpenID Connect provider (docs/single-sign-on.md), and whether local
passwords stay on beside it."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

# Off while OIDC_ISSUER is empty: the login page is the password form alone. The provider's
# endpoints are read from <issuer>/.well-known/openid-configuration the first time a sign-in
# needs them (then kept for the life of the process); an OIDC_OP_* variable set here wins over
# the discovered value, for a provider without discovery.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile groups")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# The name on the login page's button: "Sign in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
# ID tokens are signed by the provider's keys (its JWKS), never by the shared client secret, so
# that a token changed on its way is refused; PKCE and a nonce bind the code to this browser.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # sent back to the provider as the hint when logging out
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_AUTHENTICATE_CLASS = "assessments.views.sso.OidcAuthenticateView"
OIDC_CALLBACK_CLASS = "assessments.views.sso.OidcCallbackView"
# With single sign-on on, local passwords may be turned off: the password form disappears and
# the password backend refuses every password login (browser, admin, API token trade). API
# tokens keep working.
LOCAL_PASSWORDS_ENABLED = env.bool("LOCAL_PASSWORDS_ENABLED", default=True)
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER is set: OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET must be set too."
    )
if not LOCAL_PASSWORDS_ENABLED and not OIDC_ISSUER:
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS_ENABLED=false needs single sign-on (OIDC_ISSUER): nobody could log in."
    )
