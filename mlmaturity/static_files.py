"""Static file storages whose addresses are worked out once per process for each file.

Every page links the same few files (stylesheets, scripts, the icon), and `{% static %}` asks
the storage for each address on every page view: joining it to STATIC_URL and, in production,
looking up its hashed name in the manifest. Neither answer changes while the process runs
(the manifest is read when the storage is made, and collectstatic writes a new one only for
the next start), so each is kept after the first time.
"""

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _AddressesKept:
    """Keeps each file's address after the storage first works it out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # By name and DEBUG: the manifest's storage names files as they are while DEBUG is on.
        self._addresses: dict[tuple[str, bool], str] = {}

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        if name is None or args or kwargs:
            return str(super().url(name, *args, **kwargs))  # type: ignore[misc]
        key = (name, settings.DEBUG)
        address = self._addresses.get(key)
        if address is None:
            # A name the manifest lacks raises here, and stays unkept.
            address = self._addresses[key] = str(super().url(name))  # type: ignore[misc]
        return address


class DevelopmentStaticFilesStorage(_AddressesKept, StaticFilesStorage):
    """Files served as they are, from the app's folders (DEBUG)."""


class ProductionStaticFilesStorage(_AddressesKept, CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # whitenoise ships no types
    """Files collected, compressed and named by their content (collectstatic)."""
