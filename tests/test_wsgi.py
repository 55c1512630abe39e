"""The WSGI entry point loads every view before the first request, then freezes what it
loaded out of the garbage collector's full passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import gc, sys
import mlmaturity.wsgi
print(gc.get_freeze_count(), "assessments.views.questionnaire.pages" in sys.modules)
"""


def test_the_entry_point_loads_the_views_and_freezes_them(tmp_path):
    # A process of its own: freezing is for the whole process, and this one runs the tests.
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "mlmaturity.settings",
    }
    environment.pop("REDIS_URL", None)
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, views_loaded = probe.stdout.split()

    assert views_loaded == "True"
    assert int(frozen) > 10_000
