"""Push webhooks from GitHub and GitLab: verify the signature, then queue a scan.

Two kinds: a repository's own webhook, and one webhook for a whole forge connection (a GitHub
organisation or a GitLab group), which queues a scan of every connected repository of the
organisation that the push went to."""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from ..errors import ApplicationError
from ..models import AuditAction, ForgeConnection, Repository, Scan
from .audit import audit_record
from .encryption import decrypt, encrypt
from .forges import require_forge_admin
from .scans import scan_enqueue


class WebhookRefused(ApplicationError):
    pass


def _github_signature_valid(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # Bytes, because compare_digest refuses non-ASCII text and headers are attacker-controlled.
    return hmac.compare_digest(expected.encode(), (header or "").encode("utf-8", "replace"))


def _gitlab_token_valid(secret: str, header: str) -> bool:
    return hmac.compare_digest(secret.encode(), (header or "").encode("utf-8", "replace"))


def _verified_push(
    secret_encrypted: str, *, whose: str, provider: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any] | None:
    """The payload of a push event whose signature matches the secret; None for another event
    (a ping, say). Raises WebhookRefused, and nothing is queued, unless the signature checks
    out. `whose` names the secret's owner in the refusal ("this repository's")."""
    try:
        secret = decrypt(secret_encrypted)
    except ApplicationError:
        raise WebhookRefused(f"The webhook secret of {whose} must be set again.") from None
    if provider == "github":
        valid = _github_signature_valid(secret, body, headers.get("X-Hub-Signature-256", ""))
        event = headers.get("X-GitHub-Event", "")
    elif provider == "gitlab":
        valid = _gitlab_token_valid(secret, headers.get("X-Gitlab-Token", ""))
        event = "push" if headers.get("X-Gitlab-Event", "") == "Push Hook" else "other"
    else:
        raise WebhookRefused(f"'{provider}' webhooks are not supported.")
    if not secret or not valid:
        raise WebhookRefused(f"The webhook signature does not match the secret of {whose}.")
    if event != "push":
        return None
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise WebhookRefused("The webhook body is not JSON.") from None
    return payload if isinstance(payload, dict) else None


def _on_followed_branch(repository: Repository, payload: dict[str, Any]) -> bool:
    # Without a branch of its own the repository follows the forge's default branch, which
    # both GitHub and GitLab name in the push payload.
    branch = repository.branch or _default_branch(payload)
    return not branch or payload.get("ref") == f"refs/heads/{branch}"


def webhook_receive(
    *, repository: Repository, provider: str, body: bytes, headers: Mapping[str, str]
) -> Scan | None:
    """Queue a scan for a verified push to the connected branch; None for other events."""
    payload = _verified_push(
        repository.webhook_secret_encrypted,
        whose="this repository",
        provider=provider,
        body=body,
        headers=headers,
    )
    if payload is None or not _on_followed_branch(repository, payload):
        return None
    return scan_enqueue(repository=repository, trigger="webhook")


def forge_webhook_receive(
    *, connection: ForgeConnection, provider: str, body: bytes, headers: Mapping[str, str]
) -> list[Scan]:
    """Queue a scan of each connected repository of the connection's organisation that a
    verified push went to (a monorepo connected per project folder has one per folder)."""
    if not connection.webhook_secret_encrypted:
        raise WebhookRefused("This connection's webhook is not set up.")
    if provider != connection.kind:
        raise WebhookRefused(
            f"This connection is a {connection.get_kind_display()}; "
            f"its webhook takes {connection.kind} events."
        )
    payload = _verified_push(
        connection.webhook_secret_encrypted,
        whose="this connection",
        provider=provider,
        body=body,
        headers=headers,
    )
    if payload is None:
        return []
    addresses = _pushed_repository_addresses(payload)
    if not addresses:
        return []
    repositories = Repository.objects.filter(
        team__organization_id=connection.organization_id, url__in=addresses
    ).order_by("pk")
    return [
        scan_enqueue(repository=repository, trigger="webhook")
        for repository in repositories
        if _on_followed_branch(repository, payload)
    ]


def forge_webhook_secret_reset(*, connection: ForgeConnection, user: User) -> str:
    """Give the connection's webhook a new secret (the first, or in place of one that leaked)
    and return it: the org admin copies it into the forge's webhook settings."""
    require_forge_admin(user, connection.organization)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        connection.webhook_secret_encrypted = encrypt(secret)
        connection.save(update_fields=["webhook_secret_encrypted"])
        audit_record(
            organization=connection.organization,
            actor=user,
            action=AuditAction.FORGE_WEBHOOK_SECRET_SET,
            target=connection,
            details={"owner": connection.owner},
        )
    return secret


def _pushed_repository_addresses(payload: dict[str, Any]) -> list[str]:
    """The addresses a push names its repository by (GitHub's `repository`, GitLab's
    `project`), with and without `.git`, as they may have been connected."""
    addresses: set[str] = set()
    for owner, keys in (
        ("repository", ("clone_url", "html_url")),
        ("project", ("git_http_url", "http_url", "web_url")),
    ):
        described = payload.get(owner)
        if not isinstance(described, dict):
            continue
        for key in keys:
            value = described.get(key)
            if isinstance(value, str) and value.startswith("https://") and len(value) < 500:
                base = value.removesuffix(".git")
                addresses |= {base, f"{base}.git"}
    return sorted(addresses)


def _default_branch(payload: dict[str, Any]) -> str | None:
    for owner in ("repository", "project"):
        described = payload.get(owner)
        if isinstance(described, dict) and isinstance(described.get("default_branch"), str):
            return described["default_branch"] or None
    return None
