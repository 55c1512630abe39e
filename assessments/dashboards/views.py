"""Organisation dashboard pages and their CSV downloads.

Thin: a form reads the filters from the URL, a page object (pages/) reads through the
selectors and shapes tables and chart data, a template renders them. Invalid filters render
the page with the sentences saying what is wrong, with status 400.
"""

import csv
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..access import UserOrAnonymous
from ..selectors import dashboards as dashboard_selectors
from . import cache, pages
from .filters import (
    CompareForm,
    DashboardFilters,
    DebtFilterForm,
    OverviewFilterForm,
    TeamFilterForm,
    sort_label,
)

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
# A page's part below its filters, rendered for a user and valid filters (and cached).
Section = Callable[[UserOrAnonymous, DashboardFilters], str]


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _cached_dashboard(
        request,
        name="overview",
        form_class=OverviewFilterForm,
        template="dashboards/overview.html",
        section=_overview_section,
    )


@login_required
@require_GET
def debt(request: HttpRequest) -> HttpResponse:
    return _cached_dashboard(
        request,
        name="debt",
        form_class=DebtFilterForm,
        template="dashboards/debt.html",
        section=_debt_section,
    )


def _overview_section(user: UserOrAnonymous, filters: DashboardFilters) -> str:
    page = pages.Overview(user=user, filters=filters)
    context = {
        "page": page,
        "tables": page.tables(),
        "charts": page.charts(),
        "csv": _csv_links(pages.Overview, page.filters),
        "pagination": _pagination("dashboard", page.filters, page.page, page.pages),
        "sort_label": sort_label(page.filters),
    }
    return render_to_string("dashboards/_overview_section.html", context)


def _debt_section(user: UserOrAnonymous, filters: DashboardFilters) -> str:
    page = pages.Debt(user=user, filters=filters)
    context = {
        "page": page,
        "total": page.total,
        "tables": page.tables(),
        "charts": page.charts(),
        "csv": _csv_links(pages.Debt, page.filters),
        "pagination": _pagination("dashboard_debt", page.filters, page.page, page.pages),
    }
    return render_to_string("dashboards/_debt_section.html", context)


def _cached_dashboard(
    request: HttpRequest,
    *,
    name: str,
    form_class: type[TeamFilterForm],
    template: str,
    section: Section,
) -> HttpResponse:
    """The page with its charts and tables from the cache when the data has not changed.

    Only valid filters reach the cache, so a cached entry always comes with choices under
    which its query string validates; the form is rebuilt from them to show the filters.
    """
    key = cache.page_key(name=name, user=request.user, query=request.GET.urlencode())
    entry = cache.lookup(key)
    if entry is None:
        organizations, tags, headlines = dashboard_selectors.filter_choices_for_user(
            user=request.user
        )
        form = form_class(request.GET, organizations=organizations, tags=tags, headlines=headlines)
        if not form.is_valid():
            return _invalid(request, template, form)
        entry = {
            "organizations": organizations,
            "tags": tags,
            "headlines": headlines,
            "section": section(request.user, form.filters()),
        }
        cache.store(key, entry)
    else:
        form = form_class(
            request.GET,
            organizations=entry["organizations"],
            tags=entry["tags"],
            headlines=entry["headlines"],
        )
        form.is_valid()
    return render(request, template, {"form": form, "section": entry["section"]})


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    choices = dashboard_selectors.team_choices_for_user(user=request.user)
    if "team" not in request.GET:
        # Nothing chosen yet: the picker, without complaining about an empty choice.
        return render(
            request, "dashboards/compare.html", {"form": CompareForm(None, teams=choices)}
        )
    form = CompareForm(request.GET, teams=choices)
    if not form.is_valid():
        return _invalid(request, "dashboards/compare.html", form)
    page = pages.Compare(user=request.user, filters=form.filters())
    context = {
        "form": form,
        "page": page,
        "missing": page.missing(dict(choices)),
        "versions": page.versions(),
        "tables": page.tables(),
        "charts": page.charts(),
        "csv": _csv_links(pages.Compare, page.filters),
    }
    return render(request, "dashboards/compare.html", context)


@login_required
@require_GET
def csv_download(request: HttpRequest, table: str) -> HttpResponse:
    """The table behind a chart as CSV: every matching row, not only the page's."""
    if table not in pages.CSV_TABLES:
        raise Http404("No such table.")
    page_class, method = pages.CSV_TABLES[table]
    form_for: dict[type, Callable[[HttpRequest], TeamFilterForm | CompareForm]] = {
        pages.Overview: _overview_form,
        pages.Debt: _debt_form,
        pages.Compare: _compare_form,
    }
    form = form_for[page_class](request)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(form.error_sentences()) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    page = page_class(user=request.user, filters=form.filters(), everything=True)
    data = getattr(page, method)()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.key}.csv"'
    writer = csv.writer(response)
    for row in data.csv_rows():
        writer.writerow([csv_cell(value) for value in row])
    return response


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _overview_form(request: HttpRequest) -> OverviewFilterForm:
    organizations, tags, headlines = dashboard_selectors.filter_choices_for_user(user=request.user)
    return OverviewFilterForm(
        request.GET, organizations=organizations, tags=tags, headlines=headlines
    )


def _debt_form(request: HttpRequest) -> DebtFilterForm:
    organizations, tags, headlines = dashboard_selectors.filter_choices_for_user(user=request.user)
    return DebtFilterForm(request.GET, organizations=organizations, tags=tags, headlines=headlines)


def _compare_form(request: HttpRequest) -> CompareForm:
    return CompareForm(
        request.GET, teams=dashboard_selectors.team_choices_for_user(user=request.user)
    )


def _invalid(
    request: HttpRequest, template: str, form: TeamFilterForm | CompareForm
) -> HttpResponse:
    return render(request, template, {"form": form, "errors": form.error_sentences()}, status=400)


def _csv_links(page_class: type, filters: DashboardFilters) -> dict[str, str]:
    query = filters.query(page=1)
    links: dict[str, str] = {}
    for key, (cls, _) in pages.CSV_TABLES.items():
        if cls is page_class:
            url = reverse("dashboard_csv", args=[key])
            links[key.replace("-", "_")] = f"{url}?{query}" if query else url
    return links


def _pagination(
    url_name: str, filters: DashboardFilters, page: int, pages_count: int
) -> dict[str, Any]:
    def link(number: int) -> str:
        return pages.dashboard_url(url_name, filters, page=number)

    return {
        "page": page,
        "pages": pages_count,
        "previous": link(page - 1) if page > 1 else "",
        "next": link(page + 1) if page < pages_count else "",
    }
