"""The maturity engine must stay pure: no Django, nothing from the rest of the app.

It is shared by the web app, the API, Celery tasks, the CLI and the benchmarks; importing Django
(or app modules that do) would tie all of them to settings and a database.
"""

import ast
from pathlib import Path

import assessments.maturity

PACKAGE_DIR = Path(assessments.maturity.__file__).parent


def forbidden_imports(path: Path, depth: int = 1) -> list[str]:
    """``file:line: module`` for every import of Django or of assessments outside maturity.

    ``depth``: how deep the file sits in the package (1 for maturity/x.py, 2 for
    maturity/sub/x.py): a relative import of more levels leaves the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > depth:
                modules = ["." * node.level + (node.module or "")]
            elif node.level == 0 and node.module:
                modules = [node.module]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
        ):
            modules = [node.args[0].value]
        for module in modules:
            if _is_forbidden(module):
                found.append(f"{path.name}:{node.lineno}: {module}")
    return found


def _is_forbidden(module: str) -> bool:
    if module.startswith(".."):
        return True  # a relative import leaving the package
    root = module.split(".")[0]
    if root == "django" or root == "rest_framework":
        return True
    return root == "assessments" and not (
        module == "assessments.maturity" or module.startswith("assessments.maturity.")
    )


def test_the_maturity_package_imports_no_django_and_nothing_else_from_the_app():
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    assert files, "no module found to check"
    problems = [
        problem
        for path in files
        for problem in forbidden_imports(path, depth=len(path.relative_to(PACKAGE_DIR).parts))
    ]
    assert problems == []


def test_the_checker_catches_every_kind_of_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import django\n"
        "from django.db import models\n"
        "from assessments.models import Team\n"
        "from .. import services\n"
        "import importlib\n"
        "importlib.import_module('django.conf')\n"
        "from assessments.maturity import scoring\n"
        "from . import catalogue\n",
        encoding="utf-8",
    )
    assert forbidden_imports(bad) == [
        "bad.py:1: django",
        "bad.py:2: django.db",
        "bad.py:3: assessments.models",
        "bad.py:4: ..",
        "bad.py:6: django.conf",
    ]


def test_a_module_in_a_subpackage_may_reach_the_package_but_not_beyond(tmp_path):
    inner = tmp_path / "inner.py"
    inner.write_text("from ..catalogue import Option\nfrom ...models import Team\n")
    assert forbidden_imports(inner, depth=2) == ["inner.py:2: ...models"]
