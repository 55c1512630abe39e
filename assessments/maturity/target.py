"""Target level: when is MLOps worth it for this team?

More automation is not always worth its cost: operating a model balances time, resources and
quality. The target level comes from the context answers, following Booking.com's practice of
setting quality targets by business criticality and Google's guidance on when continuous
training (level 1) and CI/CD of the pipeline (level 2) pay off:

* A proof of concept is fine at level 0: automate once it proves its value.
* No model in production yet, and nothing critical planned: level 0 until one ships.
* Level 1 when any of these holds: the model is business critical; its data changes weekly or
  faster; it needs retraining monthly or faster; several or many models are in production.
  Each of these makes retraining and releasing by hand either risky or too frequent.
* Level 2 when pipeline changes themselves become frequent and risky: a critical model that
  needs weekly (or faster) retraining among several models, or many models retrained weekly
  or faster. Then testing and delivering the pipeline by hand becomes the bottleneck.

Team size never changes the level (the need comes from the models, not the team), but a
one-person team aiming at level 2 is told to lean on managed services.

A current level above the target is a finding too (over-investment): the extra automation is
not wrong, but it is not where this team's next effort should go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .catalogue import Catalogue

FREQUENT = ("weekly", "daily")
AT_LEAST_MONTHLY = ("monthly", "weekly", "daily")
SEVERAL_OR_MORE = ("several", "many")
CONTEXT_QUESTIONS = (
    "business_criticality",
    "models_in_production",
    "data_change_frequency",
    "retraining_frequency",
    "team_size",
)


@dataclass(frozen=True)
class TargetRecommendation:
    level: int
    reasons: tuple[str, ...]
    criticality: str | None = None
    current_level: int | None = None
    over_investment: bool = False
    finding: str | None = None  # the over-investment sentence, when there is one
    missing_context: tuple[str, ...] = ()  # context questions left unanswered

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "reasons": list(self.reasons),
            "criticality": self.criticality,
            "current_level": self.current_level,
            "over_investment": self.over_investment,
            "finding": self.finding,
            "missing_context": list(self.missing_context),
        }


def is_over_investment(current_level: int, target_level: int) -> bool:
    """True when a team sits above the level its context needs."""
    return current_level > target_level


def recommend_target(
    catalogue: Catalogue, answers: Mapping[str, str], *, current_level: int | None = None
) -> TargetRecommendation:
    """Recommend level 0, 1 or 2 from the context answers, with the reasons in plain words."""
    context = _context(catalogue, answers)
    criticality = context["business_criticality"]
    models = context["models_in_production"]
    data = context["data_change_frequency"]
    retraining = context["retraining_frequency"]
    missing = tuple(key for key in CONTEXT_QUESTIONS if context[key] is None)

    reasons: list[str] = []
    if criticality == "proof_of_concept":
        level = 0
        reasons.append(
            "A proof of concept is fine at level 0: automate once it has proved its value "
            "and goes to production."
        )
    elif models == "none" and criticality != "critical":
        level = 0
        reasons.append("No model is in production yet: level 0 is enough until one is.")
    else:
        level, reasons = _level_for_production(catalogue, criticality, models, data, retraining)
        if level == 2 and context["team_size"] == "one":
            reasons.append(
                "For a one-person team, reach level 2 with managed services rather than "
                "self-hosted tooling."
            )
    if criticality is None and level > 0:
        reasons.append("Business criticality is not answered: it was treated as non-critical.")
    if missing:
        names = ", ".join(key.replace("_", " ") for key in missing)
        reasons.append(f"Answer the context questions to refine this recommendation: {names}.")

    finding = None
    if current_level is not None and is_over_investment(current_level, level):
        finding = _over_investment_finding(current_level, level, criticality)
    return TargetRecommendation(
        level=level,
        reasons=tuple(reasons),
        criticality=criticality,
        current_level=current_level,
        over_investment=finding is not None,
        finding=finding,
        missing_context=missing,
    )


def _level_for_production(
    catalogue: Catalogue,
    criticality: str | None,
    models: str | None,
    data: str | None,
    retraining: str | None,
) -> tuple[int, list[str]]:
    reasons = []
    if criticality == "critical":
        reasons.append(
            "The model is business critical: retraining and validation must not depend on "
            "someone doing them by hand."
        )
    if data in FREQUENT:
        reasons.append(
            f"Data changes {_label(catalogue, 'data_change_frequency', data)}: fresh data "
            "should reach the model through an automated pipeline."
        )
    if retraining in AT_LEAST_MONTHLY:
        reasons.append(
            f"Models need retraining {_label(catalogue, 'retraining_frequency', retraining)}: "
            "continuous training (level 1) replaces repeated manual runs."
        )
    if models in SEVERAL_OR_MORE:
        reasons.append(
            f"{_label(catalogue, 'models_in_production', models)} models are in production: "
            "training and releasing each by hand does not scale."
        )
    if not reasons:
        return 0, [
            "A non-critical model whose data and retraining needs change rarely can stay at "
            "level 0; revisit when that changes."
        ]
    frequent_retraining = retraining in FREQUENT
    if (criticality == "critical" and frequent_retraining and models in SEVERAL_OR_MORE) or (
        models == "many" and frequent_retraining
    ):
        reasons.append(
            "With several models retrained weekly or faster, pipeline changes ship often "
            "enough to need their own CI/CD (level 2)."
        )
        return 2, reasons
    return 1, reasons


def _over_investment_finding(current: int, target: int, criticality: str | None) -> str:
    if criticality == "proof_of_concept":
        why = f"a proof of concept does not need level {current}"
    else:
        why = "this context does not yet need that much automation"
    return (
        f"Level {current} exceeds the recommended level {target}: {why}. Keep what is cheap to "
        "run, but put new effort elsewhere."
    )


def _context(catalogue: Catalogue, answers: Mapping[str, str]) -> dict[str, str | None]:
    """Context answers by question key; unanswered or unrecognised answers read as None."""
    options = catalogue.derived(_context_options)
    context = {}
    for key in CONTEXT_QUESTIONS:
        value = answers.get(key)
        context[key] = value if value in options[key] else None
    return context


def _context_options(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """The option keys of each context question the rules read, built once per catalogue."""
    return {key: tuple(o.key for o in catalogue.question(key).options) for key in CONTEXT_QUESTIONS}


def _label(catalogue: Catalogue, question: str, option: str) -> str:
    label = catalogue.question(question).option(option).label
    # Option labels are written as answers ("About weekly"); mid-sentence they need a lower-case
    # first letter. The models count ("Several (2 to 5)") starts its sentence, so it keeps it.
    return label if question == "models_in_production" else label[0].lower() + label[1:]
