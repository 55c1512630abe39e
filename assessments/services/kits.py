"""Level-up kits for connected repositories, built by the workers.

A kit is asked for by the page or the API (`kit_build_request`): the answer is the stored
build of the repository as last scanned, started on a worker when there is none yet. The worker
(`kit_build_execute`) fetches the repository at its branch's head, as a scan does, and stores
the kit of that commit, or the sentence saying why there is none. The assistant, which runs
outside the web, builds in place (`kit_for_repository`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import kits, scanning, selectors
from ..errors import ApplicationError
from ..models import KitBuild, KitBuildStatus, Repository
from .scans import repository_scan

logger = logging.getLogger(__name__)


class KitRefused(ApplicationError):
    """No kit for this capability or repository, said in a sentence for the page (the kit
    builders' own `kits.KitUnavailable`, carried to the page as an application error)."""


# A build that could not read the repository is tried again after this long.
KIT_RETRY_SECONDS = 60
# A build not finished by then was lost with its worker; the next request starts it again.
KIT_LOST_SECONDS = settings.SCAN_TIMEOUT_SECONDS + 120
# The assistant's builds: the preview and the download a minute later share one fetch.
KIT_CACHE_SECONDS = 600


def _known_step(capability: str) -> None:
    if capability not in kits.kit_steps():
        raise KitRefused(
            f"There is no kit for {capability!r}; kits exist for: {', '.join(kits.kit_steps())}."
        )


def kit_build_request(*, repository: Repository, capability: str) -> KitBuild:
    """The build of `capability`'s kit for the repository's last scanned commit, started on a
    worker when there is none yet, or when a failed or lost one is due again. Raises
    KitRefused for a capability without a kit."""
    _known_step(capability)
    now = timezone.now()
    build, created = KitBuild.objects.get_or_create(
        repository=repository,
        scanned_commit=selectors.repository_scanned_commit(repository=repository),
        capability=capability,
        kit_version=kits.kit_version(),
        defaults={"requested_at": now},
    )
    if not created:
        lost = now - timedelta(seconds=KIT_LOST_SECONDS)
        due = (
            Q(
                status=KitBuildStatus.FAILED,
                finished_at__lt=now - timedelta(seconds=KIT_RETRY_SECONDS),
            )
            | Q(status=KitBuildStatus.PENDING, requested_at__lt=lost)
            | Q(status=KitBuildStatus.RUNNING, started_at__lt=lost)
        )
        restarted = KitBuild.objects.filter(due, pk=build.pk).update(
            status=KitBuildStatus.PENDING,
            requested_at=now,
            started_at=None,
            finished_at=None,
            failure_reason="",
        )
        if not restarted:
            return build
        build.refresh_from_db()
    transaction.on_commit(lambda: _dispatch(build.pk))
    return build


def _dispatch(build_id: int) -> None:
    from ..tasks import build_kit

    build_kit.delay(build_id)


def kit_build_execute(*, build_id: int) -> KitBuild | None:
    """Build a claimed kit and store it, or why there is none; None when another worker has
    it, it is done, or its repository was disconnected meanwhile."""
    claimed = KitBuild.objects.filter(pk=build_id, status=KitBuildStatus.PENDING).update(
        status=KitBuildStatus.RUNNING, started_at=timezone.now()
    )
    build = KitBuild.objects.select_related("repository").filter(pk=build_id).first()
    if not claimed or build is None:
        return None
    try:
        kit, commit = _build(repository=build.repository, capability=build.capability)
    except kits.KitUnavailable as error:
        return kit_build_finish(
            build_id=build_id, status=KitBuildStatus.UNAVAILABLE, reason=str(error)
        )
    except scanning.ScanError as error:
        logger.info("kit %s failed: %s %s", build_id, error.message, error.detail)
        return kit_build_finish(
            build_id=build_id, status=KitBuildStatus.FAILED, reason=error.message
        )
    except ApplicationError as error:
        return kit_build_finish(
            build_id=build_id, status=KitBuildStatus.FAILED, reason=error.message
        )
    return kit_build_finish(build_id=build_id, status=KitBuildStatus.READY, kit=kit, commit=commit)


def kit_build_finish(
    *,
    build_id: int,
    status: str,
    reason: str = "",
    kit: kits.Kit | None = None,
    commit: str = "",
) -> KitBuild | None:
    """Store a running build's outcome; None when the build is gone with its repository."""
    KitBuild.objects.filter(pk=build_id, status=KitBuildStatus.RUNNING).update(
        status=status,
        failure_reason=reason,
        kit=kit.as_dict() if kit else None,
        commit=commit,
        finished_at=timezone.now(),
    )
    return KitBuild.objects.filter(pk=build_id).first()


def _build(*, repository: Repository, capability: str) -> tuple[kits.Kit, str]:
    built: list[kits.Kit] = []

    def build(snapshot: scanning.RepositorySnapshot) -> None:
        built.append(kits.build_kit(capability, snapshot, repository=repository.url))

    report = repository_scan(repository=repository, also=build)
    return built[0], report.commit or ""


def kit_for_repository(*, repository: Repository, capability: str) -> tuple[kits.Kit, str]:
    """The kit of `capability`'s roadmap step for the repository, and the commit it patches,
    built in place. Raises KitRefused with a sentence when the repository cannot be read or
    the kit does not fit it."""
    _known_step(capability)
    key = (
        f"kits:{kits.kit_version()}:{repository.pk}:{repository.url}:{repository.branch}:"
        f"{repository.project}:{capability}"
    )
    cached: tuple[kits.Kit, str] | None = cache.get(key)
    if cached is not None:
        return cached
    try:
        built = _build(repository=repository, capability=capability)
    except scanning.ScanError as error:
        raise KitRefused(error.message) from None
    except kits.KitUnavailable as error:
        raise KitRefused(str(error)) from None
    cache.set(key, built, KIT_CACHE_SECONDS)
    return built
