"""In-memory snapshots for detector tables: fast, no git, same detectors."""

from __future__ import annotations

from assessments.scanning.detectors import Finding, Strength, all_keywords, run_all
from assessments.scanning.git import Ref
from assessments.scanning.tree import RepositorySnapshot


def snapshot_of(files: dict, *, refs: tuple[str, ...] = (), **options) -> RepositorySnapshot:
    return RepositorySnapshot.from_files(
        files,
        keywords=all_keywords(),
        refs=[Ref(name=name, oid="a" * 40, timestamp=None) for name in refs],
        **options,
    )


def best(findings: list[Finding], capability: str) -> Finding | None:
    """The strongest finding for ``capability`` (highest grade, then strength)."""
    matching = [f for f in findings if f.capability == capability]
    if not matching:
        return None
    return max(matching, key=lambda f: (f.grade, f.strength))


def best_for(files: dict, capability: str, **options) -> tuple[float | None, Strength | None]:
    finding = best(run_all(snapshot_of(files, **options)), capability)
    return (finding.grade, finding.strength) if finding else (None, None)
