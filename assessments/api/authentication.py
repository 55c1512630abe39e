"""Personal API tokens: `Authorization: Token <token>`.

The token is looked up by its SHA-256 (the only form stored); revoked tokens and inactive users
are refused. The service records the last use at most once a minute.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ..models import ApiToken

if TYPE_CHECKING:
    # Imported for the checker only: at run time it would import DRF's generics while DRF's
    # settings load this module.
    from drf_spectacular.openapi import AutoSchema
from ..services.tokens import api_token_authenticate

KEYWORD = "Token"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Token <token>', with no spaces inside it."
            )
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "The token contains characters no token has."
            ) from None
        token = api_token_authenticate(plaintext=plaintext)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is unknown or was revoked; create a new one on your profile page."
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes unauthenticated requests answer 401 (with this challenge) rather than 403.
        return KEYWORD


# drf-spectacular's __init_subclass__, which registers the extension, is unannotated.
class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: "AutoSchema") -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal API token from your profile page or POST /api/v1/auth/token/, "
                "sent as `Token <token>`."
            ),
        }
