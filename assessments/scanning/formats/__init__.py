"""Scan reports in the formats CI systems read: SARIF for code scanning, Markdown for a pull
request comment, and a comparison with a previous report (a baseline) for a gate that fails
only when a change makes things worse. Each reads the stable JSON shape of
``ScanReport.to_dict()``, so a report saved by an earlier run is read the same way."""

from .baseline import BaselineError, Comparison, compare_reports
from .markdown import as_markdown
from .report import ReportCapability, ReportData, ReportFormatError, read_report
from .sarif import as_sarif

__all__ = [
    "BaselineError",
    "Comparison",
    "ReportCapability",
    "ReportData",
    "ReportFormatError",
    "as_markdown",
    "as_sarif",
    "compare_reports",
    "read_report",
]
