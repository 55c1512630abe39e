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


def test_the_scanner_keeps_no_table_of_capabilities_of_its_own():
    """One model: levels, dimensions and observability come from the catalogue only."""
    import assessments.scanning as scanning
    import assessments.scanning.detectors as detectors

    for module in (scanning, detectors):
        assert not [name for name in dir(module) if name.startswith("CAPABILITY_")]
        assert not hasattr(module, "OBSERVABLE_CAPABILITIES")
