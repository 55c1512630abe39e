"""A questionnaire page's fieldsets, drawn from templates/assessments/_question.html at a
small fraction of what the template engine costs per value.

A page draws dozens of questions, and the engine's work on each value of each fieldset
(lookup, localisation, escaping) was most of a page's time. Most of a fieldset depends only on
its question (key, text, help, skip rule) and on which of its optional parts show. So the
template is rendered once per process for each question, role (`can_edit`) and *shape* of the
answer's values (which are set, and what the unset ones are) with a marker in place of every
value that is set; the result is split at the markers and kept. A page then joins the kept
pieces with its own values, escaped as the template escapes them.

What is kept holds no answer: a set value is always a marker, and an unset one (None, "", 0,
False) is the same for every team. The key holds the question itself (a frozen dataclass,
equal only to a question with the same text, help, options and rule), so a changed catalogue
never finds an old fieldset.
"""

import functools
import html
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ...maturity import Question

# A marker cannot come from a value: the template escapes every value's "<", and the only
# markup it does not escape (the options) is filled in after the split, like any other value.
_MARKER = "<\x00{}\x00>"
_MARKERS = re.compile("<\x00([0-9]+)\x00>")

# (name, shape) per value: True for a value that is set, a nested shape for a mapping that is
# set, else the unset value (`_Unset`), drawn into the kept pieces as it is.
Shape = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class _Unset:
    """A value that is not set (None, "", 0, False, an empty mapping or list), with its type:
    0 and False are equal as keys yet draw differently, and an empty mapping cannot be a key
    (kept as its type, and drawn as a new empty one)."""

    kind: type
    value: Any
    rebuilt: bool = False

    @classmethod
    def of(cls, value: Any) -> "_Unset":
        try:
            hash(value)
        except TypeError:
            return cls(type(value), None, rebuilt=True)
        return cls(type(value), value)

    def drawn(self) -> Any:
        return self.kind() if self.rebuilt else self.value


@dataclass(frozen=True)
class _Pieces:
    """A fieldset split at its markers: `texts[0]`, value `holes[0]`, `texts[1]`, ..."""

    texts: tuple[str, ...]
    holes: tuple[int, ...]


def question_fieldset(question: Question, values: Mapping[str, Any], *, can_edit: bool) -> str:
    """The fieldset of `question` showing `values` (the answer's: a mapping of plain values
    and of mappings of plain values, which the template reads as `item.<name>`)."""
    filled: list[str] = []
    pieces = _pieces(question, can_edit, _shape(values, filled))
    parts = [pieces.texts[0]]
    for hole, text in zip(pieces.holes, pieces.texts[1:], strict=True):
        parts.append(filled[hole])
        parts.append(text)
    return mark_safe("".join(parts))  # noqa: S308 - the template's markup, values escaped


def _shape(values: Mapping[str, Any], filled: list[str]) -> Shape:
    """The shape of `values`, adding each value that is set to `filled`, escaped, in the order
    `_marked` numbers their markers."""
    shape: list[tuple[str, Any]] = []
    for name, value in values.items():
        if isinstance(value, Mapping) and value:
            shape.append((name, _shape(value, filled)))
        elif value:
            shape.append((name, True))
            filled.append(_escaped(value))
        else:
            shape.append((name, _Unset.of(value)))
    return tuple(shape)


def _escaped(value: Any) -> str:
    """`value` as the template writes it: markup kept, text escaped (html.escape, as Django's
    own `escape`, without its checks for lazy text), numbers as plain digits (no thousand
    separators)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _marked(shape: Shape, numbers: Iterator[int]) -> dict[str, Any]:
    """The values of `shape` with a marker in place of each that is set."""
    marked: dict[str, Any] = {}
    for name, kind in shape:
        if isinstance(kind, tuple):
            marked[name] = _marked(kind, numbers)
        elif kind is True:
            marked[name] = SafeString(_MARKER.format(next(numbers)))
        else:
            marked[name] = kind.drawn()
    return marked


@functools.lru_cache(maxsize=4096)
def _pieces(question: Question, can_edit: bool, shape: Shape) -> _Pieces:
    item = {**_layout(question), **_marked(shape, itertools.count())}
    rendered = render_to_string(
        "assessments/_question.html", {"item": item, "can_edit": can_edit}
    ).strip()
    parts = _MARKERS.split(rendered)
    return _Pieces(tuple(parts[0::2]), tuple(int(number) for number in parts[1::2]))


@functools.lru_cache(maxsize=1024)
def _layout(question: Question) -> dict[str, str]:
    """What a question's fieldset shows whatever its answer."""
    return {
        "key": question.key,
        "text": question.text,
        "help": question.help,
        "skip_question": question.skip_if.question if question.skip_if else "",
        "skip_values": " ".join(question.skip_if.values) if question.skip_if else "",
    }
