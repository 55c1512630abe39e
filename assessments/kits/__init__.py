"""Level-up kits: for a roadmap step, the files that put the capability in place in the
team's own repository, adapted to its stack, as a patch `git apply` takes.

Pure Python, like the scanner it reads from: a kit is built from the snapshot of the commit
that was scanned, so the patch applies to exactly that commit.

Names found in the repository (paths, columns, packages) are untrusted. They land in generated
Python files as Python literals (`repr`), in a Dockerfile's exec form as JSON strings. Workflows
and shell lines are made of fixed text and choices from fixed lists; the one exception, a
script's path on a CI command line, must be one plain word (`workflows.command_line_path`) or the
kit is refused, and is written as a quoted YAML string in Azure pipelines and a single-quoted
(never interpolated) Groovy string in Jenkinsfiles. So no name can become a command, a YAML key
or a CI expression (GitHub's `${{ }}`, Azure's `$(...)`, `${{ }}` and `$[ ]`, Groovy's `${}`).
"""

from .build import KITS, Kit, KitUnavailable, build_kit, kit_steps, kit_version
from .patch import FileChange, as_patch

__all__ = [
    "KITS",
    "FileChange",
    "Kit",
    "KitUnavailable",
    "as_patch",
    "build_kit",
    "kit_steps",
    "kit_version",
]
