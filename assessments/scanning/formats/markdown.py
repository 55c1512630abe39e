"""A scan report as a pull request comment (GitHub-flavoured Markdown).

Paths, reasons and project names come from the scanned repository, which anyone opening a pull
request controls: they are escaped, so they show as text and never as links, images, HTML or
table cells of their own.
"""

from __future__ import annotations

import re

from ...maturity import Catalogue, progress_sentence
from .baseline import Comparison
from .gaps import Urgency, report_gaps
from .report import ReportData

# Characters that start Markdown or HTML syntax; escaped with a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&:])")
URGENCY_TEXT = {
    Urgency.BLOCKS_NEXT_LEVEL: "blocks the next level",
    Urgency.NEEDED_FOR_NEXT_LEVEL: "counts for the next level",
    Urgency.LATER: "later",
}


def escape(text: str) -> str:
    """Untrusted text as literal Markdown, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def as_markdown(
    report: ReportData, catalogue: Catalogue, comparison: Comparison | None = None
) -> str:
    level = "inconclusive" if report.overall_level is None else f"level {report.overall_level}"
    where = f" · {escape(report.project)}" if report.project else ""
    lines = [f"### MLOps maturity: {level}, index {report.index}{where}", ""]
    titles = {c.key: c.title for c in catalogue.capabilities}
    if report.next_level_progress is not None or report.overall_level == 2:
        lines += [ours(progress_sentence(report.next_level_progress, titles)), ""]
    if comparison is not None:
        verdict = "worse than" if comparison.worse else "no worse than"
        lines.append(f"**Against the baseline:** this change is {verdict} the baseline.")
        lines += [f"- {ours(s)}" for s in comparison.sentences()]
        lines.append("")
    gaps = report_gaps(report, catalogue)
    if gaps:
        lines += [
            "| Capability | Level | Now | Matters | What to do |",
            "|---|---|---|---|---|",
        ]
        for gap in gaps:
            now = "absent" if gap.grade == 0 else f"partly ({gap.grade:g})"
            if gap.found and gap.found.reason and gap.grade:
                now += f": {escape(gap.found.reason)}"
            lines.append(
                f"| {ours(gap.capability.title)} | {gap.capability.level} | {now} "
                f"| {URGENCY_TEXT[gap.urgency]} | {ours(gap.capability.remediation)} |"
            )
        lines.append("")
    else:
        lines += ["Every capability a repository can show is in place.", ""]
    in_place = [c for c in report.capabilities.values() if c.grade >= 1]
    if in_place:
        lines.append(f"<details><summary>In place ({len(in_place)})</summary>\n")
        for capability in in_place:
            title = titles.get(capability.key, capability.key)
            lines.append(f"- {ours(title)}: {escape(capability.reason)}")
        lines += ["", "</details>", ""]
    commit = (report.commit or "")[:12]
    lines.append(
        f"<sub>Commit {escape(commit)}, scanner {escape(report.scanner_version)}, "
        f"catalogue {ours(catalogue.version)}.</sub>"
    )
    return "\n".join(lines) + "\n"


def ours(text: str) -> str:
    """Our own text (catalogue titles and advice), kept readable: only what would break a
    table row or a line is escaped."""
    return " ".join(text.split()).replace("|", "\\|")
