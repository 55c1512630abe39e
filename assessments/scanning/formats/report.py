"""The stable JSON shape of a scan report, read back into typed values.

A baseline file comes from an earlier CI run, and CI artefacts can be edited or cut short:
every field is checked, and a report that is not one says so in a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class ReportFormatError(ValueError):
    """The data is not a scan report of this tool."""


@dataclass(frozen=True)
class ReportEvidence:
    path: str
    line: int | None


@dataclass(frozen=True)
class ReportCapability:
    key: str
    grade: float
    strength: str | None
    reason: str
    evidence: tuple[ReportEvidence, ...]


@dataclass(frozen=True)
class ReportData:
    repository: str
    commit: str | None
    scanner_version: str
    overall_level: int | None
    index: int
    inconclusive: bool
    project: str
    dimensions: Mapping[str, int | None]
    capabilities: Mapping[str, ReportCapability]
    unknown: tuple[str, ...]
    next_level_progress: Mapping[str, object] | None

    def grade(self, key: str) -> float:
        """The capability's grade, 0 when the scan found nothing for it."""
        found = self.capabilities.get(key)
        return found.grade if found else 0.0


def read_report(data: object) -> ReportData:
    """A scan report from its JSON shape (`ScanReport.to_dict()` or a file of it)."""
    if not isinstance(data, Mapping):
        raise ReportFormatError("The report is not a JSON object.")
    level = data.get("overall_level")
    if level is not None and level not in (0, 1, 2):
        raise ReportFormatError("The report's overall_level is not 0, 1, 2 or null.")
    capabilities = data.get("capabilities")
    if not isinstance(capabilities, list):
        raise ReportFormatError("The report has no list of capabilities.")
    dimensions = data.get("dimensions", {})
    if not isinstance(dimensions, Mapping) or not all(
        v is None or isinstance(v, int) for v in dimensions.values()
    ):
        raise ReportFormatError("The report's dimensions are not levels by dimension.")
    progress = data.get("next_level_progress")
    unknown = data.get("unknown", [])
    if not isinstance(unknown, list) or not all(isinstance(k, str) for k in unknown):
        raise ReportFormatError("The report's unknown capabilities are not a list of keys.")
    return ReportData(
        repository=_text(data, "repository"),
        commit=_optional_text(data, "commit"),
        scanner_version=_text(data, "scanner_version"),
        overall_level=level,
        index=_integer(data, "index"),
        inconclusive=bool(data.get("inconclusive", False)),
        project=_optional_text(data, "project") or "",
        dimensions={str(k): v for k, v in dimensions.items()},
        capabilities={c.key: c for c in map(_capability, capabilities)},
        unknown=tuple(unknown),
        next_level_progress=progress if isinstance(progress, Mapping) else None,
    )


def _capability(item: object) -> ReportCapability:
    if not isinstance(item, Mapping):
        raise ReportFormatError("A capability of the report is not a JSON object.")
    key = _text(item, "key")
    grade = item.get("grade")
    if not isinstance(grade, int | float) or isinstance(grade, bool) or not 0 <= grade <= 1:
        raise ReportFormatError(f"The grade of {key!r} is not a number from 0 to 1.")
    evidence = item.get("evidence", [])
    if not isinstance(evidence, list):
        raise ReportFormatError(f"The evidence of {key!r} is not a list.")
    return ReportCapability(
        key=key,
        grade=float(grade),
        strength=_optional_text(item, "strength"),
        reason=_optional_text(item, "reason") or "",
        evidence=tuple(_evidence(key, e) for e in evidence),
    )


def _evidence(key: str, item: object) -> ReportEvidence:
    if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
        raise ReportFormatError(f"An evidence entry of {key!r} has no path.")
    line = item.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise ReportFormatError(f"An evidence entry of {key!r} has a line that is not 1 or more.")
    return ReportEvidence(path=item["path"], line=line)


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ReportFormatError(f"The report's {key} is missing or not text.")
    return value


def _optional_text(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ReportFormatError(f"The report's {key} is not text.")
    return value


def _integer(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReportFormatError(f"The report's {key} is missing or not a whole number.")
    return value
