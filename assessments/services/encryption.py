"""Encryption at rest for repository access tokens and webhook secrets (Fernet)."""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from ..errors import ApplicationError


@functools.cache
def _fernet(key_material: str) -> Fernet:
    if settings.TOKEN_ENCRYPTION_KEY:
        return Fernet(settings.TOKEN_ENCRYPTION_KEY.encode())
    # Without a dedicated key, derive one from the secret key (rotating it makes old tokens
    # unreadable, which the user is told when a scan needs them).
    digest = hashlib.sha256(f"mlmaturity-token-encryption:{key_material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _fernet(settings.SECRET_KEY).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ApplicationError(
            "The stored access token can no longer be read (the encryption key changed); "
            "a team lead must enter it again."
        ) from None
