"""The lens files as frozen dataclasses: read, validated against a catalogue, loaded once.

A lens file maps another model's levels (Microsoft's) or requirements (the EU AI Act's
articles) onto the catalogue's capabilities. Every problem in a file is reported at once, each
in a sentence naming the file and the entry, as the catalogue does.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assessments.maturity.catalogue import Catalogue, CatalogueError, load_catalogue
from assessments.maturity.catalogue.entries import EntryReader
from assessments.maturity.catalogue.loading import read_yaml

LENS_DIR = Path(__file__).resolve().parent
MICROSOFT_LEVELS = (0, 1, 2, 3, 4)
# The columns of Microsoft's table, in its order and words.
MICROSOFT_ASPECT_TITLES = {
    "people": "People",
    "model_creation": "Model creation",
    "model_release": "Model release",
    "application_integration": "Application integration",
}
MICROSOFT_ASPECTS = tuple(MICROSOFT_ASPECT_TITLES)


class LensError(CatalogueError):
    """A lens file is unreadable or invalid; ``problems`` lists every sentence found."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Requirement:
    """A catalogue capability a level or an article needs, and why."""

    capability: str
    because: str
    aspect: str = ""


@dataclass(frozen=True)
class LensLevel:
    number: int
    title: str
    summary: str
    requires: tuple[Requirement, ...]


@dataclass(frozen=True)
class MicrosoftLens:
    key: str
    title: str
    version: str
    sources: tuple[Source, ...]
    note: str
    levels: tuple[LensLevel, ...]

    def level(self, number: int) -> LensLevel:
        return self.levels[number]


@dataclass(frozen=True)
class Article:
    article: str
    title: str
    summary: str
    requires: tuple[Requirement, ...]

    @property
    def label(self) -> str:
        """ "Article 11", as people cite it."""
        return f"Article {self.article}"


@dataclass(frozen=True)
class KeyDate:
    date: datetime.date
    event: str
    headline: bool = False  # shown beside every reading, not only in the full list


@dataclass(frozen=True)
class EuAiActLens:
    key: str
    title: str
    version: str
    sources: tuple[Source, ...]
    disclaimer: str
    dates: tuple[KeyDate, ...]
    dates_note: str
    articles: tuple[Article, ...]


class _Reader(EntryReader):
    def check(self) -> None:
        if self.problems:
            raise LensError(self.problems)

    def sources(self, raw: Any) -> tuple[Source, ...]:
        sources = []
        for index, item in enumerate(self.entry_list(raw, "sources")):
            entry = f"source #{index + 1}"
            values = self.fields(entry, item, {"title": True, "url": True})
            url = self.text(entry, values, "url")
            if url and not url.startswith("https://"):
                self.problem(entry, f"url {url!r} must start with https://")
            sources.append(Source(self.text(entry, values, "title"), url))
        return tuple(sources)

    def requirements(
        self, entry: str, raw: Any, catalogue: Catalogue, *, aspects: tuple[str, ...] | None
    ) -> tuple[Requirement, ...]:
        if not isinstance(raw, list):
            self.problem(entry, "requires must be a list of capabilities")
            return ()
        schema = {"capability": True, "because": True, "aspect": aspects is not None}
        found: list[Requirement] = []
        for index, item in enumerate(raw):
            where = f"{entry}: requirement #{index + 1}"
            values = self.fields(where, item, schema)
            key = values.get("capability")
            if not isinstance(key, str) or not key:
                if "capability" in values:
                    self.problem(where, "capability must be a capability key")
                continue
            if not catalogue.has_capability(key):
                self.problem(where, f"capability {key!r} is not in catalogue {catalogue.version}")
            if any(r.capability == key for r in found):
                self.problem(where, f"capability {key!r} is listed twice")
            aspect = ""
            if aspects is not None:
                aspect = values.get("aspect", "")
                if aspect not in aspects:
                    self.problem(where, f"aspect {aspect!r} must be one of {', '.join(aspects)}")
            found.append(Requirement(key, self.text(where, values, "because"), aspect))
        return tuple(found)


_MICROSOFT_KEYS = {
    "key": True,
    "title": True,
    "version": True,
    "sources": True,
    "note": True,
    "levels": True,
}
_LEVEL_KEYS = {"level": True, "title": True, "summary": True, "requires": True}


def parse_microsoft_lens(
    data: Any, catalogue: Catalogue, *, source: str = "microsoft.yaml"
) -> MicrosoftLens:
    """Validate raw Microsoft lens data against ``catalogue`` and build the lens."""
    reader = _Reader(source)
    top = reader.fields(None, data, _MICROSOFT_KEYS)
    reader.check()
    version = _version(reader, top)
    levels: list[LensLevel] = []
    required_at: dict[str, int] = {}
    for index, raw in enumerate(reader.entry_list(top["levels"], "levels")):
        entry = f"level #{index + 1}"
        values = reader.fields(entry, raw, _LEVEL_KEYS)
        number = values.get("level")
        if number != index or number not in MICROSOFT_LEVELS:
            reader.problem(
                entry, f"must be level {index} (levels run 0-4 in order), not {number!r}"
            )
            continue
        entry = f"level {number}"
        requires = reader.requirements(
            entry, values.get("requires", []), catalogue, aspects=MICROSOFT_ASPECTS
        )
        if number == 0 and requires:
            reader.problem(
                entry, "level 0 is the floor every team starts from: it requires nothing"
            )
        for requirement in requires:
            earlier = required_at.setdefault(requirement.capability, number)
            if earlier != number:
                reader.problem(
                    entry,
                    f"capability {requirement.capability!r} is already required at level "
                    f"{earlier} (levels are cumulative)",
                )
        levels.append(
            LensLevel(
                number,
                reader.text(entry, values, "title"),
                reader.text(entry, values, "summary"),
                requires,
            )
        )
    if len(levels) != len(MICROSOFT_LEVELS) and not reader.problems:
        reader.problem(None, f"levels must be 0 to 4, found {len(levels)}")
    sources = reader.sources(top["sources"])
    note = reader.text("note", top, "note")
    title = reader.text("title", top, "title")
    reader.check()
    return MicrosoftLens(
        _key(reader, top, "microsoft"), title, version, sources, note, tuple(levels)
    )


_EU_KEYS = {
    "key": True,
    "title": True,
    "version": True,
    "sources": True,
    "disclaimer": True,
    "dates": True,
    "dates_note": True,
    "articles": True,
}
_ARTICLE_KEYS = {"article": True, "title": True, "summary": True, "requires": True}


def parse_eu_ai_act_lens(
    data: Any, catalogue: Catalogue, *, source: str = "eu_ai_act.yaml"
) -> EuAiActLens:
    """Validate raw EU AI Act lens data against ``catalogue`` and build the lens."""
    reader = _Reader(source)
    top = reader.fields(None, data, _EU_KEYS)
    reader.check()
    version = _version(reader, top)
    dates = []
    for index, raw in enumerate(reader.entry_list(top["dates"], "dates")):
        entry = f"date #{index + 1}"
        values = reader.fields(entry, raw, {"date": True, "event": True, "headline": False})
        when = values.get("date")
        if not isinstance(when, datetime.date):
            reader.problem(entry, f"date {when!r} must be a date written YYYY-MM-DD")
            continue
        headline = values.get("headline", False)
        if not isinstance(headline, bool):
            reader.problem(entry, f"headline must be true or false, not {headline!r}")
        dates.append(KeyDate(when, reader.text(entry, values, "event"), headline is True))
    if [d.date for d in dates] != sorted(d.date for d in dates):
        reader.problem("dates", "must be in date order")
    articles: list[Article] = []
    for index, raw in enumerate(reader.entry_list(top["articles"], "articles")):
        values = reader.fields(f"article #{index + 1}", raw, _ARTICLE_KEYS)
        number = values.get("article")
        if not isinstance(number, str) or not number.strip():
            reader.problem(f"article #{index + 1}", "article must be quoted text such as '9'")
            continue
        entry = f"article {number}"
        if any(a.article == number for a in articles):
            reader.problem(entry, "is listed twice")
        requires = reader.requirements(entry, values.get("requires", []), catalogue, aspects=None)
        if not requires and "requires" in values:
            reader.problem(entry, "must name at least one capability")
        articles.append(
            Article(
                number,
                reader.text(entry, values, "title"),
                reader.text(entry, values, "summary"),
                requires,
            )
        )
    sources = reader.sources(top["sources"])
    disclaimer = reader.text("disclaimer", top, "disclaimer")
    dates_note = reader.text("dates_note", top, "dates_note")
    title = reader.text("title", top, "title")
    reader.check()
    return EuAiActLens(
        _key(reader, top, "eu_ai_act"),
        title,
        version,
        sources,
        disclaimer,
        tuple(dates),
        dates_note,
        tuple(articles),
    )


def _version(reader: _Reader, top: dict[str, Any]) -> str:
    version = top.get("version")
    if not isinstance(version, str) or not version.strip():
        reader.problem("version", f"must be quoted text such as '2026.12.1', not {version!r}")
        return ""
    return version


def _key(reader: _Reader, top: dict[str, Any], expected: str) -> str:
    if top.get("key") != expected:
        reader.problem("key", f"must be {expected!r} for this lens, not {top.get('key')!r}")
        reader.check()
    return expected


def read_lens_file(path: Path) -> Any:
    """The raw data of a lens file; a clear error when it is unreadable or not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LensError([f"{path.name}: cannot be read: {exc.strerror}"]) from exc
    try:
        return read_yaml(text)
    except yaml.YAMLError as exc:
        raise LensError([f"{path.name}: is not valid YAML: {exc}"]) from exc


@functools.cache
def microsoft_lens() -> MicrosoftLens:
    """The bundled Microsoft lens, validated against the current catalogue, read once."""
    path = LENS_DIR / "microsoft.yaml"
    return parse_microsoft_lens(read_lens_file(path), load_catalogue(), source=path.name)


@functools.cache
def eu_ai_act_lens() -> EuAiActLens:
    """The bundled EU AI Act lens, validated against the current catalogue, read once."""
    path = LENS_DIR / "eu_ai_act.yaml"
    return parse_eu_ai_act_lens(read_lens_file(path), load_catalogue(), source=path.name)
