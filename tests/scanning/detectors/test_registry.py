"""The detector registry, its findings and the catalogue, held to the families' tables together.

The tables cover every capability the catalogue gives detectors, the catalogue names exactly the
detectors that report each capability, and findings are well formed and come out the same
whatever order the files are read in.
"""

import pytest

from assessments.maturity import load_catalogue
from assessments.scanning.detectors import (
    Finding,
    Strength,
    UnknownDetector,
    detector_names,
    get_detector,
    register,
    run_all,
)

from ..snapshots import snapshot_of
from . import (
    test_cicd,
    test_code_and_environment,
    test_experiment_and_data,
    test_llm_applications,
    test_llm_guardrails_and_tracing,
    test_llm_pinning_and_retrieval_refresh,
    test_llm_prompts_and_evaluation,
    test_pipeline_and_model_registry,
    test_serving_and_governance,
)
from .tables import DVC_EXPERIMENT_REF

TABLE = [
    param
    for family in (
        test_code_and_environment,
        test_experiment_and_data,
        test_pipeline_and_model_registry,
        test_cicd,
        test_serving_and_governance,
        test_llm_prompts_and_evaluation,
        test_llm_guardrails_and_tracing,
        test_llm_pinning_and_retrieval_refresh,
        test_llm_applications,
    )
    for param in family.TABLE
]

CATALOGUE = load_catalogue()


def test_the_table_covers_every_capability_the_catalogue_gives_detectors():
    covered = {param.values[1] for param in TABLE}
    assert covered == {c.key for c in CATALOGUE.capabilities if c.detectors}


def test_the_catalogue_names_exactly_the_detectors_that_report_each_capability():
    files = {f"{param.id}/{p}": c for param in TABLE for p, c in param.values[0].items()}
    refs = (DVC_EXPERIMENT_REF,)
    reported = {(f.capability, f.detector) for f in run_all(snapshot_of(files, refs=refs))}
    declared = {(c.key, name) for c in CATALOGUE.capabilities for name in c.detectors}
    assert reported - declared == set(), "findings from detectors the catalogue does not name"
    assert {name for _, name in declared} == set(detector_names())


def test_a_capability_without_detectors_is_never_observable_yes():
    # The scanner could never find it, so its absence would always read as missing.
    assert [
        c.key for c in CATALOGUE.capabilities if not c.detectors and c.observable == "yes"
    ] == []


def test_every_finding_names_its_detector_and_a_short_reason():
    files = {}
    for param in TABLE:
        files.update({f"{param.id}/{path}": content for path, content in param.values[0].items()})
    findings = run_all(snapshot_of(files))
    assert findings
    for finding in findings:
        assert finding.detector in detector_names()
        assert finding.reason.endswith(".")
        assert len(finding.reason) < 160
        assert CATALOGUE.has_capability(finding.capability)


def test_findings_are_deterministic():
    files = {f"{param.id}/{p}": c for param in TABLE for p, c in param.values[0].items()}
    assert run_all(snapshot_of(files)) == run_all(snapshot_of(dict(reversed(files.items()))))


def test_the_registry_refuses_duplicate_names_and_unknown_lookups():
    with pytest.raises(ValueError, match="already registered"):
        register(name="experiment_trackers")(lambda snapshot: [])
    with pytest.raises(UnknownDetector):
        get_detector("no_such_detector")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capability": "no_such_key"}, "Unknown capability"),
        ({"grade": 0.7}, "Grade must be"),
        ({"strength": "code"}, "Strength must be"),
        ({"grade": 1, "strength": Strength.MENTION}, "mention cannot"),
    ],
)
def test_a_finding_refuses_invalid_values(kwargs, message):
    values = {"capability": "ci", "grade": 1, "strength": Strength.CODE, "reason": "Because."}
    with pytest.raises(ValueError, match=message):
        Finding(**{**values, **kwargs})


def test_strength_ranks_ci_config_above_code_above_file_name_above_mention():
    assert Strength.CI_CONFIG > Strength.CODE > Strength.FILE_NAME > Strength.MENTION
    assert [s.label for s in Strength] == ["mention", "file_name", "code", "ci_config"]
