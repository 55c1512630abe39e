"""Personal API tokens: create (shown once), revoke, authenticate; and the password-for-token trade.

Only a token's SHA-256 is stored. A token is 256 random bits, so a fast hash is enough: nobody
can guess one, and a leaked table gives nothing away. Trading a password for a token is the one
place an attacker can guess passwords through the API, so failures are counted per username in
the shared cache and the username is locked out for a while after a few of them.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from .. import sso
from ..access import organizations_of
from ..errors import ActionNotAllowed, ApplicationError
from ..models import ApiToken, AuditAction
from .audit import audit_record
from .login_guard import LOCKOUT_SECONDS, login_is_locked_out

TOKEN_PREFIX = "mlm_"  # noqa: S105 - a public marker that tells tokens apart, not a secret
# What the profile page shows to tell tokens apart: the fixed prefix and 8 random characters.
SHOWN_PREFIX_LENGTH = 12
NAME_MAX_LENGTH = 100
MAX_ACTIVE_TOKENS_PER_USER = 100
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidCredentials(ApplicationError):
    def __init__(self) -> None:
        super().__init__("The username and password do not match an active account.")


class PasswordLoginTurnedOff(ActionNotAllowed):
    def __init__(self) -> None:
        super().__init__(
            "Password log-in is turned off here, so a password cannot be traded for a token: "
            f"sign in with {sso.provider_name()} and create a token on your profile page."
        )


class LoginLockedOut(ApplicationError):
    def __init__(self) -> None:
        minutes = LOCKOUT_SECONDS // 60
        super().__init__(
            "Too many failed attempts for this username; token requests for it are refused "
            f"for {minutes} minutes. Use a token from your profile page in the meantime.",
            extra={"retry_after_seconds": LOCKOUT_SECONDS},
        )


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the token a name, so you can tell it apart later.")
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(f"The token name is longer than {NAME_MAX_LENGTH} characters.")
    if "\x00" in name:
        raise ApplicationError("The token name contains a NUL character, which cannot be stored.")
    return name


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plaintext, which is never stored."""
    name = _clean_name(name)
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ApplicationError(
            f"You already have {active} active API tokens; revoke the ones you no longer use "
            "on your profile page first."
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        key_hash=hash_token(plaintext),
        prefix=plaintext[:SHOWN_PREFIX_LENGTH],
    )
    try:
        token.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from error
    token.save()
    _record(token, action=AuditAction.TOKEN_CREATED)
    return token, plaintext


def _record(token: ApiToken, *, action: AuditAction) -> None:
    """One event in each organisation the token reaches the data of (`access.organizations_of`
    its owner: every one for a superuser's). The name and id only: neither the token nor its
    prefix is logged."""
    for organization in organizations_of(token.user):
        audit_record(
            organization=organization,
            actor=token.user,
            action=action,
            target=token,
            details={"name": token.name},
        )


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Revoke the user's own token; revoking an already revoked token changes nothing."""
    if token.user_id != user.pk:
        raise ActionNotAllowed("You can only revoke your own API tokens.")
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        _record(token, action=AuditAction.TOKEN_REVOKED)
    return token


def api_token_authenticate(*, plaintext: str) -> ApiToken | None:
    """The active token with this plaintext, its user loaded; None when unknown or revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= stale_before:
        # Conditional, so concurrent requests write once per minute at most.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_authenticate_credentials(
    *, username: str, password: str, token_name: str = "", request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Trade a username and password for a new token, refusing locked-out usernames.

    During a lockout even the right password is refused, so guessing cannot go on in the
    background and be confirmed later.
    """
    if not sso.local_passwords_enabled():
        raise PasswordLoginTurnedOff()
    if login_is_locked_out(username=username):
        raise LoginLockedOut()
    # The authentication backend counts the attempt and locks the username after too many.
    user = authenticate(request, username=username, password=password)
    if user is None:
        if login_is_locked_out(username=username):
            raise LoginLockedOut()
        raise InvalidCredentials()
    name = token_name or f"API login {timezone.localtime():%Y-%m-%d %H:%M}"
    return api_token_create(user=user, name=name)
