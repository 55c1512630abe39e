"""The result of an assessment, the team's history, and two assessments side by side."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from .. import charts, kits, maturity, selectors
from ..access import EDIT_ROLES, MANAGE_ROLES, team_role
from ..maturity.lenses import MICROSOFT_ASPECT_TITLES, article_changes
from ..maturity.versions import catalogue_changes, load_catalogue_version, versions_sentence
from ..models import Result


def index_trend(current: float, previous: float | None) -> dict[str, str | float] | None:
    """Arrow and delta, spelled out too: colour is never the only signal."""
    if previous is None:
        return None
    delta = round(current - previous, 1)
    if delta > 0:
        return {"arrow": "▲", "word": "up", "delta": delta}
    if delta < 0:
        return {"arrow": "▼", "word": "down", "delta": -delta}
    return {"arrow": "▶", "word": "unchanged", "delta": 0}


@login_required
def assessment_result(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=pk)
    result = selectors.result_for_assessment(assessment=assessment)
    if result is None:
        # Submitted but not computed yet (a worker picks it up): the page refreshes itself.
        return render(
            request,
            "assessments/result_pending.html",
            {"assessment": assessment, "team": assessment.team},
        )
    catalogue = load_catalogue_version(result.catalogue_version)
    snapshot = result.snapshot
    outcome = snapshot["result"]
    previous = selectors.previous_result(assessment=assessment)
    median = selectors.organization_median_dimension_index(
        organization_id=assessment.team.organization_id
    )
    not_applicable = set(outcome.get("not_applicable_dimensions", ()))
    dimensions = [(d.key, d.title) for d in catalogue.dimensions]
    # A dimension that does not apply has no place on the radar: drawn at 100 it would read
    # as mastered, at 0 as missing. The table below says "not applicable" instead.
    radar_dimensions = [(key, title) for key, title in dimensions if key not in not_applicable]
    series = [
        {"name": f"{assessment.team.name} (this assessment)", "values": outcome["dimension_index"]}
    ]
    if previous is not None:
        series.append(
            {
                "name": f"Previous ({previous.assessment.submitted_at:%d %b %Y})",
                "values": previous.snapshot["result"]["dimension_index"],
                "dash": True,
            }
        )
    if median:
        series.append({"name": "Organisation median", "values": median, "dash": True})
    capabilities = {c["key"]: c for c in outcome["capabilities"]}
    by_dimension = [
        {
            "dimension": dimension,
            "level": outcome["dimension_levels"][dimension.key],
            "index": outcome["dimension_index"][dimension.key],
            "not_applicable": dimension.key in not_applicable,
            "capabilities": [
                {"capability": c, "result": capabilities[c.key]}
                for c in catalogue.capabilities_in(dimension.key)
            ],
        }
        for dimension in catalogue.dimensions
    ]
    today = timezone.localdate()
    exemptions = selectors.exemptions_active_for_team(team=assessment.team, today=today)
    # Beside the raw reading, never in its place: the stored result stays as it is.
    reading = selectors.result_with_exemptions(result=result, today=today, exemptions=exemptions)
    waiting = selectors.exemptions_waiting_for_team(team=assessment.team)
    lenses = selectors.result_lenses(result=result)
    role = team_role(request.user, assessment.team)
    beyond_target = []
    if not snapshot["roadmap"] and result.overall_level < 2:
        # The target is reached: say what the next level would take, and that it is not needed.
        beyond_target = maturity.build_roadmap(
            catalogue, maturity.MaturityResult.from_dict(outcome), result.overall_level + 1
        )[:3]
    context = {
        "assessment": assessment,
        "team": assessment.team,
        "result": result,
        "outcome": outcome,
        "beyond_target": beyond_target,
        "target": snapshot["target"],
        "roadmap": snapshot["roadmap"],
        "previous": previous,
        "trend": index_trend(result.index, previous.index if previous else None),
        "previous_on_other_catalogue": previous is not None
        and previous.catalogue_version != result.catalogue_version,
        "radar": charts.radar_figure(radar_dimensions, series),
        "not_applicable_titles": [title for key, title in dimensions if key in not_applicable],
        "by_dimension": by_dimension,
        "capability_titles": {c.key: c.title for c in catalogue.capabilities},
        "dimension_titles": dict(dimensions),
        "debt": selectors.debt_statement_for_team(team=assessment.team),
        # Roadmap steps with a level-up kit link to it for each of the team's repositories.
        "kit_steps": kits.kit_steps(),
        "kit_repositories": [
            row.repository for row in selectors.repository_list_for_team(team=assessment.team)
        ],
        "can_edit": role in EDIT_ROLES,
        "can_request_exemption": role in MANAGE_ROLES,
        "reading": reading,
        # Ordered by expiry, so a renewal in force beside its predecessor is the one shown.
        "exempted": {e.capability_key: e for e in exemptions},
        "exemptions_waiting": waiting,
        "exemption_asked": {e.capability_key: e for e in waiting},
        "level_titles": {level.number: level.title for level in catalogue.levels},
        # The organisation's own checks, beside the Google reading, never in its place.
        "org_checks": selectors.organization_checks_for_result(result=result),
        "claimed_not_visible": maturity.claimed_not_visible(outcome),
        "lenses": lenses,
        # Articles whose readiness the exemptions in force change, read as the raw reading is.
        "lens_changes": article_changes(lenses.get("eu_ai_act", {}), reading.lenses["eu_ai_act"])
        if lenses and reading and reading.lenses
        else [],
        "headline_lens": assessment.team.organization.headline_lens,
        "aspect_titles": MICROSOFT_ASPECT_TITLES,
        "progress": maturity.progress_with_titles(
            maturity.next_level_progress(outcome),
            {c.key: c.title for c in catalogue.capabilities},
        ),
    }
    return render(request, "assessments/result.html", context)


def history_finding(first: Result, last: Result) -> str:
    """The history chart's title: what changed between the first and the latest result, so
    the reader gets the answer before reading the plot."""
    since = date_format(timezone.localtime(first.assessment.submitted_at), "j M Y")
    if first.overall_level != last.overall_level:
        levels = f"level {first.overall_level} to {last.overall_level}"
    else:
        levels = f"level {last.overall_level} throughout"
    change = round(last.index - first.index, 1)
    if change == 0:
        return f"Index unchanged at {last.index:.1f} since {since}, {levels}"
    word = "Up" if change > 0 else "Down"
    return (
        f"{word} {abs(change):.1f} points since {since}: "
        f"index {first.index:.1f} to {last.index:.1f}, {levels}"
    )


@login_required
def team_history(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    results = selectors.result_history_for_team(team=team, with_snapshots=False)
    rows = []
    for earlier, result in zip([None, *results], results, strict=False):
        rows.append(
            {
                "result": result,
                "trend": index_trend(result.index, None if earlier is None else earlier.index),
            }
        )
    rows.reverse()
    compare = None
    chosen = request.GET.getlist("compare")
    if chosen:
        compare = _comparison(results, chosen)
    trend = None
    if len(results) > 1:
        # Times, not only dates: two assessments submitted on one day are two points.
        points = [
            (timezone.localtime(r.assessment.submitted_at).isoformat(), r.index) for r in results
        ]
        series: list[dict[str, object]] = [{"name": f"{team.name} (overall)", "points": points}]
        # Per dimension on demand: each line appears when its legend entry is clicked.
        history = selectors.dimension_index_history_for_team(team=team)
        catalogue = load_catalogue_version(results[-1].catalogue_version)
        for dimension in catalogue.dimensions:
            series.append(
                {
                    "name": dimension.title,
                    "hidden": True,
                    "points": [
                        (timezone.localtime(when).isoformat(), values[dimension.key])
                        for when, values in history
                        if values and dimension.key in values
                    ],
                }
            )
        # Where the catalogue changed, the index may move with no change in practice.
        changes = catalogue_changes([r.catalogue_version for r in results])
        markers = [(points[i][0], f"Catalogue {results[i].catalogue_version}") for i in changes]
        trend = charts.trend_figure(series, legend_below=True, markers=markers)
    context = {"team": team, "rows": rows, "compare": compare, "chosen": chosen, "trend": trend}
    if trend:
        context["finding"] = history_finding(results[0], results[-1])
        context["catalogue_changes"] = [
            {"version": results[i].catalogue_version, "result": results[i]} for i in changes
        ]
    return render(request, "assessments/history.html", context)


def _comparison(results: list[Result], chosen: list[str]) -> dict[str, object]:
    """Two of the team's results side by side, capability by capability."""
    by_id = {str(r.assessment_id): r.pk for r in results}
    if len(set(chosen)) != 2 or any(key not in by_id for key in chosen):
        raise Http404("Choose two submitted assessments of this team to compare.")
    pair = selectors.results_with_assessments(result_ids=[by_id[key] for key in chosen])
    left, right = sorted(pair, key=_submitted_at)
    catalogue = load_catalogue_version(right.catalogue_version)
    left_caps = {c["key"]: c for c in left.snapshot["result"]["capabilities"]}
    right_caps = {c["key"]: c for c in right.snapshot["result"]["capabilities"]}
    rows: list[dict[str, object]] = []
    for capability in catalogue.capabilities:
        a, b = left_caps.get(capability.key), right_caps.get(capability.key)
        rows.append(
            {
                "title": capability.title,
                "left": a,
                "right": b,
                "changed": (a or {}).get("grade") != (b or {}).get("grade"),
            }
        )
    versions = versions_sentence(
        [
            (f"{_when(left)}", left.catalogue_version),
            (f"{_when(right)}", right.catalogue_version),
        ]
    )
    return {"left": left, "right": right, "rows": rows, "versions": versions}


def _submitted_at(result: Result) -> datetime:
    """When the result's assessment was submitted; only a submitted assessment has a result."""
    submitted_at = result.assessment.submitted_at
    assert submitted_at is not None
    return submitted_at


def _when(result: Result) -> str:
    """A result named by its submission time, as the history table shows it."""
    return date_format(timezone.localtime(result.assessment.submitted_at), "j M Y, H:i")
