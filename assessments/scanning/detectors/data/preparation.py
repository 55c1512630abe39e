"""Data extraction and preparation run as pipeline steps, not by hand."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import invoked_scripts
from ..common import code_hits, finding, first_hits
from ..orchestration import dvc_stages, orchestrated_files
from ..paths import is_notebook, is_test_path

PREPARATION_COMPONENTS = keywords(
    "ExampleGen(",
    "Transform(",
    "ProcessingStep(",
    "preprocess",
    "prepare",
    "ingest",
    "feature_engineering",
    "featurize",
    "make_dataset",
    "load_data",
    "clean_data",
    "extract",
)
# ``baseline_step = ProcessingStep(...)`` computes a model monitor's baseline statistics: a
# processing step, but no data preparation. (A notebook that prepares data and also builds a
# pipeline prepares it by hand, cell by cell: only pipeline code counts.)
MONITORING_BASELINE = re.compile(r"baseline|monitor", re.I)
PREPARE_STAGE = re.compile(
    r"prep|ingest|extract|featur|clean|split|load|process|etl|transform", re.I
)
PREPARE_SCRIPT = re.compile(
    r"(^|/)(prepare|preprocess|preprocessing|ingest|make_dataset|etl|data_prep|"
    r"build_features|featurize|feature_engineering)[\w-]*\.py$"
)


@register
def data_preparation_steps(snapshot: RepositorySnapshot) -> list[Finding]:
    """Data extraction and preparation run as pipeline steps, not by hand."""
    findings = []
    stages = list(dvc_stages(snapshot).items())
    by_name = [item for item in stages if PREPARE_STAGE.search(item[0].split(":", 1)[1])]
    by_command = [item for item in stages if PREPARE_STAGE.search(_command(item[1]))]
    for key, _stage in (by_name or by_command)[:1]:
        path, name = key.split(":", 1)
        findings.append(
            finding(
                "data_extraction_automation",
                1,
                Strength.CODE,
                f"dvc.yaml runs data preparation as a stage ({name}).",
                path,
            )
        )
    orchestrated = orchestrated_files(snapshot)
    for hit in first_hits(
        h
        for h in code_hits(snapshot, *PREPARATION_COMPONENTS)
        if h.path in orchestrated
        and not is_notebook(h.path)
        and not MONITORING_BASELINE.search(h.text)
    )[:1]:
        findings.append(
            finding(
                "data_extraction_automation",
                1,
                Strength.CODE,
                f"The {orchestrated[hit.path]} pipeline has a data preparation step.",
                hit,
            )
        )
    invoked = invoked_scripts(snapshot)
    for entry in snapshot.evidence:
        if PREPARE_SCRIPT.search(entry.path) and not is_test_path(entry.path):
            if entry.path in invoked:
                config, line = invoked[entry.path]
                findings.append(
                    finding(
                        "data_extraction_automation",
                        1,
                        Strength.CI_CONFIG,
                        f"CI runs the data preparation script {entry.path}.",
                        config.path,
                        line,
                    )
                )
            else:
                findings.append(
                    finding(
                        "data_extraction_automation",
                        0.5,
                        Strength.FILE_NAME,
                        f"A data preparation script exists ({entry.path}); it is run by hand.",
                        entry.path,
                    )
                )
            break
    return findings


def _command(stage: Mapping[object, object]) -> str:
    command = stage.get("cmd", "")
    return " ".join(map(str, command)) if isinstance(command, list) else str(command)
