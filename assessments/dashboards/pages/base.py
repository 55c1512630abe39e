"""What every dashboard page shares: tables that render as HTML and CSV, links, formatting."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, NamedTuple

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from ... import charts, maturity
from ...access import UserOrAnonymous
from ...selectors import dashboards as dashboard_selectors
from ..filters import DashboardFilters


class Cell(NamedTuple):
    """A table cell: a named tuple rather than a frozen dataclass, as a page builds thousands
    of them and a tuple is made several times faster."""

    text: str
    link: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]

    def csv_rows(self) -> list[list[str]]:
        return [list(self.columns), *([cell.text for cell in row] for row in self.rows)]

    def __str__(self) -> str:
        # Templates call str() before escaping: hand them the already safe HTML.
        return self.__html__()

    def __html__(self) -> str:
        """The table as HTML, every text escaped; the first cell of a row is its header.

        Built here rather than in a template loop, with the standard library's escape (what
        Django's escape calls): a page has a few thousand cells, and this renders them in a
        millisecond or two instead of tens.
        """
        key = escape(self.key)
        numeric = self._numeric_columns()
        parts = [
            f'<div class="table-scroll" role="region" aria-labelledby="{key}-caption" '
            f'tabindex="0"><table class="table data-table dashboard-table" id="{key}-table">'
            f'<caption id="{key}-caption">{escape(self.caption)}</caption><thead><tr>',
            *(
                f'<th scope="col"{_NUM if position in numeric else ""}>{escape(column)}</th>'
                for position, column in enumerate(self.columns)
            ),
            "</tr></thead><tbody>",
        ]
        width = max((len(row) for row in self.rows), default=0)
        openings = [f"<td{_NUM if position in numeric else ''}>" for position in range(width)]
        # Texts and links repeat across a table (levels, dates, a team's links): each distinct
        # one is escaped once.
        escaped: dict[str, str] = {}
        for row in self.rows:
            parts.append("<tr>")
            for position, (text, link) in enumerate(row):
                content = escaped.get(text)
                if content is None:
                    content = escaped[text] = escape(text)
                if link:
                    href = escaped.get(link)
                    if href is None:
                        href = escaped[link] = escape(link)
                    content = f'<a href="{href}">{content}</a>'
                if position == 0:
                    parts.append(f'<th scope="row">{content}</th>')
                else:
                    parts.append(f"{openings[position]}{content}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        if not self.rows:
            parts.append('<p class="empty">Nothing matches these filters.</p>')
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every text and link is escaped above

    def _numeric_columns(self) -> set[int]:
        """Columns (after the row headers) whose every filled cell is a number: right-aligned."""
        numeric = set()
        for position in range(1, len(self.columns)):
            # Each distinct text of the column is matched once.
            filled = {row[position].text for row in self.rows} - {""}
            if filled and all(_NUMBER.fullmatch(text) for text in filled):
                numeric.add(position)
        return numeric


# A figure as the tables print it: "12", "-3.5", "+4.1", "97.9%".
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
_NUM = ' class="num"'
# Path values that reverse() writes unchanged: a slug's characters, an id's digits.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_DIGITS = re.compile(r"[0-9]+")


def tables_by_name(*tables: Table) -> dict[str, Table]:
    """Tables by a name templates can use: `debt-age` becomes `debt_age`."""
    return {table.key.replace("-", "_"): table for table in tables}


def team_url(slug: str) -> str:
    return reverse("team_detail", args=[slug])


def result_url(assessment_id: int) -> str:
    """The result page explains a level and every grade behind it: where figures drill down."""
    return reverse("assessment_result", args=[assessment_id])


def dashboard_url(name: str, filters: DashboardFilters, **changes: Any) -> str:
    """The page `name` with these filters in its query string, `changes` applied."""
    url = _page_path(name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    query = filters.query(**changes)
    return f"{url}?{query}" if query else url


@functools.lru_cache(maxsize=64)
def _page_path(name: str, prefix: str, urlconf: str | None, root_urlconf: str) -> str:
    """The path of a page that takes no argument, reversed once per prefix and URL
    configuration (the key): a page links its own page dozens of times."""
    return reverse(name)


class _OneArgumentUrl:
    """reverse(name, args=[value]) for a URL of one argument, reversed once and filled in.

    A page links a few dozen teams and results, each twice or more. The value is written
    between the reversed URL's head and tail when it is made only of characters that reverse()
    leaves as they are (what `plain` matches); anything else is reversed as before.
    """

    def __init__(self, name: str, marker: str, plain: re.Pattern[str]) -> None:
        self._name = name
        self._marker = marker
        self._plain = plain
        self._parts: tuple[str, str] | None = None

    def __call__(self, value: str | int) -> str:
        text = str(value)
        if not self._plain.fullmatch(text):
            return reverse(self._name, args=[value])
        if self._parts is None:
            head, _, tail = reverse(self._name, args=[self._marker]).rpartition(self._marker)
            self._parts = (head, tail)
        head, tail = self._parts
        return f"{head}{text}{tail}"


def date_text(value: dt.datetime | None) -> str:
    """The day of a moment in the site's time zone; blank for none.

    The site's zone is read once per call from Django's cached default rather than through
    `localtime`, whose per-call lookup of an activated zone costs more than the conversion on
    pages of a thousand dates; no request activates another zone.
    """
    return value.astimezone(timezone.get_default_timezone()).date().isoformat() if value else ""


def day_text(value: dt.date | None) -> str:
    """A day as `date_text` writes one; blank for none."""
    return value.isoformat() if value else ""


def index_text(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def grade_text(cell: dashboard_selectors.GradeCell | None) -> str:
    if cell is None:
        return ""
    if cell.grade is None:
        return charts.UNKNOWN_TEXT
    return f"{cell.grade:g}"


def dimension_choices(catalogue: maturity.Catalogue) -> list[tuple[str, str]]:
    return [(d.key, d.title) for d in catalogue.dimensions]


def capability_choices(catalogue: maturity.Catalogue, dimension: str = "") -> list[tuple[str, str]]:
    capabilities = catalogue.capabilities_in(dimension) if dimension else catalogue.capabilities
    return [(c.key, c.title) for c in capabilities]


def progress_text(row: dashboard_selectors.RankingRow) -> str:
    """ "20 of 23" on the way to the next level; blank at the highest level."""
    if row.next_level_total is None:
        return ""
    return f"{row.next_level_in_place} of {row.next_level_total}"


def dimension_title(catalogue: maturity.Catalogue, key: str) -> str:
    try:
        return catalogue.dimension(key).title
    except KeyError:
        return key


def capability_title(catalogue: maturity.Catalogue, key: str) -> str:
    return catalogue.capability(key).title if catalogue.has_capability(key) else key


class DashboardPage:
    """What every dashboard page holds: who looks, with which filters, against which catalogue.

    `everything=True` (the CSV downloads) reads every matching row instead of one page.
    """

    def __init__(
        self, *, user: UserOrAnonymous, filters: DashboardFilters, everything: bool = False
    ) -> None:
        self.user = user
        self.filters = filters
        self.everything = everything
        self.catalogue = maturity.load_catalogue()
        # One reverse() per page for all the teams, one for all the results, however many rows
        # and chart points link to them (same links as team_url and result_url).
        self.team_url = _OneArgumentUrl("team_detail", "slug-918273645", _SLUG)
        self.result_url = _OneArgumentUrl("assessment_result", "918273645", _DIGITS)
