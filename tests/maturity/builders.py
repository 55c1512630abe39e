"""Answer sets for tests, built from the catalogue so they follow it when questions change."""

from __future__ import annotations

from collections.abc import Mapping

from assessments.maturity import Catalogue


def answer_all(
    catalogue: Catalogue, option: str = "yes", overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every graded question answered ``option``; ``overrides`` maps capability keys to the
    option given to every question that grades them."""
    overrides = overrides or {}
    answers = {}
    for question in catalogue.graded_questions:
        chosen = option
        for key in question.capabilities:
            chosen = overrides.get(key, chosen)
        answers[question.key] = chosen
    return answers


def answer_up_to_level(
    catalogue: Catalogue, level: int, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """ "yes" for questions whose capabilities are all required at ``level`` or below, else "no"."""
    answers = {}
    for question in catalogue.graded_questions:
        levels = [catalogue.capability(k).level for k in question.capabilities]
        answers[question.key] = "yes" if max(levels) <= level else "no"
    for question in catalogue.graded_questions:
        for key in question.capabilities:
            if key in (overrides or {}):
                answers[question.key] = overrides[key]
    return answers


def context(
    *,
    criticality: str | None = None,
    models: str | None = None,
    data: str | None = None,
    retraining: str | None = None,
    team: str | None = None,
    online: str | None = None,
) -> dict[str, str]:
    values = {
        "business_criticality": criticality,
        "models_in_production": models,
        "data_change_frequency": data,
        "retraining_frequency": retraining,
        "team_size": team,
        "online_serving": online,
    }
    return {key: value for key, value in values.items() if value is not None}
