"""The "with exemptions" reading: a result as it reads when some capabilities do not apply.

An exemption is a reviewed decision that a capability does not apply to a team for a while.
The raw result never changes; this module computes the second reading shown beside it, in
which each exempted capability counts exactly as a capability answered "not applicable" does:
met, grade 1, never a gap, never a contradiction. Everything else (answers, evidence, scan
coverage) is the raw result's own, so the two readings differ only by the exemptions.

Scoring has no parameter for "treat these capabilities as not applicable", so the reading is
composed from public parts: the exempted capabilities are taken off the catalogue's questions
and graded instead by one extra question answered "not applicable", and the result is scored
again. A stored result carries everything else the scoring needs (``stored_scoring_inputs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

# The package's public names, not its modules': the catalogue and scoring modules are being
# reorganised, and the package's names are what stays. The package never imports this module,
# so it is fully loaded by the time these names are read.
from . import Catalogue, Evidence, MaturityResult, Option, Question, score

# The extra question's key; no catalogue key can start with an underscore.
EXEMPTION_QUESTION = "_exempted_after_review"
EXEMPTION_OPTION = "exempt"


class UnknownExemption(ValueError):
    """An exemption names a capability the result's catalogue does not have."""


@dataclass(frozen=True)
class ScoringInputs:
    """What `score` was given besides the catalogue and the answers, recovered from a result."""

    evidence: tuple[Evidence, ...] | None
    scanned: bool
    covered: tuple[str, ...] | None
    can_contradict: bool


def stored_scoring_inputs(outcome: Mapping[str, Any]) -> ScoringInputs:
    """The evidence and scan facts of a stored result (``MaturityResult.to_dict()``).

    Every finding the result was scored with is kept under its capability, so scoring the
    same answers with these inputs gives the same result again.
    """
    result = MaturityResult.from_dict(outcome)
    findings = tuple(f for c in result.capabilities.values() for f in c.evidence)
    return ScoringInputs(
        evidence=findings if result.scanned or findings else None,
        scanned=result.scanned,
        covered=result.covered_dimensions,
        can_contradict=result.can_contradict,
    )


def exempting_catalogue(catalogue: Catalogue, exempted: Iterable[str]) -> Catalogue:
    """The catalogue with the exempted capabilities graded by one question alone, which the
    answers from `exemption_answers` mark not applicable."""
    keys = frozenset(exempted)
    unknown = sorted(key for key in keys if not catalogue.has_capability(key))
    if unknown:
        raise UnknownExemption(
            f"catalogue {catalogue.version} has no capability {', '.join(unknown)}"
        )
    if not keys:
        return catalogue
    # A team's reading is computed again on every page that shows it, and each copy builds its
    # own lookup tables on first use: keep the copies of the exemption sets last used.
    copies = catalogue.derived(_exempting_copies)
    copy = copies.get(keys)
    if copy is None:
        copy = _exempting_copy(catalogue, keys)
        if len(copies) >= _COPIES_KEPT:
            copies.pop(next(iter(copies), keys), None)  # the oldest
        copies[keys] = copy
    return copy


_COPIES_KEPT = 64


def _exempting_copies(catalogue: Catalogue) -> dict[frozenset[str], Catalogue]:
    return {}


def _exempting_copy(catalogue: Catalogue, keys: frozenset[str]) -> Catalogue:
    questions = tuple(
        replace(q, capabilities=tuple(k for k in q.capabilities if k not in keys))
        if keys.intersection(q.capabilities)
        else q
        for q in catalogue.questions
    )
    exemption = Question(
        key=EXEMPTION_QUESTION,
        kind="graded",
        text="Exempted after review",
        help="Capabilities an organisation admin agreed do not apply to the team for now.",
        options=(Option(key=EXEMPTION_OPTION, label="Exempt", not_applicable=True),),
        capabilities=tuple(c.key for c in catalogue.capabilities if c.key in keys),
    )
    return replace(catalogue, questions=(*questions, exemption))


def exemption_answers(answers: Mapping[str, str], exempted: Iterable[str]) -> dict[str, str]:
    """The answers with the exemption question answered, for `exempting_catalogue`."""
    if EXEMPTION_QUESTION in answers:
        raise ValueError(f"the answers already answer {EXEMPTION_QUESTION!r}")
    if not frozenset(exempted):
        return dict(answers)
    return {**answers, EXEMPTION_QUESTION: EXEMPTION_OPTION}


def score_with_exemptions(
    catalogue: Catalogue,
    answers: Mapping[str, str],
    evidence: Sequence[Evidence] | None = None,
    *,
    exempted: Iterable[str],
    scanned: bool | None = None,
    covered: Iterable[str] | None = None,
    can_contradict: bool | None = None,
) -> MaturityResult:
    """`score` with the exempted capabilities treated as not applicable.

    With nothing exempted this is `score` itself. Not applicable counts as met, so the reading
    with exemptions is never below the raw one: neither the level nor the index can drop.
    """
    keys = frozenset(exempted)
    return score(
        exempting_catalogue(catalogue, keys),
        exemption_answers(answers, keys),
        evidence,
        scanned=scanned,
        covered=covered,
        can_contradict=can_contradict,
    )


def stored_result_with_exemptions(
    catalogue: Catalogue,
    answers: Mapping[str, str],
    outcome: Mapping[str, Any],
    *,
    exempted: Iterable[str],
) -> MaturityResult:
    """A stored result (its catalogue, its assessment's answers and its snapshot) read with
    the exempted capabilities treated as not applicable."""
    inputs = stored_scoring_inputs(outcome)
    return score_with_exemptions(
        catalogue,
        answers,
        inputs.evidence,
        exempted=exempted,
        scanned=inputs.scanned,
        covered=inputs.covered,
        can_contradict=inputs.can_contradict,
    )
