"""Which files count as evidence, and which text files the line index searches.

Decided here, once: documentation, images, vendored code and notebook checkpoints never count
(a README that says "we use MLflow" proves nothing).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

DOC_SUFFIXES = frozenset(
    {
        ".md",
        ".markdown",
        ".rst",
        ".adoc",
        ".asciidoc",
        ".txt",
        ".html",
        ".htm",
        ".pdf",
        ".tex",
        ".org",
        ".rtf",
        ".doc",
        ".docx",
        ".odt",
        ".ppt",
        ".pptx",
    }
)
IMAGE_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".bmp",
        ".ico",
        ".webp",
        ".tif",
        ".tiff",
        ".eps",
        ".psd",
        ".drawio",
    }
)
DOC_NAMES = frozenset(
    {
        "readme",
        "license",
        "licence",
        "changelog",
        "changes",
        "authors",
        "contributors",
        "contributing",
        "notice",
        "copying",
        "history",
        "news",
        "todo",
    }
)
VENDOR_SEGMENTS = frozenset(
    {
        "vendor",
        "vendors",
        "vendored",
        "third_party",
        "third-party",
        "thirdparty",
        "external",
        "node_modules",
        "bower_components",
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        "__pycache__",
        ".ipynb_checkpoints",
        ".git",
    }
)
DOC_SEGMENTS = frozenset({"docs", "doc", "documentation", "_build", "_site"})

# The files worth searching line by line. Written as git pathspecs (where ``*`` also matches
# ``/``) and matched with the same semantics in Python, so both backends agree exactly.
GREP_PATHSPECS = (
    "*.py",
    "*.yml",
    "*.yaml",
    "*.toml",
    "*.cfg",
    "*.ini",
    "*.sh",
    "*.tf",
    "*.hcl",
    "*.bicep",
    "*.groovy",
    "*.pbtxt",
    "*.mk",
    "*.jsonnet",
    "*requirements*.txt",
    "*constraints*.txt",
    "*Dockerfile*",
    "*dockerfile*",
    "*Containerfile*",
    "*Jenkinsfile*",
    "*Makefile",
    "*MLproject",
    "*Procfile",
    "*Pipfile",
)
_GREP_CANDIDATE = re.compile("|".join(fnmatch.translate(spec) for spec in GREP_PATHSPECS))
_REQUIREMENT_TEXT = re.compile(r"(requirements|constraints)[^/]*\.txt$|requirements/[^/]*\.txt$")


def _segments(path: str) -> list[str]:
    return path.split("/")


def is_evidence_path(path: str) -> bool:
    """True when a file at ``path`` may count as evidence (code, config, CI, manifests)."""
    parts = _segments(path)
    if any(part in VENDOR_SEGMENTS or part in DOC_SEGMENTS for part in parts[:-1]):
        return False
    name = parts[-1]
    lower = name.lower()
    stem, suffix = posixpath.splitext(lower)
    if suffix in IMAGE_SUFFIXES:
        return False
    if suffix in DOC_SUFFIXES:
        return suffix == ".txt" and bool(_REQUIREMENT_TEXT.search(path.lower()))
    return not (stem in DOC_NAMES and suffix in {"", ".txt"})


def is_grep_candidate(path: str) -> bool:
    """True for the text files the line index covers (notebooks are handled apart)."""
    return bool(_GREP_CANDIDATE.match(path))


def grep_exclude_pathspecs() -> list[str]:
    """Pathspecs that keep ``git grep`` out of folders ``is_evidence_path`` rejects anyway."""
    specs = []
    for segment in sorted(VENDOR_SEGMENTS | DOC_SEGMENTS):
        specs += [f":(exclude){segment}/*", f":(exclude)*/{segment}/*"]
    return specs
