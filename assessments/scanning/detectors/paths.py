"""What kind of file a path names: code, a notebook, a test, or part of a project template."""

from __future__ import annotations

import functools
import posixpath
import re

# Jinja in a path: a project generator's template folder (``{{cookiecutter.repo_name}}/``).
TEMPLATE_PATH = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_TEST_NAME = re.compile(r"(^test_.*\.py$|_tests?\.py$|^conftest\.py$|^tests?\.py$)")


@functools.lru_cache(maxsize=131_072)
def is_test_path(path: str) -> bool:
    parts = path.split("/")
    if any(part in {"tests", "test", "testing", "__tests__"} for part in parts[:-1]):
        return True
    return bool(_TEST_NAME.search(parts[-1]))


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def basename(path: str) -> str:
    return posixpath.basename(path)


def is_code_path(path: str) -> bool:
    return path.endswith(".py") or is_notebook(path)
