"""Application errors; views and the API turn them into a clear sentence for the user."""

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: str, *, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ActionNotAllowed(ApplicationError):
    """The user's role in the team does not allow this change; the sentence says who can."""


class InvitationEmailDeferred(Exception):
    """The mail server failed in a way worth trying again (unreachable, timed out, a 4xx
    answer); the invitation email task retries on this exception and on nothing else."""
