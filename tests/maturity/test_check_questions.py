"""An organisation's check that asks the team a question: the format (a question without a
rule), the answer options, and the reading where scan evidence wins, else the answer."""

import pytest

from assessments.maturity.custom_checks import (
    ANSWER_OPTIONS,
    CheckSetError,
    CustomCheck,
    Rule,
    check_reading,
    check_set_from_dict,
    export_check_set,
    parse_check_set,
)

QUESTION_ONLY = """\
checks:
  - key: incident_review
    title: Incidents reviewed
    dimension: governance
    level: 1
    question: Does the team review every model incident within a week?
"""


def test_a_check_may_ask_a_question_without_a_rule(catalogue):
    check_set = parse_check_set(QUESTION_ONLY, catalogue)
    (check,) = check_set.checks
    assert (check.rule, check.question) == (
        None,
        "Does the team review every model incident within a week?",
    )
    text = export_check_set(check_set)
    assert "rule" not in text
    assert parse_check_set(text, catalogue) == check_set
    assert check_set_from_dict(check_set.to_dict()) == check_set


def test_a_check_with_neither_a_rule_nor_a_question_is_refused_naming_its_line(catalogue):
    text = QUESTION_ONLY.replace(
        "    question: Does the team review every model incident within a week?\n", ""
    )
    with pytest.raises(CheckSetError) as refused:
        parse_check_set(text, catalogue)
    assert refused.value.problems == (
        "line 2: the check has neither a 'rule' nor a 'question': give it one or both.",
    )


def test_the_answer_options_are_the_practice_options_every_team_can_answer(catalogue):
    practice = next(
        q.options for q in catalogue.graded_questions if any(o.key == "na" for o in q.options)
    )
    expected = {o.key: o.grade for o in practice if not o.not_applicable}
    assert {o.key: o.grade for o in ANSWER_OPTIONS} == expected
    assert {o.key: o.grade for o in ANSWER_OPTIONS} == {
        "yes": 1.0,
        "partly": 0.5,
        "no": 0.0,
        "unknown": None,
    }


RULE = Rule("dependency_present", package="acme-registry")
BOTH = CustomCheck("registry", "Registry", "validation_registry", 1, RULE, "Registered?")
RULE_ONLY = CustomCheck("registry", "Registry", "validation_registry", 1, RULE)
ANSWER_ONLY = CustomCheck("registry", "Registry", "validation_registry", 1, None, "Registered?")


@pytest.mark.parametrize(
    ("check", "scanned", "answer", "expected"),
    [
        # A question without a rule: the answer alone; only "yes" passes.
        (ANSWER_ONLY, None, None, (None, None)),
        (ANSWER_ONLY, None, "yes", (True, "answered")),
        (ANSWER_ONLY, None, "partly", (False, "answered")),
        (ANSWER_ONLY, None, "no", (False, "answered")),
        (ANSWER_ONLY, None, "unknown", (None, None)),
        # A rule without a question: the scans alone, as before; an answer is ignored.
        (RULE_ONLY, None, None, (None, None)),
        (RULE_ONLY, True, None, (True, "scanned")),
        (RULE_ONLY, False, "yes", (False, "scanned")),
        # Both: evidence a scan found wins, otherwise the answer decides.
        (BOTH, True, "no", (True, "scanned")),
        (BOTH, False, "yes", (True, "answered")),
        (BOTH, False, "no", (False, "answered")),
        (BOTH, None, "yes", (True, "answered")),
        (BOTH, False, "unknown", (False, "scanned")),
        (BOTH, False, None, (False, "scanned")),
        (BOTH, None, None, (None, None)),
    ],
)
def test_scan_evidence_wins_else_the_answer_decides(check, scanned, answer, expected):
    reading = check_reading(check, scanned=scanned, answer=answer)
    assert (reading.passed, reading.source) == expected
