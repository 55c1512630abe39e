"""Every released catalogue version stays loadable, so an old assessment keeps its meaning.

An assessment stores the version it was answered against. Recomputing it (new scan evidence,
say) must use that version's levels, questions and weights, never the current file's.
"""

import functools
import re
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
