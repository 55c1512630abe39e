"""Data versioning and lineage: DVC, lakeFS, Delta time travel, Pachyderm, Git LFS."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, finding, first_hits, plural

VERSIONING = keywords(
    "import lakefs",
    "lakefs_client",
    "lakefs://",
    "DeltaTable",
    'format("delta")',
    "format('delta')",
    "versionAsOf",
    "python_pachyderm",
    "dvc.api",
    "deeplake",
    # Azure ML registers each new state of a dataset as a version
    "create_new_version=True",
)


@register
def data_versioning_tools(snapshot: RepositorySnapshot) -> list[Finding]:
    """Data versioning and lineage: DVC, lakeFS, Delta time travel, Pachyderm, LFS."""
    findings = []
    dvc_files = snapshot.with_suffix(".dvc")
    dvc_pipeline = snapshot.named("dvc.yaml", "dvc.lock")
    dvc_config = [e for e in snapshot.files if e.path == ".dvc/config"]
    if dvc_files or dvc_pipeline or dvc_config:
        first = (dvc_pipeline + dvc_files + dvc_config)[0].path
        detail = f" ({plural(len(dvc_files), 'tracked data file')})" if dvc_files else ""
        findings.append(
            finding(
                "data_versioning",
                1,
                Strength.FILE_NAME,
                f"Data is versioned with DVC{detail}.",
                first,
            )
        )
    for hit in first_hits(code_hits(snapshot, *VERSIONING))[:2]:
        findings.append(
            finding(
                "data_versioning",
                1,
                Strength.CODE,
                "Data is read from or registered in a versioned store (lakeFS, Delta, DVC API,"
                " Pachyderm, Azure ML datasets).",
                hit,
            )
        )
    for entry in snapshot.named(".gitattributes", evidence_only=False)[:1]:
        text = snapshot.read_text(entry) or ""
        if re.search(r"\.(csv|parquet|tsv|jsonl|arrow|feather|h5|npy|npz)\S*\s.*filter=lfs", text):
            findings.append(
                finding(
                    "data_versioning",
                    0.5,
                    Strength.FILE_NAME,
                    "Data files are stored with Git LFS (versioned, without lineage).",
                    entry.path,
                )
            )
    return findings
