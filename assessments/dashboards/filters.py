"""Dashboard filters live in the URL, so a filtered view can be shared by copying its address.

The forms validate the query string; a bad value becomes one clear sentence on the page (and a
400), never a server error. `DashboardFilters` is what selectors receive: plain values only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from .. import maturity
from ..forms import StyledControls
from .widgets import DateInput, Select, SelectMultiple, TextPairs

SORTS = {
    "level": "Level, then index",
    "index": "Index",
    "delta": "Change since last quarter",
    "steps": "Open roadmap steps",
    "debt": "Oldest debt",
    "name": "Team name",
}
# The "level" order under Microsoft's headline: its level first, then Google's and the index.
MICROSOFT_LEVEL_SORT = "Microsoft level, then Google level and index"
LEVEL_CHOICES = [("", "Any level"), ("0", "Level 0"), ("1", "Level 1"), ("2", "Level 2")]
MICROSOFT_LEVEL_CHOICES = [("", "Any level"), *((str(n), f"Level {n}") for n in range(5))]
# The models a dashboard can lead with (Organization.headline_lens).
HEADLINES = ("google", "microsoft")
MAX_COMPARED = 6
MIN_COMPARED = 2


@dataclass(frozen=True)
class DashboardFilters:
    organization: str = ""
    tags: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    level: int | None = None
    dimension: str = ""
    capability: str = ""
    sort: str = "level"
    page: int = 1
    teams: tuple[str, ...] = ()  # the compare view's team slugs
    microsoft_level: int | None = None
    # The model the page leads with: Microsoft's when every organisation in view chose it.
    # Read from the organisations, never from the URL.
    headline: str = field(default="google", metadata={"in_url": False})

    @property
    def period_start(self) -> dt.datetime | None:
        """The start of the first day of the period, in the site's time zone."""
        return _start_of(self.date_from) if self.date_from else None

    @property
    def period_end(self) -> dt.datetime | None:
        """The start of the day after the period (exclusive), in the site's time zone."""
        return _start_of(self.date_to + dt.timedelta(days=1)) if self.date_to else None

    @property
    def as_of(self) -> dt.datetime:
        return self.period_end or timezone.now()

    def query(self, **changes: Any) -> str:
        """The query string of these filters (defaults left out), with `changes` applied."""
        unknown = changes.keys() - _FIELD_NAMES
        if unknown:
            raise TypeError(f"DashboardFilters has no field {', '.join(sorted(unknown))}")
        pairs: list[tuple[str, object]] = []
        # The fields are read from a list made once: `replace()` and `fields()` on every call
        # cost most of a page's dozens of links.
        for name, default, url_name in _URL_FIELDS:
            value = changes[name] if name in changes else getattr(self, name)
            if value == default or value in (None, "", ()):
                continue
            for item in value if isinstance(value, tuple) else (value,):
                pairs.append((url_name, item.isoformat() if hasattr(item, "isoformat") else item))
        return urlencode(pairs)


# Repeated parameters read better in the singular: ?tag=a&tag=b, ?team=x&team=y.
URL_NAMES = {"tags": "tag", "teams": "team"}
_FIELD_NAMES = frozenset(item.name for item in fields(DashboardFilters))
# (name, default, name in the URL) of each field the query string carries, in their order.
_URL_FIELDS = tuple(
    (item.name, item.default, URL_NAMES.get(item.name, item.name))
    for item in fields(DashboardFilters)
    if item.metadata.get("in_url", True)
)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _dimension_choices() -> list[tuple[str, str]]:
    catalogue = maturity.load_catalogue()
    return [("", "All dimensions")] + [(d.key, d.title) for d in catalogue.dimensions]


def _capability_choices() -> list[tuple[str, str]]:
    catalogue = maturity.load_catalogue()
    return [("", "All capabilities")] + [(c.key, c.title) for c in catalogue.capabilities]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={
            "invalid": f"The {label.lower()} must be a date written as YYYY-MM-DD, "
            "for example 2025-01-31."
        },
    )


class TeamFilterForm(StyledControls, forms.Form):
    """Which teams: organisation, tags, and their level (overall or in one dimension)."""

    organization = forms.ChoiceField(
        widget=Select,
        required=False,
        label="Organisation",
        error_messages={
            "invalid_choice": "There is no organisation “%(value)s” among the ones you can see."
        },
    )
    tag = forms.MultipleChoiceField(
        required=False,
        label="Tags",
        help_text="Teams with every chosen tag.",
        widget=SelectMultiple(attrs={"size": 6}),
        error_messages={
            "invalid_choice": "No team you can see has the tag “%(value)s”.",
            "invalid_list": "Tags must be given as a list of names.",
        },
    )
    microsoft_level = forms.TypedChoiceField(
        widget=Select,
        required=False,
        label="Microsoft level",
        choices=MICROSOFT_LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        help_text="The team's overall level in Microsoft's MLOps maturity model (0-4).",
        error_messages={
            "invalid_choice": "The Microsoft level must be 0, 1, 2, 3 or 4, not “%(value)s”."
        },
    )
    level = forms.TypedChoiceField(
        widget=Select,
        required=False,
        label="Level",
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        help_text="With a dimension chosen, the level in that dimension.",
        error_messages={"invalid_choice": "The level must be 0, 1 or 2, not “%(value)s”."},
    )
    dimension = forms.ChoiceField(
        widget=Select,
        required=False,
        label="Dimension",
        error_messages={
            "invalid_choice": "There is no dimension “%(value)s”; choose one from the list."
        },
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        organizations: Sequence[tuple[str, str]] = (),
        tags: Sequence[str] = (),
        headlines: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(data)
        self.choice_field("organization").choices = [("", "All organisations"), *organizations]
        self.choice_field("tag").choices = [(t, t) for t in tags]
        self.choice_field("dimension").choices = _dimension_choices()
        self.show_organizations = len(organizations) > 1
        self.headline = headline_of(headlines or {}, (data or {}).get("organization", ""))
        if self.headline == "microsoft":
            # Google's level stays beside Microsoft's, named so that the two are not confused.
            self.fields["level"].label = "Google level"
            if "sort" in self.fields:
                self.choice_field("sort").choices = [
                    (key, MICROSOFT_LEVEL_SORT if key == "level" else label)
                    for key, label in SORTS.items()
                ]
        else:
            del self.fields["microsoft_level"]

    def filters(self) -> DashboardFilters:
        """The validated filters; call after `is_valid()` returned True."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "organization": data.get("organization") or "",
            "tags": tuple(sorted(data.get("tag") or ())),
            "level": data.get("level"),
            "dimension": data.get("dimension") or "",
            "microsoft_level": data.get("microsoft_level"),
            "headline": self.headline,
        }
        for name in ("date_from", "date_to", "capability", "sort", "page"):
            if name in self.fields:
                value = data.get(name)
                if value not in (None, ""):
                    values[name] = value
        if "team" in self.fields:
            values["teams"] = tuple(data.get("team") or ())
        return DashboardFilters(**values)

    def error_sentences(self) -> list[str]:
        # Each message is a sentence (Django's ErrorList gives them as text).
        return [str(message) for errors in self.errors.values() for message in errors]


def sort_label(filters: DashboardFilters) -> str:
    """How the ranking is sorted, in words to follow "Sorted by", as the headline model reads
    "level"; the models' names keep their capitals."""
    if filters.sort == "level" and filters.headline == "microsoft":
        return MICROSOFT_LEVEL_SORT
    label = SORTS.get(filters.sort, SORTS["level"])
    return label[:1].lower() + label[1:]


def headline_of(headlines: Mapping[str, str], organization: str = "") -> str:
    """The model a dashboard leads with: Microsoft's when the chosen organisation, or every
    organisation in view without a choice, leads with it; Google's otherwise.

    `headlines` maps each organisation slug in view to its headline model.
    """
    chosen = [headlines[organization]] if organization in headlines else [*headlines.values()]
    return "microsoft" if chosen and set(chosen) == {"microsoft"} else "google"


class _PeriodMixin(forms.Form):
    date_from = _date_field("Start date")
    date_to = _date_field("End date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The start date ({start.isoformat()}) comes after the end date "
                f"({end.isoformat()})."
            )
        return cleaned


def _page_field() -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label="Page",
        error_messages={
            "invalid": "The page must be a whole number, 1 or more.",
            "min_value": "The page must be a whole number, 1 or more.",
            "max_value": "The page number is too large.",
        },
    )


class OverviewFilterForm(_PeriodMixin, TeamFilterForm):
    sort = forms.ChoiceField(
        widget=Select,
        required=False,
        label="Sort teams by",
        choices=list(SORTS.items()),
        error_messages={
            "invalid_choice": "Teams can be sorted by " + ", ".join(SORTS) + ", not “%(value)s”."
        },
    )
    page = _page_field()


class DebtFilterForm(TeamFilterForm):
    capability = forms.ChoiceField(
        widget=Select,
        required=False,
        label="Capability",
        error_messages={
            "invalid_choice": "There is no capability “%(value)s”; choose one from the list."
        },
    )
    page = _page_field()

    def __init__(self, data: Mapping[str, Any] | None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.choice_field("capability").choices = _capability_choices()


class CompareForm(StyledControls, _PeriodMixin, forms.Form):
    team = forms.MultipleChoiceField(
        label="Teams",
        help_text=f"Choose {MIN_COMPARED} to {MAX_COMPARED} teams (Ctrl or Cmd to pick several).",
        widget=SelectMultiple(attrs={"size": 12}),
        error_messages={
            "required": f"Choose between {MIN_COMPARED} and {MAX_COMPARED} teams to compare.",
            "invalid_choice": "There is no team “%(value)s” among the teams you can see.",
            "invalid_list": "Teams must be given as a list of team identifiers.",
        },
    )

    def __init__(
        self, data: Mapping[str, Any] | None, *, teams: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(data)
        self.choice_field("team").choices = TextPairs(teams)

    def clean_team(self) -> list[str]:
        chosen = list(dict.fromkeys(self.cleaned_data["team"]))
        if not MIN_COMPARED <= len(chosen) <= MAX_COMPARED:
            raise forms.ValidationError(
                f"Choose between {MIN_COMPARED} and {MAX_COMPARED} teams to compare; "
                f"{len(chosen)} {'was' if len(chosen) == 1 else 'were'} chosen."
            )
        return chosen

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        return DashboardFilters(
            teams=tuple(data["team"]),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def error_sentences(self) -> list[str]:
        # Each message is a sentence (Django's ErrorList gives them as text).
        return [str(message) for errors in self.errors.values() for message in errors]
