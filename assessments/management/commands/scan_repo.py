"""Scan a repository without the web app, for people and for CI pipelines.

    python manage.py scan_repo PATH_OR_URL [--branch B] [--subdir DIR] [--format text|json]
                                           [--fail-under LEVEL]

A monorepo of many ML projects is reported with the projects it holds; ``--subdir`` judges one
of them on its own.

Exit status: 0 done; 3 when the level is below --fail-under (or inconclusive with it set);
2 on bad input or a failed scan, with a one-line error on stderr.
"""

import json
import sys

from django.core.management.base import BaseCommand

from assessments import maturity, scanning

EXIT_BELOW_THRESHOLD = 3
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Scan a git repository (local path or https URL) and report its evidence-only level."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a local path or an https URL of a git repository")
        parser.add_argument("--branch", default=None, help="branch to scan (default: HEAD)")
        parser.add_argument(
            "--subdir",
            default=None,
            help="a project folder of a monorepo, judged on its own",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--fail-under",
            type=int,
            choices=[0, 1, 2],
            default=None,
            help="exit with status 3 when the level is below this one",
        )

    def handle(self, *args, source, branch, subdir, format, fail_under, **options):  # noqa: A002
        try:
            # The operator runs this command on their own machine, so local paths are fine.
            report = scanning.scan_repository(
                source, branch=branch, allow_local_paths=True, project=subdir
            )
        except scanning.ScanError as error:
            self.stderr.write(f"error: {error.message}")
            sys.exit(EXIT_BAD_INPUT)
        data = report.to_dict()
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2, sort_keys=False))
        else:
            self.stdout.write(_as_text(data, report))
        if fail_under is not None and (
            data["overall_level"] is None or data["overall_level"] < fail_under
        ):
            sys.exit(EXIT_BELOW_THRESHOLD)


def _as_text(data: dict, report) -> str:
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
