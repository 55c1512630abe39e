"""Pages and the API read through the selectors: they never query a model themselves."""

import ast
from pathlib import Path

import pytest

import assessments

APP = Path(assessments.__file__).parent
PAGES_AND_API = sorted(
    [*APP.glob("views/**/*.py"), *APP.glob("api/*.py"), APP / "dashboards" / "views.py"]
)


def model_queries(source: str) -> list[str]:
    """Each `<Model>.objects.<method>` in the source, except `.none()`: the empty queryset a
    viewset declares for the schema generator, which never reaches the database."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and node.attr != "none"
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", PAGES_AND_API, ids=lambda path: str(path.relative_to(APP)))
def test_the_module_reads_through_the_selectors(path):
    assert model_queries(path.read_text()) == []


def test_a_query_in_a_view_is_caught():
    assert model_queries("rows = Team.objects.filter(slug=slug)") == ["line 1: Team.objects.filter"]
    assert model_queries("queryset = Team.objects.none()") == []
