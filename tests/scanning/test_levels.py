"""Evidence-only levels: the maturity engine's rules applied to a repository's findings."""

import copy

import pytest
import yaml

from assessments.maturity import load_catalogue
from assessments.maturity.catalogue import DEFAULT_PATH, parse_catalogue
from assessments.scanning.detectors import Finding, Strength
from assessments.scanning.levels import assess

CATALOGUE = load_catalogue()


def gating(level):
    """Characteristics at ``level`` a repository would show: absent, they hold the level back."""
    return [
        c.key
        for c in CATALOGUE.capabilities
        if c.level == level and c.gates_level and c.observable == "yes"
    ]


LEVEL_ONE = gating(0) + gating(1)
LEVEL_TWO = gating(2)


def evidence(*keys, grade=1.0, strength=Strength.CODE):
    return [Finding(key, grade, strength, "Seen.", "x.py", 1, "test") for key in keys]


def test_the_visible_characteristics_are_the_ones_reference_templates_show():
    assert set(LEVEL_ONE) == {
        "version_control",
        "modular_code",
        "pipeline_orchestration",
        "model_validation",
    }
    assert set(LEVEL_TWO) == {"ci", "automated_tests", "pipeline_cd"}


@pytest.mark.parametrize(
    ("findings", "level"),
    [
        (evidence("version_control"), 0),
        (evidence(*LEVEL_ONE), 1),
        (evidence(*LEVEL_ONE, *LEVEL_TWO), 2),
        (evidence(*LEVEL_ONE[:-1], *LEVEL_TWO), 0),  # cumulative: a level-1 gap caps at 0
        (evidence(*LEVEL_ONE) + evidence(*LEVEL_TWO, grade=0.5), 1),  # level 2 needs grade 1
        (evidence(*LEVEL_ONE, grade=0.5), 0),  # the same rule as answers: level 1 is automation
        (evidence(*LEVEL_ONE) + evidence("model_validation", grade=0), 1),  # best grade wins
        (evidence(*LEVEL_ONE) + evidence("data_validation", grade=0.0), 1),  # a component
        (
            evidence(*LEVEL_ONE[:-1])
            + evidence(LEVEL_ONE[-1], grade=0.5, strength=Strength.MENTION),
            0,
        ),
    ],
)
def test_the_level_is_the_highest_with_every_visible_characteristic_met(findings, level):
    assert assess(findings, inconclusive=False).overall_level == level


def test_capabilities_a_repository_may_not_show_are_unknown_not_missing():
    result = assess(evidence(*LEVEL_ONE), inconclusive=False)
    assert {"prediction_logging", "monitoring", "pipeline_triggers", "model_cd"} <= set(
        result.unknown
    )
    keys = [capability.key for capability in result.capabilities]
    assert "prediction_logging" not in keys
    missing = {c.key: c for c in result.capabilities}["ci"]
    assert (missing.grade, missing.strength) == (0.0, None)


def test_partial_evidence_of_what_lives_elsewhere_does_not_hold_a_level_back():
    # A deploy script run by hand says delivery exists, not that it is the whole story.
    findings = evidence(*LEVEL_ONE) + evidence("model_cd", grade=0.5)
    assert assess(findings, inconclusive=False).overall_level == 1


def test_the_progress_to_the_next_level_names_what_is_missing():
    findings = evidence(*[k for k in LEVEL_ONE if k != "model_validation"], "data_validation")
    result = assess(findings, inconclusive=False)
    progress = result.next_level_progress
    assert result.overall_level == 0
    assert progress["level"] == 1
    assert progress["blocking"] == ["model_validation"]
    assert "reproducible_environment" in progress["missing"]
    assert "pipeline_triggers" in progress["unknown"]
    assert progress["in_place"] == len(LEVEL_ONE)
    assert result.missing_for_next_level == ("model_validation",)


def test_at_the_highest_level_there_is_no_next_level():
    result = assess(evidence(*LEVEL_ONE, *LEVEL_TWO), inconclusive=False)
    assert result.next_level_progress is None
    assert result.missing_for_next_level == ()


def test_an_inconclusive_repository_has_no_level():
    result = assess(evidence("experiment_tracking"), inconclusive=True)
    assert result.overall_level is None
    assert set(result.dimensions.values()) == {None}
    assert result.next_level_progress is None


def _catalogue_with(**changes):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for key, fields in changes.items():
        next(c for c in data["capabilities"] if c["key"] == key).update(fields)
    return parse_catalogue(data)


def test_the_scanner_reads_levels_from_the_catalogue():
    findings = evidence(*LEVEL_ONE)
    assert assess(findings, inconclusive=False).overall_level == 1
    stricter = _catalogue_with(data_validation={"role": "characteristic"})
    assert assess(findings, inconclusive=False, catalogue=stricter).overall_level == 0
    earlier = _catalogue_with(automated_tests={"level": 1})
    assert assess(findings, inconclusive=False, catalogue=earlier).overall_level == 0
    assert (
        assess(
            findings + evidence("automated_tests"), inconclusive=False, catalogue=earlier
        ).overall_level
        == 1
    )


def test_the_scanner_reads_observability_from_the_catalogue():
    findings = evidence(*LEVEL_ONE)
    hidden = _catalogue_with(pipeline_triggers={"observable": "yes", "role": "characteristic"})
    result = assess(findings, inconclusive=False, catalogue=hidden)
    assert result.overall_level == 0
    assert result.missing_for_next_level == ("pipeline_triggers",)


def test_dimension_levels_count_components_and_stay_unknown_when_nothing_is_visible():
    result = assess(evidence(*LEVEL_ONE), inconclusive=False)
    assert result.dimensions["data"] == 0  # data validation, a component, is missing
    assert result.dimensions["validation_registry"] is not None
