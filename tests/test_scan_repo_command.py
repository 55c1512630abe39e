"""`manage.py scan_repo`: its JSON shape, how far the next level is, and its exit codes."""

import json

import pytest
from django.core.management import call_command

from .scanning.archetypes import NOTEBOOK_ONLY
from .scanning.gitrepo import make_repo


class TestCommandLine:
    def test_json_output_has_the_stable_shape(self, pipeline_repo, capsys):
        call_command("scan_repo", str(pipeline_repo), "--format", "json")
        data = json.loads(capsys.readouterr().out)
        assert list(data)[:10] == [
            "repository",
            "commit",
            "scanner_version",
            "overall_level",
            "index",
            "inconclusive",
            "flags",
            "dimensions",
            "capabilities",
            "unknown",
        ]
        assert data["overall_level"] == 1
        assert {"key", "grade", "strength", "reason", "evidence"} <= set(data["capabilities"][0])

    def test_json_and_text_say_how_far_the_next_level_is(self, pipeline_repo, capsys):
        call_command("scan_repo", str(pipeline_repo), "--format", "json")
        progress = json.loads(capsys.readouterr().out)["next_level_progress"]
        assert progress["level"] == 2
        assert progress["blocking"]
        call_command("scan_repo", str(pipeline_repo))
        text = capsys.readouterr().out
        assert f"Level 2: {progress['in_place']} of {progress['total']} capabilities in place" in (
            text
        )
        assert "held back by" in text

    def test_it_exits_3_below_the_required_level(self, tmp_path, capsys):
        repo = make_repo(tmp_path / "nb", NOTEBOOK_ONLY)
        with pytest.raises(SystemExit) as exit_:
            call_command("scan_repo", str(repo), "--fail-under", "1")
        assert exit_.value.code == 3
        assert "level 0" in capsys.readouterr().out

    def test_it_exits_2_with_a_one_line_error_on_bad_input(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            call_command("scan_repo", "https://127.0.0.1/x")
        assert exit_.value.code == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("error: ")
        assert "\n" not in error
