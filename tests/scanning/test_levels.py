"""Evidence-only levels: cumulative, unknown is not missing, level 2 needs automation."""

import pytest

from assessments.scanning.detectors import (
    CAPABILITY_KEYS,
    CAPABILITY_LEVELS,
    OBSERVABLE_CAPABILITIES,
    OPTIONAL_CAPABILITIES,
    Finding,
    Strength,
)
from assessments.scanning.levels import assess

LEVEL_ONE = [
    "version_control",
    "modular_code",
    "reproducible_environment",
    "config_outside_code",
    "containerization",
    "data_extraction_automation",
    "data_validation",
    "experiment_tracking",
    "reproducible_training",
    "pipeline_orchestration",
    "model_validation",
    "model_registry",
]
LEVEL_TWO = ["ci", "automated_tests", "ml_specific_tests", "pipeline_cd"]


def evidence(*keys, grade=1.0, strength=Strength.CODE):
    return [Finding(key, grade, strength, "Seen.", "x.py", 1, "test") for key in keys]


def test_the_level_one_and_two_lists_match_the_observable_requirements():
    def required(level):
        return {
            k
            for k in CAPABILITY_KEYS
            if CAPABILITY_LEVELS[k] == level
            and k in OBSERVABLE_CAPABILITIES
            and k not in OPTIONAL_CAPABILITIES
        }

    assert required(0) | required(1) == set(LEVEL_ONE)
    assert required(2) == set(LEVEL_TWO)


@pytest.mark.parametrize(
    ("findings", "level"),
    [
        (evidence("version_control"), 0),
        (evidence(*LEVEL_ONE), 1),
        (evidence(*LEVEL_ONE, *LEVEL_TWO), 2),
        (evidence(*LEVEL_ONE[:-1], *LEVEL_TWO), 0),  # cumulative: a level-1 gap caps at 0
        (evidence(*LEVEL_ONE) + evidence(*LEVEL_TWO, grade=0.5), 1),  # level 2 needs grade 1
        (evidence(*LEVEL_ONE, grade=0.5), 1),  # partial evidence counts up to level 1
        (evidence(*LEVEL_ONE) + evidence("model_registry", grade=0), 1),  # best grade wins
        (
            evidence(*[k for k in LEVEL_ONE if k != "data_validation"])
            + evidence("data_validation", grade=0.0, strength=Strength.MENTION),
            0,
        ),
    ],
)
def test_the_level_is_the_highest_with_every_observable_requirement_met(findings, level):
    assert assess(findings, inconclusive=False).overall_level == level


def test_capabilities_a_repository_cannot_show_are_unknown_not_missing():
    result = assess(evidence(*LEVEL_ONE), inconclusive=False)
    assert "prediction_logging" in result.unknown
    assert "monitoring" in result.unknown
    assert "pipeline_triggers" in result.unknown
    keys = [capability.key for capability in result.capabilities]
    assert "prediction_logging" not in keys
    missing = {c.key: c for c in result.capabilities}["ci"]
    assert (missing.grade, missing.strength) == (0.0, None)


def test_evidence_turns_an_unknown_capability_into_a_known_one():
    result = assess(evidence(*LEVEL_ONE, "monitoring"), inconclusive=False)
    assert "monitoring" not in result.unknown
    assert result.dimensions["serving_monitoring"] == 2


def test_an_inconclusive_repository_has_no_level():
    result = assess(evidence("ci"), inconclusive=True)
    assert result.overall_level is None
    assert set(result.dimensions.values()) == {None}
    assert result.index == 0
    assert [c.key for c in result.capabilities] == ["ci"]


def test_it_says_what_is_missing_for_the_next_level():
    result = assess(evidence(*LEVEL_ONE[:-2]), inconclusive=False)
    assert result.overall_level == 0
    assert result.missing_for_next_level == ("model_validation", "model_registry")


def test_dimensions_have_their_own_levels():
    result = assess(evidence(*LEVEL_ONE[:5]), inconclusive=False)
    # infrastructure as code, the only level-2 capability here, is unknown: it does not block
    assert result.dimensions["code_environment"] == 2
    assert result.dimensions["data"] == 0
    assert result.dimensions["serving_monitoring"] is None  # nothing observable, no evidence
    assert "governance" not in result.dimensions


def test_the_index_grows_with_evidence():
    low = assess(evidence("version_control"), inconclusive=False).index
    middle = assess(evidence(*LEVEL_ONE), inconclusive=False).index
    high = assess(evidence(*LEVEL_ONE, *LEVEL_TWO), inconclusive=False).index
    assert 0 < low < middle < high <= 100


def test_the_best_finding_gives_the_reason_and_evidence_is_ordered():
    findings = [
        Finding("ci", 0.5, Strength.CI_CONFIG, "Manual only.", "b.yml", 1, "d"),
        Finding("ci", 1.0, Strength.CI_CONFIG, "On every push.", "a.yml", 3, "d"),
    ]
    (ci,) = [c for c in assess(findings, inconclusive=False).capabilities if c.key == "ci"]
    assert (ci.grade, ci.reason) == (1.0, "On every push.")
    assert [e.path for e in ci.evidence] == ["a.yml", "b.yml"]
