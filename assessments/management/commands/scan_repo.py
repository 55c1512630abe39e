"""Scan a repository without the web app, for people and for CI pipelines.

    python manage.py scan_repo PATH_OR_URL [--branch B] [--subdir DIR]
                               [--format text|json|sarif|markdown]
                               [--fail-under LEVEL] [--baseline REPORT.json]
                               [--kit STEP]

A monorepo of many ML projects is reported with the projects it holds; ``--subdir`` judges one
of them on its own. ``--format sarif`` is for code scanning (GitHub, GitLab), ``markdown`` for
a pull request comment; ``--baseline`` compares with an earlier ``--format json`` report, for a
gate that fails only when a change lowers the level or a capability. ``--kit STEP`` prints,
instead of the report, a patch of the scanned commit that puts the roadmap step's capability in
place (``git apply`` it), and what it does and does not do on stderr.

Exit status: 0 done; 3 when the level is below --fail-under (or inconclusive with it set), or
when the scan is worse than the baseline; 2 on bad input or a failed scan, with a one-line
error on stderr.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments import kits, maturity, scanning
from assessments.scanning import formats

EXIT_BELOW_THRESHOLD = 3
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Scan a git repository (local path or https URL) and report its evidence-only level."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a local path or an https URL of a git repository")
        parser.add_argument("--branch", default=None, help="branch to scan (default: HEAD)")
        parser.add_argument(
            "--subdir",
            default=None,
            help="a project folder of a monorepo, judged on its own",
        )
        parser.add_argument(
            "--format", choices=["text", "json", "sarif", "markdown"], default="text"
        )
        parser.add_argument(
            "--fail-under",
            type=int,
            choices=[0, 1, 2],
            default=None,
            help="exit with status 3 when the level is below this one",
        )
        parser.add_argument(
            "--baseline",
            default=None,
            metavar="REPORT.json",
            help="an earlier --format json report: exit with status 3 only when this scan "
            "lowers the level or a capability's grade",
        )
        parser.add_argument(
            "--kit",
            default=None,
            metavar="STEP",
            help="print a patch that puts this roadmap step's capability in place instead of "
            "the report",
        )

    def handle(  # noqa: A002 (the option is called --format)
        self,
        *args: Any,
        source: str,
        branch: str | None,
        subdir: str | None,
        format: str,
        fail_under: int | None,
        baseline: str | None,
        kit: str | None,
        **options: Any,
    ) -> None:
        if kit and kit not in kits.kit_steps():
            # Said before fetching anything, in one line, as every refusal of this command is.
            self.stderr.write(
                f"error: there is no kit for {kit!r}; kits exist for: "
                f"{', '.join(kits.kit_steps())}."
            )
            sys.exit(EXIT_BAD_INPUT)
        previous = self._read_baseline(baseline) if baseline else None
        built: list[kits.Kit] = []

        def build(snapshot: scanning.RepositorySnapshot) -> None:
            assert kit is not None  # passed to the scan below only with --kit
            built.append(kits.build_kit(kit, snapshot, repository=source))

        try:
            # The operator runs this command on their own machine, so local paths are fine.
            report = scanning.scan_repository(
                source,
                branch=branch,
                allow_local_paths=True,
                project=subdir,
                also=build if kit else None,
            )
        except scanning.ScanError as error:
            self.stderr.write(f"error: {error.message}")
            sys.exit(EXIT_BAD_INPUT)
        except kits.KitUnavailable as error:
            self.stderr.write(f"error: {error}")
            sys.exit(EXIT_BAD_INPUT)
        if built:
            self._write_kit(built[0], report.commit)
            return
        data: dict[str, Any] = report.to_dict()
        catalogue = maturity.load_catalogue()
        current = formats.read_report(data)
        comparison = None
        if previous is not None:
            try:
                comparison = formats.compare_reports(previous, current, catalogue)
            except formats.BaselineError as error:
                self.stderr.write(f"error: {error}")
                sys.exit(EXIT_BAD_INPUT)
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2, sort_keys=False))
        elif format == "sarif":
            self.stdout.write(json.dumps(formats.as_sarif(current, catalogue), indent=2))
        elif format == "markdown":
            self.stdout.write(formats.as_markdown(current, catalogue, comparison), ending="")
        else:
            self.stdout.write(_as_text(data, report))
            if comparison is not None:
                self.stdout.write("against the baseline:")
                for sentence in comparison.sentences():
                    self.stdout.write(f"  {sentence}")
        if fail_under is not None and (
            data["overall_level"] is None or data["overall_level"] < fail_under
        ):
            sys.exit(EXIT_BELOW_THRESHOLD)
        if comparison is not None and comparison.worse:
            # The reasons go to stderr too, so a CI log shows them whatever the format.
            for sentence in comparison.worse_sentences():
                self.stderr.write(f"worse than the baseline: {sentence}")
            sys.exit(EXIT_BELOW_THRESHOLD)

    def _write_kit(self, kit: kits.Kit, commit: str | None) -> None:
        self.stdout.write(kits.as_patch(kit.changes), ending="")
        self.stderr.write(f"{kit.title}: a patch of {(commit or '')[:12]}, for git apply.")
        for sentence in kit.does:
            self.stderr.write(f"  does: {sentence}")
        for sentence in kit.does_not:
            self.stderr.write(f"  does not: {sentence}")

    def _read_baseline(self, path: str) -> formats.ReportData:
        try:
            with open(path, encoding="utf-8") as file:
                return formats.read_report(json.load(file))
        except OSError as error:
            reason = error.strerror or "it cannot be read"
            self.stderr.write(f"error: the baseline {path} cannot be read: {reason}.")
        except ValueError as error:  # invalid JSON, or JSON that is not a report
            detail = str(error) if isinstance(error, formats.ReportFormatError) else "not JSON."
            self.stderr.write(f"error: the baseline {path} is not a scan report: {detail}")
        sys.exit(EXIT_BAD_INPUT)


def _as_text(data: dict[str, Any], report: scanning.ScanReport) -> str:
    level = "inconclusive" if data["overall_level"] is None else f"level {data['overall_level']}"
    where = f" ({data['project']})" if data["project"] else ""
    lines = [
        f"{data['repository']}{where} @ {(data['commit'] or '')[:12]}: {level}, "
        f"index {data['index']}",
    ]
    if data["flags"]:
        lines.append(f"flags: {', '.join(data['flags'])}")
    if data["facts"].get("projects"):
        lines.append(
            "projects: "
            + ", ".join(data["facts"]["projects"])
            + " (judge each on its own with --subdir)"
        )
    if data["next_level_progress"] is not None:
        titles = {c.key: c.title for c in maturity.load_catalogue().capabilities}
        lines.append(maturity.progress_sentence(data["next_level_progress"], titles))
    for dimension, value in data["dimensions"].items():
        lines.append(f"  {dimension:<28} level {value}")
    lines.append("capabilities:")
    for capability in data["capabilities"]:
        where = ", ".join(
            f"{e['path']}:{e['line']}" if e.get("line") else str(e["path"])
            for e in capability["evidence"][:2]
        )
        strength = capability["strength"] or "-"
        lines.append(
            f"  {capability['key']:<32} {capability['grade']:<4} {strength:<10}"
            f" {capability['reason']}" + (f" [{where}]" if where else "")
        )
    if data.get("unknown"):
        lines.append(f"unknown (a repository cannot show them): {', '.join(data['unknown'])}")
    lines.append(f"scanned in {data['duration_ms']} ms by scanner {data['scanner_version']}")
    return "\n".join(lines)
