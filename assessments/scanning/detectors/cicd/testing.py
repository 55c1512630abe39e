"""Tests: unit tests CI runs, real tests rather than placeholders, and tests of ML behaviour."""

from __future__ import annotations

import ast
import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import finding, first_hits, test_hits
from ..imports import imports, local_modules, module_matches
from ..mlcode import ML_LIBRARIES
from ..paths import TEMPLATE_PATH, is_test_path
from .configs import ci_name, tests_run_by_ci

ML_TEST_WORDS = keywords(
    "isnan(",
    "isfinite(",
    "isinf(",
    "loss",
    "converge",
    ".fit(",
    "predict(",
    "LocalDagRunner",
    "BeamDagRunner",
    "DagBag",
    "run_pipeline(",
    "dag.test(",
    "train_model(",
    "accuracy",
    "roc_auc",
    "np.testing",
    "torch.testing",
    "tf.test.TestCase",
)
TEST_DEFINITIONS = keywords("def test", "class Test", "TestCase")
_TEST_DEFINITION = re.compile(r"^\s*(async\s+)?def\s+test\w*\s*\(|^\s*class\s+Test\w*", re.M)
_SKIPPING = re.compile(r"\b(xfail|skip|skipif)\b")
MAX_TEST_FILES_READ = 200


def real_test_files(snapshot: RepositorySnapshot) -> list[str]:
    """The first test file that tests something, if any: not empty, not a placeholder
    (``assert False`` marked xfail), not a script run by hand with arguments. In a project
    generator only the generated project's tests count: the generator's own tests check the
    rendering, not ML code."""

    def compute() -> list[str]:
        candidates = sorted(
            path
            for path in snapshot.paths_with(*TEST_DEFINITIONS)
            if path.endswith(".py") and is_test_path(path)
        )
        if any(TEMPLATE_PATH.search(entry.path) for entry in snapshot.evidence):
            candidates = [path for path in candidates if TEMPLATE_PATH.search(path)]
        # Evidence needs one real test file; reading a large suite's every file would not.
        for path in candidates[:MAX_TEST_FILES_READ]:
            if _tests_something(snapshot.read_text(path) or ""):
                return [path]
        return []

    return snapshot.memo("real_test_files", compute)


def _tests_something(text: str) -> bool:
    if not _TEST_DEFINITION.search(text):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        # Templated or Python 2 code: trust the test definition.
        return True
    if _is_command_line_script(tree):
        return False
    functions = list(tree.body)
    functions += [n for node in tree.body if isinstance(node, ast.ClassDef) for n in node.body]
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test")
        and not _is_placeholder(node)
        for node in functions
    )


def _is_command_line_script(tree: ast.Module) -> bool:
    """A ``test_endpoint.py`` that parses arguments under ``__main__`` is a check run by hand
    or by a deploy step with arguments, not a test suite."""
    parses_arguments = any(
        isinstance(node, (ast.Import, ast.ImportFrom))
        and any(alias.name in {"argparse", "click", "typer"} for alias in node.names)
        or isinstance(node, ast.ImportFrom)
        and node.module in {"argparse", "click", "typer"}
        for node in tree.body
    )
    has_main = any(
        isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body
    )
    return parses_arguments and has_main


def _is_placeholder(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``pass``, ``...``, ``assert False`` or a test marked to be skipped or to fail."""
    if any(_SKIPPING.search(ast.unparse(decorator)) for decorator in function.decorator_list):
        return True
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Assert) and (
            isinstance(statement.test, ast.Constant) and not statement.test.value
        ):
            continue
        if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
            continue
        return False
    return True


@register
def tests_in_ci(snapshot: RepositorySnapshot) -> list[Finding]:
    """Unit tests that CI runs; tests nobody runs automatically are half the value.

    Only test files that test something count: an empty ``tests/__init__.py``, a placeholder
    marked xfail or a template generator's own tests are no unit tests of ML code.
    """
    findings = []
    tests = real_test_files(snapshot)
    if not tests:
        return []
    for config, line in tests_run_by_ci(snapshot)[:2]:
        findings.append(
            finding(
                "automated_tests",
                1,
                Strength.CI_CONFIG,
                f"{ci_name(config)} runs the test suite.",
                config.path,
                line,
            )
        )
    if not findings and tests:
        findings.append(
            finding(
                "automated_tests",
                0.5,
                Strength.CODE,
                "Unit tests exist, but no CI job runs them.",
                tests[0],
            )
        )
    return findings


@register
def ml_tests(snapshot: RepositorySnapshot) -> list[Finding]:
    """Tests of ML behaviour: no NaN, loss decreases, training converges, pipeline runs."""
    table = imports(snapshot)
    local = local_modules(snapshot)
    candidates = []
    for hit in first_hits(test_hits(snapshot, *ML_TEST_WORDS)):
        modules = table.get(hit.path, {})
        if any(
            module_matches(m, ML_LIBRARIES) or any(part in local for part in m.split("."))
            for m in modules
        ):
            candidates.append(hit)
    # A ``test_zencoder.py`` holding a sample pipeline defines no test.
    tested = (
        hit
        for hit in candidates[:MAX_TEST_FILES_READ]
        if _tests_something(snapshot.read_text(hit.path) or "")
    )
    first_test = next(tested, None)
    if first_test is None:
        return []
    if tests_run_by_ci(snapshot):
        return [
            finding(
                "ml_specific_tests",
                1,
                Strength.CODE,
                "ML-specific tests (model outputs, training, pipeline runs) run in CI.",
                first_test,
            )
        ]
    return [
        finding(
            "ml_specific_tests",
            0.5,
            Strength.CODE,
            "ML-specific tests exist, but CI does not run them.",
            first_test,
        )
    ]
