"""Scan a repository: validate the address, fetch safely, read the tree, run the detectors,
and turn the findings into an evidence-only report.

``ScanReport.to_dict()`` is the stable JSON shape shared by the CLI and the API.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..maturity import Catalogue
from .addresses import Resolver, validate_repository_url
from .detectors import Finding, all_keywords, run_all
from .detectors.mlcode import ml_files
from .errors import LimitExceeded, ScanError
from .evidencepaths import GREP_PATHSPECS, grep_exclude_pathspecs
from .facts import (
    RepositoryFacts,
    project_roots,
    published_ml_tool,
    repository_facts,
    repository_flags,
)
from .git import Deadline, FetchedRepository, GitSession, fetch_repository
from .gitobjects import BlobReader, TreeEntry, extended_regex, grep_tree, list_tree
from .levels import CapabilityResult, assess
from .networks import Network
from .projects import normalize_project_folder, project_entries
from .tree import RepositorySnapshot
from .workdir import make_scan_dir

# Bump on every change that can change a report: a rescan of a commit already scanned by the
# same version is recorded as unchanged and keeps the earlier scan's evidence.
SCANNER_VERSION = "1.2.0"


@dataclass(frozen=True)
class ScanLimits:
    """Safety caps of one scan. ``max_blob_bytes`` is also the fetch's blob-size filter.

    ``work_dir`` is the folder the scan's temporary directory goes in (the system's temporary
    folder by default); ``sweep_scan_dirs`` of the same folder removes what killed scans left.
    """

    timeout_seconds: float = 120.0
    max_files: int = 100_000
    max_blob_bytes: int = 2_000_000
    max_total_bytes: int = 256 * 1024 * 1024
    max_notebook_bytes: int = 5_000_000
    history_days: int = 90
    work_dir: str | None = None


@dataclass
class ScanReport:
    """The outcome of one scan; ``findings`` is the raw evidence for the maturity engine."""

    repository: str
    commit: str | None
    scanner_version: str
    overall_level: int | None
    index: int
    inconclusive: bool
    flags: list[str]
    dimensions: dict[str, int | None]
    capabilities: list[CapabilityResult]
    unknown: list[str]
    facts: RepositoryFacts
    findings: list[Finding] = field(default_factory=list)
    missing_for_next_level: list[str] = field(default_factory=list)
    next_level_progress: dict[str, object] | None = None
    project: str = ""
    duration_ms: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "repository": self.repository,
            "commit": self.commit,
            "scanner_version": self.scanner_version,
            "overall_level": self.overall_level,
            "index": self.index,
            "inconclusive": self.inconclusive,
            "flags": list(self.flags),
            "dimensions": dict(self.dimensions),
            "capabilities": [capability.to_dict() for capability in self.capabilities],
            "unknown": list(self.unknown),
            "missing_for_next_level": list(self.missing_for_next_level),
            "next_level_progress": self.next_level_progress,
            "project": self.project,
            "facts": dict(self.facts),
            "duration_ms": self.duration_ms,
        }


def scan_repository(
    source: str,
    *,
    branch: str | None = None,
    access_token: str | None = None,
    allow_local_paths: bool = True,
    limits: ScanLimits = ScanLimits(),  # noqa: B008 - frozen, so sharing it is safe
    resolver: Resolver = socket.getaddrinfo,
    allowed_networks: tuple[Network, ...] = (),
    ca_bundle: str | None = None,
    project: str | None = None,
    also: Callable[[RepositorySnapshot], None] | None = None,
) -> ScanReport:
    """Scan ``source`` (an https URL, or a local path when allowed) and report its evidence.

    ``allowed_networks`` are private networks whose addresses count as reachable forges;
    ``ca_bundle`` a PEM file of the certificate authorities git trusts instead of the system's;
    ``project`` a folder of a monorepo to judge on its own (see projects.py); ``also`` a
    function given the scanned commit's snapshot while it is open (a level-up kit is built
    from the same commit as the report).

    Raises a ScanError subclass with a user-facing sentence on refusal or failure.
    """
    started = time.monotonic()
    folder = normalize_project_folder(project)
    safe = validate_repository_url(
        source,
        allow_local_paths=allow_local_paths,
        resolver=resolver,
        allowed_networks=allowed_networks,
    )
    deadline = Deadline(limits.timeout_seconds)
    workdir = make_scan_dir(limits.work_dir)
    try:
        session = GitSession(
            workdir,
            deadline=deadline,
            source=safe,
            access_token=access_token,
            ca_bundle=ca_bundle,
        )
        fetched = fetch_repository(
            session,
            branch=branch,
            blob_limit=max(limits.max_blob_bytes, limits.max_notebook_bytes),
            history_days=limits.history_days,
        )
        with open_snapshot(session, fetched, limits, project=folder) as snapshot:
            report = analyze_snapshot(
                snapshot,
                repository=safe.url,
                branch=fetched.branch,
                history_available=fetched.history_available,
                commits_last_90_days=fetched.commits_last_90_days,
                started=started,
                project=folder,
            )
            # After the detectors: what `also` reads never takes their share of the read budget.
            if also is not None:
                also(snapshot)
            return report
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


scan_path = scan_repository


def open_snapshot(
    session: GitSession, fetched: FetchedRepository, limits: ScanLimits, *, project: str = ""
) -> RepositorySnapshot:
    """A snapshot of the fetched commit: tree from ``ls-tree``, blobs from ``cat-file``.

    With ``project``, only that folder (re-rooted) and the root CI files naming it."""
    listing = list_tree(session, fetched.commit, max_files=limits.max_files)
    keywords = sorted(all_keywords())
    pattern = extended_regex(keywords)

    def grep_backend(add: Callable[[str, int, str], None]) -> bool:
        try:
            grep_tree(
                session,
                fetched.commit,
                pattern=pattern,
                pathspecs=[*GREP_PATHSPECS, *grep_exclude_pathspecs()],
                on_line=add,
            )
        except LimitExceeded:
            raise
        except ScanError:
            return False  # git grep failed: fall back to reading files in Python
        return True

    reader = BlobReader(session)
    entries = listing.files
    if project:

        def read_text(entry: TreeEntry) -> str | None:
            if entry.size is None or entry.size > limits.max_blob_bytes:
                return None
            data = reader.read(entry.oid)
            return data.decode("utf-8", "replace") if data is not None else None

        try:
            entries = project_entries(listing.files, project, read_text=read_text)
        except ScanError:
            reader.close()
            raise
    return RepositorySnapshot(
        commit=fetched.commit,
        entries=entries,
        read_blob=lambda entry: reader.read(entry.oid),
        keywords=keywords,
        # git grep reports paths from the repository's root; a project's files are re-rooted,
        # so they are read in Python (a project is a small part of the repository).
        grep_backend=None if project else grep_backend,
        refs=fetched.refs,
        symlinks=listing.symlinks,
        submodules=listing.submodules,
        truncated=listing.truncated,
        max_blob_bytes=limits.max_blob_bytes,
        max_total_bytes=limits.max_total_bytes,
        max_notebook_bytes=limits.max_notebook_bytes,
        on_close=reader.close,
    )


def analyze_snapshot(
    snapshot: RepositorySnapshot,
    *,
    repository: str,
    branch: str | None = None,
    history_available: bool = False,
    commits_last_90_days: int | None = None,
    started: float | None = None,
    catalogue: Catalogue | None = None,
    project: str = "",
) -> ScanReport:
    """Run every detector on a snapshot and build the report (no git, no network).

    The report judges the findings against ``catalogue``, the current one by default."""
    started = time.monotonic() if started is None else started
    failed_detectors: list[str] = []
    findings = run_all(snapshot, failed_detectors=failed_detectors)
    tool = published_ml_tool(snapshot)
    inconclusive = tool is not None or not ml_files(snapshot)
    assessment = assess(findings, inconclusive=inconclusive, catalogue=catalogue)
    facts = repository_facts(
        snapshot,
        branch=branch,
        history_available=history_available,
        commits_last_90_days=commits_last_90_days,
    )
    if failed_detectors:
        facts["failed_detectors"] = failed_detectors
    flags = repository_flags(snapshot, inconclusive=inconclusive, ml_tool=tool is not None)
    if tool is not None:
        facts["ml_tool"] = tool
    if "monorepo" in flags:
        # Each can be scanned on its own: scan_repo --subdir, or a connection's project folder.
        facts["projects"] = project_roots(snapshot)
    return ScanReport(
        repository=repository,
        commit=snapshot.commit,
        scanner_version=SCANNER_VERSION,
        overall_level=assessment.overall_level,
        index=assessment.index,
        inconclusive=inconclusive,
        flags=flags,
        dimensions=assessment.dimensions,
        capabilities=list(assessment.capabilities),
        unknown=list(assessment.unknown),
        facts=facts,
        findings=findings,
        missing_for_next_level=list(assessment.missing_for_next_level),
        next_level_progress=assessment.next_level_progress,
        project=project,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
