"""Menus read from the catalogue, for the forms that offer its dimensions, capabilities and
answers."""

from ..maturity import load_catalogue


def dimension_choices() -> list[tuple[str, str]]:
    return [(d.key, d.title) for d in load_catalogue().dimensions]


def capability_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    catalogue = load_catalogue()
    return [
        (d.title, [(c.key, c.title) for c in catalogue.capabilities_in(d.key)])
        for d in catalogue.dimensions
    ]


def criticality_choices() -> list[tuple[str, str]]:
    """The business criticalities a team can answer, as (key, label)."""
    question = load_catalogue().question("business_criticality")
    return [(option.key, option.label) for option in question.options]
