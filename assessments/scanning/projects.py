"""Projects inside a repository: a monorepo of many ML projects is scanned one folder at a time.

A repository connection (and ``scan_repo --subdir``) may name a project folder. The scan then
sees that folder as the repository's root, plus the repository's own CI configuration files
that name the folder (a monorepo's workflows usually live at the root and filter by path),
so each project gets its own level instead of one number averaged over ten teams' work.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from .errors import InvalidProjectFolder
from .gitobjects import TreeEntry

MAX_FOLDER_CHARS = 300
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")
# Root-level CI configuration, which may build and test one project of a monorepo.
ROOT_CI_FILES = re.compile(
    r"^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.gitlab/ci/[^/]+\.ya?ml"
    r"|Jenkinsfile|azure-pipelines\.ya?ml|\.azure-pipelines/[^/]+\.ya?ml|\.circleci/config\.ya?ml"
    r"|cloudbuild\.ya?ml|buildspec\.ya?ml|bitbucket-pipelines\.yml)$"
)


def normalize_project_folder(folder: str | None) -> str:
    """A project folder as a clean relative path ('' for the whole repository).

    Refuses what could step outside the repository or confuse git: absolute paths, '..',
    backslashes and control characters.
    """
    if folder is None:
        return ""
    value = folder.strip().strip("/")
    if not value:
        return ""
    if len(value) > MAX_FOLDER_CHARS or _UNSAFE.search(value):
        raise InvalidProjectFolder(
            "The project folder must be a folder path inside the repository, such as "
            "projects/churn."
        )
    parts = value.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidProjectFolder(
            "The project folder must be a plain path inside the repository, without '.' or "
            "'..' parts, such as projects/churn."
        )
    return posixpath.join(*parts)


def project_entries(
    entries: Iterable[TreeEntry],
    folder: str,
    *,
    read_text: Callable[[TreeEntry], str | None],
) -> list[TreeEntry]:
    """The files of ``folder`` re-rooted at it, plus root CI files that name the folder."""
    prefix = folder + "/"
    inside, root_ci = [], []
    for entry in entries:
        if entry.path.startswith(prefix):
            inside.append(replace(entry, path=entry.path[len(prefix) :]))
        elif ROOT_CI_FILES.match(entry.path):
            root_ci.append(entry)
    if not inside:
        raise InvalidProjectFolder(f"The folder {folder} does not exist in this repository.")
    taken = {entry.path for entry in inside}
    names_folder = _names_folder(folder)
    for entry in root_ci:
        text = read_text(entry)
        if text and names_folder.search(text) and entry.path not in taken:
            inside.append(entry)
    return inside


def _names_folder(folder: str) -> re.Pattern[str]:
    """The folder as a whole path, not a part of another name: ``models/churn`` matches
    ``./models/churn/**`` but neither ``models/churn_v2`` nor ``api`` in ``rapidapi.com``."""
    return re.compile(r"(?<![\w.-])(?:\./)?" + re.escape(folder) + r"(?![\w.-])")
