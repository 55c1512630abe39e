"""The scanner is pure Python: workers, the CLI and the maturity engine import it without Django."""

import ast
from pathlib import Path

import pytest

import assessments.scanning

PACKAGE = Path(assessments.scanning.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names += [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    return names


def test_the_package_has_modules_to_check():
    assert len(MODULES) >= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_it_never_imports_django(path):
    offenders = [
        name for name in _imported_names(path) if name == "django" or name.startswith("django.")
    ]
    assert offenders == [], f"{path} imports {offenders}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_it_never_imports_the_web_app(path):
    forbidden = ("assessments.models", "assessments.services", "assessments.tasks", "mlmaturity")
    offenders = [name for name in _imported_names(path) if name.startswith(forbidden)]
    assert offenders == [], f"{path} imports {offenders}"


def test_every_capability_the_scanner_reports_exists_in_the_catalogue():
    """Findings become evidence for the maturity engine, which knows only catalogue keys."""
    from assessments.maturity import load_catalogue
    from assessments.scanning import CAPABILITY_KEYS

    catalogue = load_catalogue()
    assert [key for key in CAPABILITY_KEYS if not catalogue.has_capability(key)] == []
