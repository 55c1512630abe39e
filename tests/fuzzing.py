"""What the hypothesis fuzz tests share: text a form can carry, and settings that suit tests
which use the database through function-scoped fixtures."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def form_text(max_size: int):
    """Any text an HTTP form can carry: lone surrogates cannot be encoded, everything else can."""
    return st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=max_size)


def fuzz_settings(max_examples: int) -> settings:
    """Repeatable runs (derandomized, no deadline on a shared machine); each example reuses the
    test's database fixtures, which is why the function-scoped fixture check is off."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
