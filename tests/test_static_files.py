"""The static file storages answer every address as the storages they extend do, and keep it."""

import json

import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from mlmaturity.static_files import DevelopmentStaticFilesStorage, ProductionStaticFilesStorage


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
