"""Reading catalogue files: the bundled one once, others on demand, duplicate keys refused."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .model import Catalogue, CatalogueError
from .parsing import parse_catalogue

# assessments/maturity/catalogue.yaml: beside this package, where the docs and archives point.
DEFAULT_PATH = Path(__file__).parent.with_name("catalogue.yaml")


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file; the bundled one (the default) is loaded once."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> Catalogue:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError([f"{path.name}: cannot be read: {exc.strerror}"]) from exc
    try:
        data = read_yaml(text)
    except yaml.YAMLError as exc:
        raise CatalogueError([f"{path.name}: is not valid YAML: {exc}"]) from exc
    return parse_catalogue(data, source=path.name)


def read_yaml(text: str) -> Any:
    """Safely parse YAML text, refusing a mapping key given twice (raises ``yaml.YAMLError``);
    the catalogue and the lens files share it."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


if TYPE_CHECKING:
    # CSafeLoader exists only when PyYAML was built with libyaml; both offer the same interface.
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """A safe loader (libyaml's when available, for a faster start-up) that rejects repeated
    mapping keys instead of silently keeping the last one."""


def _construct_unique_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Hashable, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)
