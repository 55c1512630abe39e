"""The project's own files hold no half-finished merge."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A merge git could not finish leaves these at the start of a line; nothing else writes them.
_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [ROOT / name for name in listed.split("\0") if name]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="needs a git checkout of the project (a built image holds none)",
)
def test_no_file_holds_a_merge_conflict_marker():
    unfinished = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files, and files deleted but not yet committed
        if _CONFLICT_MARKER.search(text):
            unfinished.append(str(path.relative_to(ROOT)))

    assert unfinished == []


def test_the_marker_pattern_finds_a_conflict_and_nothing_else():
    conflict = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> branch\n"
    heading = "Title\n=======\n\n<<<<<<<<< not a marker\n"

    assert len(_CONFLICT_MARKER.findall(conflict)) == 2
    assert _CONFLICT_MARKER.findall(heading) == []
