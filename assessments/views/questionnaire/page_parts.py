"""The parts of a questionnaire page that show no answer (its team's trail, its list of
pages), rendered once per process for each set of values they show: the template engine's
work on their values was a tenth of a page's time. Keyed by every value they show, so a
renamed team or section, another page or another assessment is never drawn from another's."""

import functools

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf

from ...models import Team

# (title, address, whether it is the page shown) for each page of the questionnaire.
SectionLinks = tuple[tuple[str, str, bool], ...]


@functools.lru_cache(maxsize=1024)
def section_nav(section_links: SectionLinks, summary_url: str) -> str:
    """The list of the questionnaire's pages, then its summary."""
    return render_to_string(
        "assessments/_section_nav.html",
        {"section_links": section_links, "summary_url": summary_url},
    )


def team_trail(team: Team) -> str:
    """The trail back to the team's page (assessments/_assessment_header.html)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _team_trail(team.name, team.slug, urlconf, get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _team_trail(name: str, slug: str, urlconf: str, script_prefix: str) -> str:
    # The trail reverses its addresses: the URL configuration and prefix are part of the key.
    return render_to_string(
        "assessments/_assessment_header.html", {"team": {"name": name, "slug": slug}}
    )
