from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import sso
from .compiled_queries import CompiledQuery, concrete_columns, instance_from
from .services.login_guard import login_attempt_begin, login_attempt_succeeded


class LockoutModelBackend(ModelBackend):
    """Django's password check behind the guessing limit, for every way of logging in; no
    password logs anyone in while local passwords are turned off (LOCAL_PASSWORDS_ENABLED)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        if not sso.local_passwords_enabled():
            # Stops the other backends too: passwords off means off.
            raise PermissionDenied("local passwords are turned off")
        if not login_attempt_begin(username=username):
            # PermissionDenied stops Django from trying other backends: locked means locked.
            raise PermissionDenied("locked out")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            login_attempt_succeeded(username=username)
        return user

    def get_user(self, user_id: int) -> User | None:
        """The signed-in user, as Django's backend finds them (None when gone or inactive),
        read on every request of a session: from a query compiled once (see CompiledQuery)."""
        found = _USER_BY_ID.rows(user_id=user_id)
        if not found:
            return None
        user = instance_from(User, found[0], 0, DEFAULT_DB_ALIAS)
        return user if self.user_can_authenticate(user) else None


_USER_BY_ID = CompiledQuery(
    lambda user_id: User.objects.filter(pk=user_id).values_list(*concrete_columns(User))
)


class OidcBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """mozilla-django-oidc's code flow, with the provider's endpoints read when a sign-in needs
    them (assessments.sso), ID tokens checked against the provider's keys, issuer, this
    client's id and expiry, users found by their provider account (issuer and `sub`) and
    created at their first sign-in, and memberships kept in step with the groups claim."""

    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None
    LEEWAY_SECONDS = 30

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The parent reads every endpoint here; this backend is also built for each request of
        # a signed-in user (to load them), which must not wait for the provider.
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the parent's attribute names)
        return sso.provider().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return sso.provider().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return sso.provider().jwks_uri

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802
        client_id: str = settings.OIDC_RP_CLIENT_ID
        return client_id

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:  # noqa: N802
        secret: str = settings.OIDC_RP_CLIENT_SECRET
        return secret

    def get_user(self, user_id: Any) -> User | None:
        # The parent's would load a deactivated account too: a session stays only while active.
        user: User | None = ModelBackend.get_user(self, user_id)
        return user

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Password logins pass a username and password: never this backend's business.
        if not sso.oidc_enabled() or "password" in kwargs or "username" in kwargs:
            return None
        # The parent's answer is get_or_create_user's, below.
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def _verify_jws(self, payload: bytes, key: Any) -> dict[str, Any]:
        """The token's signature by the provider's key, and its issuer, audience and expiry."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"the ID token is not a signed token ({error})") from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"the ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=self.LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"the ID token was refused: {error}") from error

    def retrieve_matching_jwk(self, token: bytes) -> Any:
        try:
            return super().retrieve_matching_jwk(token)
        except (jwt.InvalidTokenError, KeyError) as error:
            raise SuspiciousOperation(f"the ID token's key is unknown ({error})") from error

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint's (which must be about the
        same subject)."""
        userinfo: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("the userinfo answer is about another subject")
        protocol = {"aud", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "azp", "jti"}
        return {k: v for k, v in payload.items() if k not in protocol} | userinfo

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        from .services.sso import groups_from_claims, sso_memberships_sync, sso_user_get_or_create

        claims = self.get_userinfo(access_token, id_token, payload)
        groups = groups_from_claims(claims, settings.OIDC_GROUPS_CLAIM)
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    user = sso_user_get_or_create(issuer=settings.OIDC_ISSUER, claims=claims)
                    if not user.is_active:
                        return None
                    sso_memberships_sync(user=user, groups=groups)
                    return user
            except IntegrityError:
                # The same person's first sign-in in two tabs at once: the other one made the
                # account; the second attempt finds it.
                if attempt == 2:
                    raise
        return None
