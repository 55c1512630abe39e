"""Level-up kits for connected repositories: the repository is fetched and read at the commit
its branch points to now, as a scan reads it, and the kit is a patch of that commit."""

from django.core.cache import cache

from .. import kits, scanning
from ..errors import ApplicationError
from ..models import Repository
from .scans import repository_scan


class KitUnavailable(ApplicationError):
    pass


# A kit is read from the repository as it is now: the preview and the download a minute later
# share one fetch, and a push shows after this long.
KIT_CACHE_SECONDS = 600


def kit_for_repository(*, repository: Repository, capability: str) -> tuple[kits.Kit, str]:
    """The kit of `capability`'s roadmap step for the repository, and the commit it patches.
    Raises KitUnavailable with a sentence when the repository cannot be read or the kit does
    not fit it."""
    if capability not in kits.kit_steps():
        raise KitUnavailable(
            f"There is no kit for {capability!r}; kits exist for: {', '.join(kits.kit_steps())}."
        )
    key = (
        f"kits:v1:{repository.pk}:{repository.url}:{repository.branch}:"
        f"{repository.project}:{capability}"
    )
    cached: tuple[kits.Kit, str] | None = cache.get(key)
    if cached is not None:
        return cached
    built: list[kits.Kit] = []

    def build(snapshot: scanning.RepositorySnapshot) -> None:
        built.append(kits.build_kit(capability, snapshot, repository=repository.url))

    try:
        report = repository_scan(repository=repository, also=build)
    except scanning.ScanError as error:
        raise KitUnavailable(error.message) from None
    except kits.KitUnavailable as error:
        raise KitUnavailable(str(error)) from None
    cache.set(key, (built[0], report.commit or ""), KIT_CACHE_SECONDS)
    return built[0], report.commit or ""
