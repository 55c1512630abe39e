"""Importing the repositories of a GitHub organisation or a GitLab group.

An org admin connects the forge (its token encrypted like repository tokens), previews an
import with mapping rules (nothing is created), then runs it: the forge is listed again, the
same rules applied, and each mapped repository not connected yet is connected through
`repository_connect`. Re-running picks up new repositories and leaves existing ones alone.

Imported repositories do not queue their first scan at once: `first_scans_release`
(services.first_scans) queues them as scan slots free up, the slots shared fairly between the
organisations waiting, so 500 imported repositories do not hold up other organisations' scans
and an import alone still uses every worker.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import scanning
from ..access import administered_organization_ids, roles_remembered
from ..errors import ActionNotAllowed, ApplicationError
from ..models import (
    AuditAction,
    ForgeConnection,
    ForgeImport,
    ImportState,
    Organization,
    Repository,
    Team,
)
from ..scanning import forge_addresses, forge_codeowners, forge_listing, forge_mapping
from ..scanning.forge_http import PinnedHTTPS
from .audit import audit_record
from .encryption import decrypt, encrypt
from .first_scans import first_scans_release
from .repositories import repository_connect
from .scans import allowed_networks

logger = logging.getLogger(__name__)

TOKEN_MAX_LENGTH = 1000
CONNECT_BATCH = 100
PREVIEW_MAX_WAIT_SECONDS = 10
# The preview answers in the web request: it reads at most this many repositories' CODEOWNERS
# (up to three forge calls each); the import run reads them all, on a worker.
PREVIEW_CODEOWNERS_MAX = 20


def require_forge_admin(user: User, organization: Organization) -> None:
    administered = administered_organization_ids(user)
    if (
        administered is not None
        and not administered.filter(organization_id=organization.pk).exists()
    ):
        raise ActionNotAllowed("Only org admins can connect forges and import repositories.")


def _validated_api(api_url: str) -> forge_addresses.SafeApiURL:
    try:
        return forge_addresses.validate_forge_api_url(
            api_url,
            allowed_networks=allowed_networks(),
            allow_loopback=settings.FORGE_ALLOW_LOOPBACK,
        )
    except scanning.UnsafeRepositoryURL as error:
        raise ApplicationError(error.message) from None


def forge_connect(
    *,
    organization: Organization,
    user: User,
    kind: str,
    owner: str,
    token: str,
    api_url: str = "",
) -> ForgeConnection:
    """Connect a GitHub organisation or a GitLab group; the token is stored encrypted."""
    require_forge_admin(user, organization)
    try:
        owner = forge_listing.validate_owner(kind, owner)
    except forge_listing.ForgeError as error:
        raise ApplicationError(error.message) from None
    api = _validated_api(api_url.strip() or forge_listing.DEFAULT_API_URLS[kind])
    token = token.strip()
    if len(token) > TOKEN_MAX_LENGTH:
        raise ApplicationError(f"The token is longer than {TOKEN_MAX_LENGTH} characters.")
    connection = ForgeConnection(
        organization=organization,
        kind=kind,
        api_url=api.url,
        owner=owner,
        token_encrypted=encrypt(token),
        created_by=user,
    )
    try:
        with transaction.atomic():
            connection.save()
            audit_record(
                organization=organization,
                actor=user,
                action=AuditAction.FORGE_CONNECTED,
                target=connection,
                details={"kind": kind, "api_url": api.url, "owner": owner},
            )
    except IntegrityError:
        raise ApplicationError("This organisation or group is already connected.") from None
    return connection


@dataclass
class Listing:
    rows: list[forge_mapping.PreviewRow]
    api_calls: int


def _list_and_plan(
    connection: ForgeConnection,
    *,
    rules: list[forge_mapping.Rule],
    include_archived: bool,
    include_forks: bool,
    read_codeowners: bool,
    max_wait_seconds: float,
    codeowners_limit: int | None = None,
) -> Listing:
    """Every repository of the forge's organisation or group, rate limits waited out, and what
    the rules (and each repository's CODEOWNERS, when asked and up to `codeowners_limit`
    repositories) do with it."""
    organization = connection.organization
    api = _validated_api(connection.api_url)
    transport = PinnedHTTPS(
        api,
        ca_bundle=settings.FORGE_CA_BUNDLE or settings.SCAN_CA_BUNDLE or None,
        timeout=settings.FORGE_API_TIMEOUT_SECONDS,
    )
    lister = forge_listing.ForgeLister(
        kind=connection.kind,
        api=api,
        owner=connection.owner,
        token=decrypt(connection.token_encrypted),
        transport=transport,
        max_wait_seconds=max_wait_seconds,
        sleep=lambda seconds: time.sleep(seconds),
    )
    read = 0

    def codeowners_of(repo: forge_listing.ForgeRepo) -> forge_codeowners.CodeownersFile | None:
        nonlocal read
        if codeowners_limit is not None and read >= codeowners_limit:
            return forge_codeowners.CodeownersFile(
                "CODEOWNERS",
                None,
                f"read when the import runs (a preview reads the first {codeowners_limit})",
            )
        read += 1
        return forge_codeowners.read_codeowners(lister, repo)

    try:
        repos = list(lister.repositories())
        rows = forge_mapping.plan(
            repos,
            rules,
            existing_urls=_existing_urls(organization),
            include_archived=include_archived,
            include_forks=include_forks,
            read_codeowners=codeowners_of if read_codeowners else None,
            team_slugs=set(_team_slugs(organization)),
            forge_owner=connection.owner,
        )
    except forge_listing.ForgeError as error:
        raise ForgeListingFailed(error.message, api_calls=lister.stats.api_calls) from None
    finally:
        transport.close()
    return Listing(rows=rows, api_calls=lister.stats.api_calls)


class ForgeListingFailed(ApplicationError):
    def __init__(self, message: str, *, api_calls: int) -> None:
        super().__init__(message)
        self.api_calls = api_calls


def _team_slugs(organization: Organization) -> dict[str, Team]:
    return {team.slug: team for team in Team.objects.filter(organization=organization)}


def _existing_urls(organization: Organization) -> set[str]:
    urls = Repository.objects.filter(team__organization=organization).values_list("url", flat=True)
    return {forge_mapping.comparable_url(url) for url in urls}


def _rules(text: str, organization: Organization) -> list[forge_mapping.Rule]:
    try:
        return forge_mapping.parse_rules(text, _team_slugs(organization))
    except forge_listing.ForgeError as error:
        raise ApplicationError(error.message) from None


def forge_preview(
    *,
    connection: ForgeConnection,
    user: User,
    rules: str = "",
    include_archived: bool = False,
    include_forks: bool = False,
    read_codeowners: bool = False,
) -> ForgeImport:
    """List the forge and show what an import would do; creates no repository. With
    `read_codeowners`, each repository's CODEOWNERS may map it (`forge_mapping`)."""
    organization = connection.organization
    require_forge_admin(user, organization)
    parsed = _rules(rules, organization)
    # A preview answers a web request: it waits a few seconds for a rate limit, not a minute,
    # and reads a bounded number of CODEOWNERS files (up to three API calls each).
    listing = _list_and_plan(
        connection,
        rules=parsed,
        include_archived=include_archived,
        include_forks=include_forks,
        read_codeowners=read_codeowners,
        max_wait_seconds=min(PREVIEW_MAX_WAIT_SECONDS, settings.FORGE_RATE_LIMIT_MAX_WAIT_SECONDS),
        codeowners_limit=PREVIEW_CODEOWNERS_MAX,
    )
    rows = listing.rows
    return ForgeImport.objects.create(
        organization=organization,
        connection=connection,
        rules=rules,
        include_archived=include_archived,
        include_forks=include_forks,
        read_codeowners=read_codeowners,
        preview=[row.as_dict() for row in rows],
        counts=forge_mapping.counts(rows),
        api_calls=listing.api_calls,
        created_by=user,
    )


def forge_import_start(*, forge_import: ForgeImport, user: User) -> ForgeImport:
    """Queue the run of a previewed import."""
    from ..tasks import run_forge_import

    require_forge_admin(user, forge_import.organization)
    started = ForgeImport.objects.filter(pk=forge_import.pk, state=ImportState.PREVIEWED).update(
        state=ImportState.QUEUED, created_by=user
    )
    if not started:
        raise ApplicationError("This import has already run; preview a new one to import again.")
    transaction.on_commit(lambda: run_forge_import.delay(forge_import.pk))
    forge_import.refresh_from_db()
    return forge_import


def forge_import_run(*, import_id: int) -> ForgeImport | None:
    """Run a queued import (the task's body); None when another worker has it already."""
    claimed = ForgeImport.objects.filter(pk=import_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    forge_import = ForgeImport.objects.select_related("connection", "organization").get(
        pk=import_id
    )
    try:
        _run(forge_import)
    except ApplicationError as error:
        forge_import.state = ImportState.FAILED
        forge_import.error = error.message
        forge_import.api_calls += getattr(error, "api_calls", 0)
        forge_import.finished_at = timezone.now()
        forge_import.save(update_fields=["state", "error", "api_calls", "finished_at"])
    first_scans_release()
    return forge_import


def _run(forge_import: ForgeImport) -> None:
    organization = forge_import.organization
    user = forge_import.created_by
    if user is None:
        raise ApplicationError("The admin who started this import no longer exists.")
    teams = _team_slugs(organization)
    parsed = _rules(forge_import.rules, organization)
    listing = _list_and_plan(
        forge_import.connection,
        rules=parsed,
        include_archived=forge_import.include_archived,
        include_forks=forge_import.include_forks,
        read_codeowners=forge_import.read_codeowners,
        max_wait_seconds=settings.FORGE_RATE_LIMIT_MAX_WAIT_SECONDS,
    )
    forge_import.api_calls += listing.api_calls
    rows = listing.rows
    token = decrypt(forge_import.connection.token_encrypted)
    outcome: list[dict[str, object]] = []
    # Batches share one commit (each connection is a savepoint inside it), and the admin's
    # role in each team is read once: 2,000 repositories are not 2,000 commits.
    with roles_remembered():
        for start in range(0, len(rows), CONNECT_BATCH):
            with transaction.atomic():
                for row in rows[start : start + CONNECT_BATCH]:
                    outcome.append(_connect_row(row, forge_import, teams, user, token))
    counts = dict(Counter(str(entry["action"]) for entry in outcome))
    with transaction.atomic():
        forge_import.preview = outcome
        forge_import.counts = {"listed": len(rows), **counts}
        forge_import.state = ImportState.FINISHED
        forge_import.finished_at = timezone.now()
        forge_import.save(update_fields=["preview", "counts", "state", "finished_at", "api_calls"])
        audit_record(
            organization=organization,
            actor=user,
            action=AuditAction.IMPORT_RAN,
            target=forge_import,
            details={
                "owner": forge_import.connection.owner,
                "kind": forge_import.connection.kind,
                "listed": len(rows),
                "created": counts.get("created", 0),
                "exists": counts.get("exists", 0),
                "unmapped": counts.get("unmapped", 0),
            },
        )


def _connect_row(
    row: forge_mapping.PreviewRow,
    forge_import: ForgeImport,
    teams: dict[str, Team],
    user: User,
    token: str,
) -> dict[str, object]:
    entry = row.as_dict()
    if row.action == forge_mapping.CREATE and row.team is not None:
        try:
            repository_connect(
                team=teams[row.team],
                user=user,
                url=row.clone_url,
                access_token=token,
                forge_import=forge_import,
            )
        except ApplicationError as error:
            entry["action"] = "refused"
            entry["reason"] = error.message
        else:
            entry["action"] = "created"
    return entry


# An import's task runs under a 1,900 s hard limit (tasks.run_forge_import).
IMPORT_RUNNING_DEADLINE = timedelta(seconds=1900 + 120)
IMPORT_QUEUED_GRACE = timedelta(minutes=10)


def imports_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Imports a lost message or a killed worker left behind: a queued one is sent again, a
    running one past its task's time limit fails with a sentence (a new preview and run picks
    up where it stopped, since connected repositories are left alone)."""
    from ..tasks import run_forge_import

    now = now or timezone.now()
    counts = {"redispatched": 0, "failed": 0}
    lost = ForgeImport.objects.filter(
        state=ImportState.QUEUED, queued_at__lt=now - IMPORT_QUEUED_GRACE
    )
    for import_id in lost.values_list("pk", flat=True):
        # queued_at restarts, so a backlog does not gain a message per import at every pass.
        if ForgeImport.objects.filter(pk=import_id, state=ImportState.QUEUED).update(queued_at=now):
            transaction.on_commit(functools.partial(run_forge_import.delay, import_id))
            counts["redispatched"] += 1
    counts["failed"] = ForgeImport.objects.filter(
        state=ImportState.RUNNING, started_at__lt=now - IMPORT_RUNNING_DEADLINE
    ).update(
        state=ImportState.FAILED,
        finished_at=now,
        error="The import was interrupted before it finished; preview and run it again to "
        "connect the rest.",
    )
    return counts
