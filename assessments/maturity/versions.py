"""Every released catalogue version stays loadable, so an old assessment keeps its meaning.

An assessment stores the version it was answered against. Recomputing it (new scan evidence,
say) must use that version's levels, questions and weights, never the current file's.
"""

import functools
import re
from collections.abc import Sequence
from pathlib import Path

from .catalogue import Catalogue, CatalogueError, load_catalogue

ARCHIVE_DIR = Path(__file__).resolve().parent / "catalogues"
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,39}")


def load_catalogue_version(version: str, *, archive_dir: Path | None = None) -> Catalogue:
    current = load_catalogue()
    if version == current.version:
        return current
    return _load_archived(version, archive_dir or ARCHIVE_DIR)


@functools.cache
def _load_archived(version: str, archive_dir: Path) -> Catalogue:
    if not _VERSION.fullmatch(version):
        raise CatalogueError([f"{version!r} is not a catalogue version."])
    path = archive_dir / f"{version}.yaml"
    if not path.is_file():
        raise CatalogueError(
            [
                f"Catalogue version {version} is not the current one and is not archived in "
                f"{archive_dir.name}/{version}.yaml."
            ]
        )
    catalogue = load_catalogue(path)
    if catalogue.version != version:
        raise CatalogueError(
            [f"{path.name}: declares version {catalogue.version!r}, expected {version!r}."]
        )
    return catalogue


def catalogue_changes(versions: Sequence[str]) -> list[int]:
    """Positions in a chronological list of results' catalogue versions where the version
    differs from the one before: where a history chart marks "Catalogue <version>"."""
    return [i for i in range(1, len(versions)) if versions[i] != versions[i - 1]]


def versions_sentence(named: Sequence[tuple[str, str]]) -> str:
    """One sentence saying that results compared side by side were computed on different
    catalogue versions, or "" when they share one. ``named``: (whose result, version)."""
    versions = sorted({version for _, version in named})
    if len(versions) < 2:
        return ""
    parts = "; ".join(f"{name} on {version}" for name, version in named)
    return (
        f"These results were computed on different catalogue versions ({parts}): a capability "
        "one version lacks shows no grade there, and the indexes weigh different capabilities."
    )
