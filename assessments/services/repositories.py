"""Connecting repositories: validated, token encrypted, first scan queued."""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from .. import maturity, scanning
from ..access import can_manage_team
from ..errors import ActionNotAllowed, ApplicationError
from ..models import (
    AuditAction,
    ForgeImport,
    Repository,
    Team,
)
from .audit import audit_record
from .encryption import encrypt
from .scans import allowed_networks, scan_enqueue

BRANCH_MAX_LENGTH = 200
MIN_INTERVAL_HOURS, MAX_INTERVAL_HOURS = 1, 24 * 30


def _validated_url(url: str) -> str:
    """Refuse unsafe addresses before saving anything; the scan checks again before fetching.

    DNS answers change, so the address is resolved and checked again (and pinned) at scan
    time; this early check gives the user the sentence while they are still on the form.
    """
    try:
        safe = scanning.validate_repository_url(
            url.strip(),
            allow_local_paths=settings.SCAN_ALLOW_LOCAL_PATHS,
            allowed_networks=allowed_networks(),
        )
    except scanning.UnsafeRepositoryURL as error:
        raise ApplicationError(error.message) from None
    return safe.url


def _validated_holds(holds: Iterable[str]) -> list[str]:
    """Dimension keys of the current catalogue, in its order; empty for the whole system."""
    dimensions = [d.key for d in maturity.load_catalogue().dimensions]
    unknown = sorted(set(holds) - set(dimensions))
    if unknown:
        raise ApplicationError(
            f"{', '.join(unknown)} is not a part of the ML system; choose among "
            f"{', '.join(dimensions)}."
        )
    return [key for key in dimensions if key in set(holds)]


@transaction.atomic
def repository_set_holds(*, repository: Repository, user: User, holds: Iterable[str]) -> Repository:
    """Say which parts of the ML system the repository holds (none ticked: all of it)."""
    if not can_manage_team(user, repository.team):
        raise ActionNotAllowed("Only team leads and org admins can change what a repository holds.")
    repository.holds = _validated_holds(holds)
    repository.save(update_fields=["holds"])
    _recompute_latest_result_after_commit(repository.team)
    return repository


def _recompute_latest_result_after_commit(team: Team) -> None:
    """What the team's repositories hold, or which are connected, changes which answers the
    evidence can contradict: the latest result is computed again, not at the next commit."""
    # Imported here: the forms import this module, and the selectors import the forms.
    from ..selectors import latest_submission_for_team
    from ..tasks import compute_result

    latest = latest_submission_for_team(team=team)
    if latest is not None:
        assessment_id = latest.pk
        transaction.on_commit(lambda: compute_result.delay(assessment_id))


def _record(repository: Repository, *, action: AuditAction, user: User) -> None:
    # The address only: the access token and the webhook secret never reach the log.
    audit_record(
        organization=repository.team.organization,
        team=repository.team,
        actor=user,
        action=action,
        target=repository,
        details={
            "url": repository.url,
            "branch": repository.branch,
            "project": repository.project,
        },
    )


def _validated_project(project: str) -> str:
    try:
        return scanning.normalize_project_folder(project)
    except scanning.InvalidProjectFolder as error:
        raise ApplicationError(error.message) from None


def _validated_branch(branch: str) -> str:
    branch = branch.strip()
    if len(branch) > BRANCH_MAX_LENGTH:
        raise ApplicationError(f"The branch name is longer than {BRANCH_MAX_LENGTH} characters.")
    # git reads a leading dash as an option, and ref names never contain these characters.
    if branch.startswith("-") or any(c in branch for c in " ~^:?*[\\\x00\n\r\t") or ".." in branch:
        raise ApplicationError(f"'{branch}' is not a valid branch name.")
    return branch


def repository_connect(
    *,
    team: Team,
    user: User,
    url: str,
    branch: str = "",
    access_token: str = "",
    scan_interval_hours: int = 24,
    project: str = "",
    holds: list[str] | tuple[str, ...] = (),
    forge_import: ForgeImport | None = None,
) -> Repository:
    """Connect a repository (or one project folder of a monorepo) and queue its first scan.

    A repository created by a forge import waits for its first scan instead: the import
    releases them as scan slots free up, shared fairly between organisations
    (services.first_scans.first_scans_release)."""
    if not can_manage_team(user, team):
        raise ActionNotAllowed("Only team leads and org admins can connect repositories.")
    if not MIN_INTERVAL_HOURS <= scan_interval_hours <= MAX_INTERVAL_HOURS:
        raise ApplicationError(
            f"The scan interval must be between {MIN_INTERVAL_HOURS} and {MAX_INTERVAL_HOURS} "
            "hours."
        )
    repository = Repository(
        team=team,
        url=_validated_url(url),
        branch=_validated_branch(branch),
        project=_validated_project(project),
        holds=_validated_holds(holds),
        access_token_encrypted=encrypt(access_token.strip()),
        webhook_secret_encrypted=encrypt(secrets.token_urlsafe(32)),
        scan_interval_hours=scan_interval_hours,
        created_by=user,
        forge_import=forge_import,
        first_scan_pending=forge_import is not None,
    )
    try:
        with transaction.atomic():
            repository.save()
            _record(repository, action=AuditAction.REPOSITORY_CONNECTED, user=user)
            if forge_import is None:
                scan_enqueue(repository=repository, trigger="connect")
    except IntegrityError:
        raise ApplicationError(
            "This repository, branch and project folder are already connected."
        ) from None
    return repository


@transaction.atomic
def repository_update_token(*, repository: Repository, user: User, access_token: str) -> Repository:
    if not can_manage_team(user, repository.team):
        raise ActionNotAllowed("Only team leads and org admins can change access tokens.")
    repository.access_token_encrypted = encrypt(access_token.strip())
    repository.save(update_fields=["access_token_encrypted"])
    return repository


@transaction.atomic
def repository_disconnect(*, repository: Repository, user: User) -> None:
    if not can_manage_team(user, repository.team):
        raise ActionNotAllowed("Only team leads and org admins can disconnect repositories.")
    team = repository.team
    # Before the delete, while the row still has its id.
    _record(repository, action=AuditAction.REPOSITORY_REMOVED, user=user)
    repository.delete()
    _recompute_latest_result_after_commit(team)
