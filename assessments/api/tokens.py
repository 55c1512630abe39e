"""Trading a username and password for a personal API token. No team data."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ..services.tokens import token_authenticate_credentials
from . import serializers as s
from .base import UnscopedAPIView
from .throttling import ScopedThrottle


class AuthTokenView(UnscopedAPIView):
    """Trade a username and password for a new personal API token.

    Throttled per client address; after repeated failures for one username, that username is
    locked out for a while (403), even with the right password.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth-token"

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={201: s.TokenResponseSerializer},
        auth=[],
        operation_id="auth_token_create",
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, plaintext = token_authenticate_credentials(
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
            token_name=serializer.validated_data["name"],
            request=request,
        )
        body = {"token": plaintext, "name": token.name, "prefix": token.prefix}
        return Response(
            s.TokenResponseSerializer(body).data,
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},
        )
