"""The static file storages answer every address as the storages they extend do, and keep it."""

import json

import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from mlmaturity.static_files import (
    DevelopmentStaticFilesStorage,
    ProductionStaticFilesStorage,
    _AddressesKept,
)


@pytest.fixture
def collected(tmp_path):
    """A folder as collectstatic leaves it: one file, and the manifest naming its copy."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.0123456789ab.css").write_text("body {}")
    manifest = {"version": "1.1", "hash": "x", "paths": {"css/app.css": "css/app.0123456789ab.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return tmp_path


def test_production_addresses_are_the_manifests_and_stay_the_same(collected):
    storage = ProductionStaticFilesStorage(location=collected, base_url="/static/")
    plain = CompressedManifestStaticFilesStorage(location=collected, base_url="/static/")

    first = storage.url("css/app.css")

    assert first == plain.url("css/app.css") == "/static/css/app.0123456789ab.css"
    assert storage.url("css/app.css") == first


def test_a_file_the_manifest_lacks_is_refused_every_time(collected):
    storage = ProductionStaticFilesStorage(location=collected, base_url="/static/")

    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_development_addresses_are_djangos(tmp_path):
    storage = DevelopmentStaticFilesStorage(location=tmp_path, base_url="/static/")
    plain = StaticFilesStorage(location=tmp_path, base_url="/static/")

    for name in ("css/app.css", "js/a b.js", "vendor/plotly/plotly.min.js"):
        assert storage.url(name) == plain.url(name)
        assert storage.url(name) == plain.url(name)


class _Counting(StaticFilesStorage):
    """Django's storage, counting the addresses it works out."""

    worked_out = 0

    def url(self, name, *args, **kwargs):
        type(self).worked_out += 1
        return super().url(name, *args, **kwargs)


class _CountingKept(_AddressesKept, _Counting):
    pass


def test_each_address_is_worked_out_once(tmp_path):
    storage = _CountingKept(location=tmp_path, base_url="/static/")

    for _ in range(3):
        storage.url("css/app.css")
        storage.url("js/theme.js")

    assert _CountingKept.worked_out == 2


def test_the_manifests_addresses_follow_debug(collected, settings):
    storage = ProductionStaticFilesStorage(location=collected, base_url="/static/")

    settings.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"
    settings.DEBUG = False
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
