"""The maturity badge as a small SVG, in the shape README badges share (a label and a value).

It holds two figures and fixed words, nothing from the team, so no text of a user's ever
reaches a page that embeds it. Widths come from the characters' approximate advance in 11 px
Verdana, the badges' usual font, so the value's box fits it without measuring fonts.
"""

LABEL = "MLOps maturity"
HEIGHT = 20
PADDING = 8
# Advance widths in 11 px Verdana, rounded; anything else counts as a wide letter.
_NARROW = {" ": 3.9, "·": 4.4, ".": 4.4, "-": 4.6, "l": 3.1, "i": 3.1, "t": 4.3, "r": 4.7}
_DIGIT = 7.0
_LETTER = 7.0
# Background of the value per level: dark enough for white text (contrast at least 4.5:1).
COLOURS = {None: "#5f6368", 0: "#8a4b08", 1: "#1f5fad", 2: "#1e7a34"}
LABEL_COLOUR = "#3c3c3c"


def _width(text: str) -> int:
    advance = sum(_NARROW.get(ch, _DIGIT if ch.isdigit() else _LETTER) for ch in text)
    return round(advance) + 2 * PADDING


def value_text(level: int | None, index: float | None) -> str:
    if level is None or index is None:
        return "not assessed"
    return f"level {level} · {index:.0f}"


def spoken_text(level: int | None, index: float | None) -> str:
    """What a screen reader says for the badge."""
    if level is None or index is None:
        return f"{LABEL}: not assessed"
    return f"{LABEL}: level {level}, index {index:.0f}"


def badge_svg(level: int | None, index: float | None) -> str:
    value = value_text(level, index)
    title = spoken_text(level, index)
    left, right = _width(LABEL), _width(value)
    total = left + right
    colour = COLOURS.get(level, COLOURS[None])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        'text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{LABEL}</text>'
        f'<text x="{left + right / 2}" y="14">{value}</text>'
        "</g></svg>"
    )
