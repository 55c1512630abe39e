"""Repository scanning for MLMaturity: safe git access, detectors with evidence, and an
evidence-only maturity level. Pure Python: nothing here imports Django.

Typical use::

    from assessments.scanning import ScanLimits, scan_repository

    report = scan_repository("https://github.com/org/repo", access_token=token,
                             allow_local_paths=False)
    report.to_dict()   # the stable JSON shape of the CLI and the API
    report.findings    # raw evidence for the maturity engine

    sweep_scan_dirs()  # remove the temporary directories of scans whose process was killed
"""

from .addresses import SafeRepositoryURL, validate_repository_url
from .custom_checks import CheckOutcome, evaluate_check_set
from .detectors import Finding, Strength
from .errors import (
    GitUnavailable,
    HostResolutionFailed,
    InvalidProjectFolder,
    LimitExceeded,
    RepositoryUnavailable,
    ScanError,
    UnsafeRepositoryURL,
)
from .levels import CapabilityResult
from .networks import Network, parse_allowed_networks
from .projects import normalize_project_folder
from .scan import (
    SCANNER_VERSION,
    ScanLimits,
    ScanReport,
    analyze_snapshot,
    scan_path,
    scan_repository,
)
from .tree import RepositorySnapshot
from .workdir import sweep_scan_dirs

__all__ = [
    "SCANNER_VERSION",
    "CapabilityResult",
    "CheckOutcome",
    "Finding",
    "GitUnavailable",
    "HostResolutionFailed",
    "InvalidProjectFolder",
    "LimitExceeded",
    "RepositorySnapshot",
    "RepositoryUnavailable",
    "SafeRepositoryURL",
    "ScanError",
    "ScanLimits",
    "ScanReport",
    "Strength",
    "UnsafeRepositoryURL",
    "analyze_snapshot",
    "evaluate_check_set",
    "normalize_project_folder",
    "scan_path",
    "scan_repository",
    "sweep_scan_dirs",
    "Network",
    "parse_allowed_networks",
    "validate_repository_url",
]
