"""Push webhooks from GitHub and GitLab: verify the signature, then queue a scan."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ..errors import ApplicationError
from ..models import Repository, Scan
from .scans import scan_enqueue
from .secrets import decrypt


class WebhookRefused(ApplicationError):
    pass


def _github_signature_valid(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # Bytes, because compare_digest refuses non-ASCII text and headers are attacker-controlled.
    return hmac.compare_digest(expected.encode(), (header or "").encode("utf-8", "replace"))


def _gitlab_token_valid(secret: str, header: str) -> bool:
    return hmac.compare_digest(secret.encode(), (header or "").encode("utf-8", "replace"))


def webhook_receive(
    *, repository: Repository, provider: str, body: bytes, headers: Mapping[str, str]
) -> Scan | None:
    """Queue a scan for a verified push to the connected branch; None for other events.

    Nothing is queued unless the signature checks out.
    """
    try:
        secret = decrypt(repository.webhook_secret_encrypted)
    except ApplicationError:
        raise WebhookRefused("This repository's webhook secret must be set again.") from None
    if provider == "github":
        valid = _github_signature_valid(secret, body, headers.get("X-Hub-Signature-256", ""))
        event = headers.get("X-GitHub-Event", "")
    elif provider == "gitlab":
        valid = _gitlab_token_valid(secret, headers.get("X-Gitlab-Token", ""))
        event = "push" if headers.get("X-Gitlab-Event", "") == "Push Hook" else "other"
    else:
        raise WebhookRefused(f"'{provider}' webhooks are not supported.")
    if not secret or not valid:
        raise WebhookRefused("The webhook signature does not match this repository's secret.")
    if event == "ping":
        return None
    if event != "push":
        return None
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise WebhookRefused("The webhook body is not JSON.") from None
    if not isinstance(payload, dict):
        return None
    # Without a branch of its own the repository follows the forge's default branch, which
    # both GitHub and GitLab name in the push payload.
    branch = repository.branch or _default_branch(payload)
    if branch and payload.get("ref") != f"refs/heads/{branch}":
        return None
    return scan_enqueue(repository=repository, trigger="webhook")


def _default_branch(payload: dict[str, Any]) -> str | None:
    for owner in ("repository", "project"):
        described = payload.get(owner)
        if isinstance(described, dict) and isinstance(described.get("default_branch"), str):
            return described["default_branch"] or None
    return None
