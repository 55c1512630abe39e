"""Data validation gates: validation libraries used, TFX ExampleValidator, checks in CI."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs
from ..common import code_hits, finding
from ..imports import files_importing, first_per_path
from ..paths import is_test_path

VALIDATORS: dict[str, str] = {
    "great_expectations": "Great Expectations",
    "pandera": "Pandera",
    "tensorflow_data_validation": "TensorFlow Data Validation",
    "deepchecks": "Deepchecks",
    "soda": "Soda",
    "pointblank": "Pointblank",
}
VALIDATION_CALLS = keywords(
    "validate(",
    "ExampleValidator(",
    "validate_statistics(",
    "run_checkpoint(",
    "checkpoint.run(",
    ".expect_",
    "DataFrameSchema(",
    "DataFrameModel",
    "SchemaModel",
    "infer_schema(",
    "data_integrity(",
    "scan.execute(",
    "add_sodacl",
)
SCHEMA_GEN = keywords("SchemaGen(", "StatisticsGen(")
VALIDATION_IN_CI = re.compile(
    r"\b(great_expectations|gx) (checkpoint|suite)|\bsoda scan\b|validate[_-]?data|"
    r"data[_-]?validation"
)


@register
def data_validation_tools(snapshot: RepositorySnapshot) -> list[Finding]:
    """A data validation gate: validation libraries used, TFX ExampleValidator, CI checks."""
    findings = []
    calls = {hit.path: hit for hit in reversed(code_hits(snapshot, *VALIDATION_CALLS, tests=True))}
    for prefix, tool in VALIDATORS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        used = [calls[s.path] for s in sites if s.path in calls]
        if used:
            where = "in tests" if is_test_path(used[0].path) else "before training"
            grade = 0.5 if is_test_path(used[0].path) else 1
            findings.append(
                finding(
                    "data_validation",
                    grade,
                    Strength.CODE,
                    f"{tool} validates data {where}.",
                    used[0],
                )
            )
        elif sites:
            findings.append(
                finding(
                    "data_validation",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no validation call was found.",
                    sites[0],
                )
            )
    for hit in code_hits(snapshot, "ExampleValidator(")[:1]:
        findings.append(
            finding(
                "data_validation",
                1,
                Strength.CODE,
                "TFX ExampleValidator stops the pipeline on schema anomalies.",
                hit,
            )
        )
    for hit in code_hits(snapshot, *SCHEMA_GEN)[:1]:
        findings.append(
            finding(
                "data_validation",
                0.5,
                Strength.CODE,
                "The pipeline computes statistics and a schema of the data.",
                hit,
            )
        )
    for config in ci_configs(snapshot):
        for number, _ in config.search(VALIDATION_IN_CI)[:1]:
            findings.append(
                finding(
                    "data_validation",
                    1,
                    Strength.CI_CONFIG,
                    "CI validates the data.",
                    config.path,
                    number,
                )
            )
    schema_files = snapshot.matching(
        "*schema.pbtxt",
        "*great_expectations.yml",
        "*gx/great_expectations.yml",
        "*expectations/*.json",
        "*data_schema*.json",
        "*data_schema*.yaml",
        "*schema*.yaml",
    )
    for entry in schema_files[:1]:
        findings.append(
            finding(
                "data_validation",
                0.5,
                Strength.FILE_NAME,
                f"A data schema or expectation suite is versioned ({entry.path}).",
                entry.path,
            )
        )
    return findings
