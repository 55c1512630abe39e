"""An organisation's own checks: the YAML format, every error naming its line, the export, and
the organisation's reading of a level."""

import pytest

from assessments.maturity.custom_checks import (
    MAX_CHECKS,
    CheckSet,
    CheckSetError,
    check_set_from_dict,
    export_check_set,
    glob_regex,
    linear_regex,
    organization_level,
    parse_check_set,
    pattern_problem,
)

VALID = """\
version: 3
counts_towards_levels: true
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
  - key: model_card
    title: "A model card: purpose, data, limits"
    dimension: governance
    level: 0
    rule: {file_exists: "**/MODEL_CARD.md"}
  - key: registry_config
    title: Registry configured
    dimension: validation_registry
    level: 2
    rule:
      file_contains:
        path: "configs/*.yaml"
        pattern: 'registry:\\s+acme'
"""


def problems_of(text, catalogue):
    with pytest.raises(CheckSetError) as refused:
        parse_check_set(text, catalogue)
    return list(refused.value.problems)


def test_a_valid_check_set_is_read_with_its_rules(catalogue):
    check_set = parse_check_set(VALID, catalogue)
    assert check_set.version == 3
    assert check_set.counts_towards_levels is True
    assert [c.key for c in check_set.checks] == [
        "internal_registry",
        "model_card",
        "registry_config",
    ]
    registry, card, config = check_set.checks
    assert (registry.rule.kind, registry.rule.package) == ("dependency_present", "acme-registry")
    assert registry.question.startswith("Are all production models")
    assert (card.rule.kind, card.rule.path, card.level) == ("file_exists", "**/MODEL_CARD.md", 0)
    assert (config.rule.path, config.rule.pattern) == ("configs/*.yaml", r"registry:\s+acme")


def test_the_export_reads_back_as_the_same_set_and_the_same_text(catalogue):
    check_set = parse_check_set(VALID, catalogue)
    exported = export_check_set(check_set)
    again = parse_check_set(exported, catalogue)
    assert again == check_set
    assert export_check_set(again) == exported
    assert check_set_from_dict(check_set.to_dict()) == check_set


def test_text_that_looks_like_yaml_syntax_survives_the_round_trip(catalogue):
    tricky = CheckSet(
        checks=(
            parse_check_set(VALID, catalogue)
            .checks[0]
            .__class__(
                key="tricky",
                title='yes: "no" # not a comment, {not: a map}',
                dimension="governance",
                level=1,
                rule=parse_check_set(VALID, catalogue).checks[2].rule,
                question="- a list? no\t",
            ),
        )
    )
    assert (
        parse_check_set(export_check_set(tricky), catalogue).checks[0].title
        == tricky.checks[0].title
    )


def test_an_empty_list_of_checks_is_a_valid_set(catalogue):
    check_set = parse_check_set("checks: []\n", catalogue)
    assert check_set.checks == ()
    assert check_set.counts_towards_levels is False
    assert parse_check_set(export_check_set(check_set), catalogue) == check_set


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VALID.replace('file_exists: "**', 'file_exsts: "**'),
            "line 14: rule 'file_exsts' is not one of file_exists, file_contains, "
            "dependency_present.",
        ),
        (
            VALID.replace("dimension: governance", "dimension: goverance"),
            "line 12: dimension 'goverance' is not one of code_environment, data, "
            "experimentation, pipeline, validation_registry, cicd, serving_monitoring, "
            "governance, llm_applications.",
        ),
        (VALID.replace("level: 0", "level: 3"), "line 13: level '3' is not one of 0, 1, 2."),
        (VALID.replace("level: 0", "level: one"), "line 13: level 'one' is not one of 0, 1, 2."),
        (
            VALID.replace("key: model_card", "key: model_registry"),
            "line 10: key 'model_registry' is a built-in capability of the catalogue; choose "
            "another name.",
        ),
        (
            VALID.replace("key: model_card", "key: internal_registry"),
            "line 10: key 'internal_registry' is already used by the check on line 4.",
        ),
        (
            VALID.replace("key: model_card", "key: Model-Card"),
            "line 10: key 'Model-Card' must be lower_snake_case text of at most 80 characters, "
            "starting with a letter.",
        ),
        (
            VALID.replace("    title: Registry configured\n", ""),
            "line 15: the check has no 'title'.",
        ),
        (
            VALID.replace("    level: 1\n", "    level: 1\n    owner: ml-platform\n"),
            "line 8: 'owner' is not a key of a check (key, title, dimension, level, question, "
            "rule).",
        ),
        (
            VALID.replace("counts_towards_levels: true", "counts_towards_levels: maybe"),
            "line 2: counts_towards_levels must be true or false.",
        ),
        (
            VALID.replace("version: 3", "version: -1"),
            "line 1: version must be a whole number of 1 or more.",
        ),
        (
            VALID.replace("pattern: 'registry:\\s+acme'", "pattern: '(registry'"),
            "line 22: the pattern is not a valid regular expression (missing ), unterminated "
            "subpattern at position 0).",
        ),
        (
            VALID.replace(
                "{dependency_present: acme-registry}", "{dependency_present: 'acme registry'}"
            ),
            "line 9: dependency 'acme registry' must be a package name such as acme-registry "
            "(letters, digits, '.', '_' and '-').",
        ),
        (
            VALID.replace("{dependency_present: acme-registry}", "{}"),
            "line 9: a rule has exactly one of file_exists, file_contains, dependency_present.",
        ),
        (
            VALID.replace('        path: "configs/*.yaml"\n', ""),
            "line 21: file_contains needs a 'path'.",
        ),
        ("checks: {a: 1}\n", "line 1: checks must be a list of checks, each starting with '-'."),
        ("- just a list\n", "line 1: the check set must be a mapping of keys to values."),
        ("counts_towards_levels: false\n", "line 1: the check set has no 'checks:' list."),
        ("", "The check set is empty: it needs at least a 'checks:' list."),
        (
            "checks:\n  - key: a\n  title: b\n",
            "line 3: The text is not valid YAML (expected <block end>, but found '?').",
        ),
    ],
)
def test_each_problem_is_one_sentence_naming_its_line(catalogue, text, expected):
    assert expected in problems_of(text, catalogue)


def test_every_problem_is_reported_at_once(catalogue):
    text = VALID.replace("level: 0", "level: 7").replace("dimension: governance", "dimension: x")
    problems = problems_of(text, catalogue)
    assert [p.split(":")[0] for p in problems] == ["line 12", "line 13"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../../etc/passwd", "must stay inside the repository"),
        ("configs/../../secrets", "must stay inside the repository"),
        ("./README.md", "must stay inside the repository"),
        ("/etc/passwd", "must be relative to the repository's root"),
        ("C:/Windows/win.ini", "must be relative to the repository's root"),
        ("configs\\\\app.yaml", "must use '/' between folders"),
        ("configs//app.yaml", "without empty folder names"),
        ("[a-z]*.yaml", "only the wildcards"),
        ("*/*/*/*/*/*/*.yaml", "more than 6 wildcards"),
        ("x" * 201, "longer than 200 characters"),
    ],
)
def test_paths_that_leave_the_repository_or_explode_are_refused(catalogue, path, message):
    text = (
        "checks:\n  - key: a\n    title: A\n    dimension: data\n    level: 1\n"
        f'    rule: {{file_exists: "{path}"}}\n'
    )
    problems = problems_of(text, catalogue)
    assert len(problems) == 1
    assert problems[0].startswith("line 6: ")
    assert message in problems[0]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a)\\\\1", "must not use back-references"),
        ("(?<=a)b", "syntax the scanner does not run (lookarounds"),
        ("(unclosed", "not a valid regular expression"),
        ("a" * 201, "longer than 200 characters"),
    ],
)
def test_patterns_the_linear_engine_cannot_run_are_refused(catalogue, pattern, message):
    text = (
        "checks:\n  - key: a\n    title: A\n    dimension: data\n    level: 1\n    rule:\n"
        f'      file_contains: {{path: "*.py", pattern: "{pattern}"}}\n'
    )
    problems = problems_of(text, catalogue)
    assert len(problems) == 1
    assert problems[0].startswith("line 7: the pattern")
    assert message in problems[0]


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        ("(a+)+$", "a" * 4000 + "!"),
        ("(a|aa)+b", "a" * 4000),
        (".*=.*=.*=.*;", "=" * 4000),
        ("(a?a?)+b", "a" * 4000),
    ],
)
def test_shapes_that_backtrack_for_hours_elsewhere_run_in_linear_time(pattern, line):
    # Python's re takes hours on these lines; RE2 answers at once (a hang would fail the run).
    assert pattern_problem(pattern) is None
    assert linear_regex(pattern).search(line) is None


@pytest.mark.parametrize(
    "pattern", ["mlflow\\\\.register_model", "(?:foo|bar)+", "(\\\\d{3})+", "[a-z]+@v\\\\d"]
)
def test_ordinary_patterns_are_accepted(catalogue, pattern):
    text = (
        "checks:\n  - key: a\n    title: A\n    dimension: data\n    level: 1\n    rule:\n"
        f'      file_contains: {{path: "*.py", pattern: "{pattern}"}}\n'
    )
    assert parse_check_set(text, catalogue).checks[0].rule.pattern


def test_aliases_cannot_multiply_the_document(catalogue):
    text = (
        "checks:\n  - &one\n    key: a\n    title: A\n    dimension: data\n    level: 1\n"
        "    rule: {file_exists: x}\n  - *one\n"
    )
    assert problems_of(text, catalogue) == [
        "line 2: anchors and aliases (&name, *name) are not supported here."
    ]


def test_too_many_checks_and_too_much_text_are_refused(catalogue):
    check = "  - {key: k%d, title: T, dimension: data, level: 1, rule: {file_exists: x}}\n"
    text = "checks:\n" + "".join(check % i for i in range(MAX_CHECKS + 1))
    assert problems_of(text, catalogue) == [
        f"line 2: a check set holds at most {MAX_CHECKS} checks."
    ]
    huge = "checks: []\n#" + "x" * 200_000
    assert problems_of(huge, catalogue)[0].startswith("The check set is larger than 100 kB")


def test_binary_input_is_refused_with_a_sentence(catalogue):
    problems = problems_of("\x00\x01\x02checks: []", catalogue)
    assert problems[0] == "line 1: The text is not valid YAML (special characters are not allowed)."


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("MODEL_CARD.md", "MODEL_CARD.md", True),
        ("MODEL_CARD.md", "docs/MODEL_CARD.md", False),
        ("**/MODEL_CARD.md", "MODEL_CARD.md", True),
        ("**/MODEL_CARD.md", "a/b/MODEL_CARD.md", True),
        ("configs/*.yaml", "configs/app.yaml", True),
        ("configs/*.yaml", "configs/prod/app.yaml", False),
        ("configs/**", "configs/prod/app.yaml", True),
        ("model?.py", "model1.py", True),
        ("model?.py", "model/.py", False),
    ],
)
def test_globs_match_within_folders_unless_doubled(glob, path, matches):
    assert bool(glob_regex(glob).match(path)) is matches


@pytest.mark.parametrize(
    ("google", "passing", "expected"),
    [
        (2, {"l0", "l1", "l2"}, 2),
        (2, {"l0", "l1"}, 1),
        (2, {"l0", "l2"}, 0),
        (1, {"l0", "l1"}, 1),
        (0, set(), 0),
        (2, {"l1", "l2"}, 0),
    ],
)
def test_the_organisation_level_caps_google_below_the_lowest_failing_level(
    google, passing, expected
):
    levels = {"l0": 0, "l1": 1, "l2": 2}
    assert organization_level(google, levels, passing) == expected


@pytest.mark.parametrize(
    ("glob", "path"),
    [("*a*a*a*a*a*b", "a" * 250), ("**/**/**/**/**/**/x", "/".join(["d"] * 500) + "/y")],
)
def test_globs_run_in_linear_time_on_long_paths(glob, path):
    assert glob_regex(glob).match(path) is None
