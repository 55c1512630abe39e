"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): MLOps gaps beside code alerts.

One rule per catalogue capability, with its help and remediation; one result per gap the scan
found. A gap has no line of its own, so it points at the evidence the scan saw when the
capability is partly in place, and otherwise at the repository's ML code: the alert is about
that code's pipeline. The fingerprint is the project and the capability, so an alert keeps its
identity from commit to commit and closes when the gap does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ...maturity import Capability, Catalogue
from .gaps import Gap, Urgency, report_gaps
from .report import ReportData

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "MLMaturity"
SARIF_LEVEL = {
    Urgency.BLOCKS_NEXT_LEVEL: "error",
    Urgency.NEEDED_FOR_NEXT_LEVEL: "warning",
    Urgency.LATER: "note",
}
FALLBACK_ANCHOR = "README.md"


def as_sarif(report: ReportData, catalogue: Catalogue) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log of one run."""
    rules = [_rule(c) for c in catalogue.capabilities]
    rule_index = {c.key: i for i, c in enumerate(catalogue.capabilities)}
    anchor = _anchor(report)
    results = [
        _result(gap, report, rule_index[gap.capability.key], anchor)
        for gap in report_gaps(report, catalogue)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "semanticVersion": report.scanner_version,
                "rules": rules,
            }
        },
        # GitHub keeps one analysis per category: one per project of a monorepo.
        "automationDetails": {"id": f"mlmaturity/{report.project or 'repository'}/"},
        "results": results,
        "properties": {
            "overallLevel": report.overall_level,
            "index": report.index,
            "inconclusive": report.inconclusive,
            "catalogueVersion": catalogue.version,
        },
    }
    if report.commit and report.repository.startswith("https://"):
        run["versionControlProvenance"] = [
            {"repositoryUri": report.repository, "revisionId": report.commit}
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(capability: Capability) -> dict[str, Any]:
    help_text = (
        f"{capability.why}\n\nWhat to do: {capability.remediation}\n\n"
        f"How it is verified: {capability.verify}"
    )
    return {
        "id": capability.key,
        "name": "".join(part.capitalize() for part in capability.key.split("_")),
        "shortDescription": {"text": capability.title},
        "fullDescription": {"text": capability.description},
        "help": {
            "text": help_text,
            "markdown": (
                f"**Why it matters.** {capability.why}\n\n"
                f"**What to do.** {capability.remediation}\n\n"
                f"**How it is verified.** {capability.verify}"
            ),
        },
        "defaultConfiguration": {"level": "note" if capability.optional else "warning"},
        "properties": {
            "tags": ["mlops", capability.dimension],
            "capabilityLevel": capability.level,
            "dimension": capability.dimension,
        },
    }


def _result(gap: Gap, report: ReportData, index: int, anchor: str) -> dict[str, Any]:
    capability = gap.capability
    if gap.found and gap.found.evidence:
        evidence = gap.found.evidence[0]
        path, line = evidence.path, evidence.line or 1
        what = f"{capability.title} is only partly in place: {gap.found.reason}"
    else:
        path, line = anchor, 1
        what = f"{capability.title} was not found in this repository."
    needed = {
        Urgency.BLOCKS_NEXT_LEVEL: f" Level {capability.level} cannot be reached without it.",
        Urgency.NEEDED_FOR_NEXT_LEVEL: f" Level {capability.level} counts it.",
        Urgency.LATER: "",
    }[gap.urgency]
    return {
        "ruleId": capability.key,
        "ruleIndex": index,
        "kind": "fail",
        "level": SARIF_LEVEL[gap.urgency],
        "message": {"text": f"{what}{needed} {capability.remediation}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                }
            }
        ],
        "partialFingerprints": {"mlmaturityGap/v1": f"{report.project}:{capability.key}"},
        "properties": {
            "grade": gap.grade,
            "repositoryLevel": report.overall_level,
            "capabilityLevel": capability.level,
        },
    }


def _anchor(report: ReportData) -> str:
    """A file of the repository that alerts without evidence of their own point at."""
    tracked = report.capabilities.get("version_control")
    if tracked and tracked.evidence:
        return tracked.evidence[0].path
    for capability in report.capabilities.values():
        if capability.evidence:
            return capability.evidence[0].path
    return FALLBACK_ANCHOR


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (spaces and the like percent-encoded)."""
    return quote(path.lstrip("/"), safe="/")
