"""Level-up kits for connected repositories: the repository is fetched and read at the commit
its branch points to now, as a scan reads it, and the kit is a patch of that commit."""

from .. import kits, scanning
from ..errors import ApplicationError
from ..models import Repository
from .scans import repository_scan


class KitUnavailable(ApplicationError):
    pass


def kit_for_repository(*, repository: Repository, capability: str) -> tuple[kits.Kit, str]:
    """The kit of `capability`'s roadmap step for the repository, and the commit it patches.
    Raises KitUnavailable with a sentence when the repository cannot be read or the kit does
    not fit it."""
    built: list[kits.Kit] = []

    def build(snapshot: scanning.RepositorySnapshot) -> None:
        built.append(kits.build_kit(capability, snapshot, repository=repository.url))

    try:
        report = repository_scan(repository=repository, also=build)
    except scanning.ScanError as error:
        raise KitUnavailable(error.message) from None
    except kits.KitUnavailable as error:
        raise KitUnavailable(str(error)) from None
    return built[0], report.commit or ""
