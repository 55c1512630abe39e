"""Scan errors: every message is one user-facing sentence and never carries a secret.

Callers (Celery tasks, the CLI, the API) show ``str(error)`` to people and decide on retries
with ``error.transient``; the optional ``detail`` is for operators' logs and is already
scrubbed of access tokens.
"""

from __future__ import annotations


class ScanError(Exception):
    """Base class of every failure the scanner reports."""

    transient = False

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class UnsafeRepositoryURL(ScanError, ValueError):
    """The repository address was refused before any connection was made."""


class HostResolutionFailed(UnsafeRepositoryURL):
    """The host name could not be resolved; DNS hiccups are worth a retry."""

    transient = True


class RepositoryUnavailable(ScanError):
    """The repository could not be fetched: missing, private, or the network failed."""

    def __init__(self, message: str, *, transient: bool, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.transient = transient


class LimitExceeded(ScanError):
    """A safety cap (time, output size) stopped the scan."""


class GitUnavailable(ScanError):
    """The git executable is missing or too old for a hardened fetch."""


class InvalidProjectFolder(ScanError, ValueError):
    """The project folder of a monorepo is not a plain relative folder, or does not exist."""
