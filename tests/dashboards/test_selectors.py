"""Dashboard selectors agree with the engine's own results, computed here the slow way."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from assessments import maturity
from assessments.dashboards.filters import DashboardFilters
from assessments.models import Organization, Result, RoadmapStep, Team
from assessments.selectors import dashboards as selectors

from .conftest import NOW, add_teams


@pytest.fixture
def organization(org_admin):
    return Organization.objects.get(memberships__user=org_admin)


@pytest.fixture
def twelve_teams(organization):
    return add_teams(organization, 12, months=4)


def latest_by_team_the_slow_way(organization, before=None):
    latest = {}
    results = Result.objects.filter(assessment__team__organization=organization)
    if before:
        results = results.filter(assessment__submitted_at__lt=before)
    for result in results.select_related("assessment").order_by("assessment__submitted_at"):
        latest[result.assessment.team_id] = result
    return latest


def test_the_latest_result_of_each_team_is_its_most_recent_submission(
    org_admin, organization, twelve_teams
):
    expected = {r.pk for r in latest_by_team_the_slow_way(organization).values()}
    found = set(
        selectors.latest_results(user=org_admin, filters=DashboardFilters()).values_list(
            "pk", flat=True
        )
    )
    assert found == expected
    assert len(found) == 12


def test_the_period_end_picks_the_latest_result_before_it(org_admin, organization, twelve_teams):
    end = (NOW - dt.timedelta(days=45)).date()
    filters = DashboardFilters(date_to=end)
    expected = latest_by_team_the_slow_way(organization, before=filters.period_end)
    found = selectors.latest_results(user=org_admin, filters=filters)
    assert set(found.values_list("pk", flat=True)) == {r.pk for r in expected.values()}


@pytest.mark.parametrize("level", [0, 1, 2])
def test_dimension_levels_in_the_database_match_the_engines(
    org_admin, organization, twelve_teams, level
):
    snapshots = {
        r.pk: r.snapshot["result"]["dimension_levels"]
        for r in latest_by_team_the_slow_way(organization).values()
    }
    for dimension in maturity.load_catalogue().dimensions:
        filters = DashboardFilters(level=level, dimension=dimension.key)
        found = set(
            selectors.latest_results(user=org_admin, filters=filters).values_list("pk", flat=True)
        )
        expected = {pk for pk, levels in snapshots.items() if levels[dimension.key] == level}
        assert found == expected, dimension.key


def test_the_level_distribution_counts_what_the_snapshots_say(
    org_admin, organization, twelve_teams
):
    latest = latest_by_team_the_slow_way(organization).values()
    results = selectors.latest_results(user=org_admin, filters=DashboardFilters())
    distribution = selectors.standing(results=results).distribution
    overall = Counter(r.overall_level for r in latest)
    assert distribution["overall"] == {n: overall[n] for n in (0, 1, 2)}
    for dimension in maturity.load_catalogue().dimensions:
        counts = Counter(r.snapshot["result"]["dimension_levels"][dimension.key] for r in latest)
        assert distribution[dimension.key] == {n: counts[n] for n in (0, 1, 2)}, dimension.key


def test_common_gaps_are_the_unmet_capabilities_each_target_needs(
    org_admin, organization, twelve_teams
):
    expected = Counter()
    for result in latest_by_team_the_slow_way(organization).values():
        for capability in result.snapshot["result"]["capabilities"]:
            needed = capability["level"] <= result.target_level and not capability["optional"]
            if needed and not capability["met"]:
                expected[capability["key"]] += 1
    results = selectors.latest_results(user=org_admin, filters=DashboardFilters())
    gaps = selectors.standing(results=results).gaps
    assert {g.capability: g.teams for g in gaps} == dict(expected)
    assert [g.teams for g in gaps] == sorted((g.teams for g in gaps), reverse=True)


def test_the_ranking_shows_the_change_since_last_quarter_and_the_open_roadmap(
    org_admin, organization, twelve_teams
):
    results = selectors.latest_results(user=org_admin, filters=DashboardFilters())
    rows = selectors.ranking(results=results, filters=DashboardFilters(), limit=None)
    assert len(rows) == 12
    for row in rows:
        history = list(
            Result.objects.filter(assessment__team_id=row.team_id).order_by(
                "assessment__submitted_at"
            )
        )
        quarter_ago = [
            r for r in history if r.assessment.submitted_at <= timezone.now() - selectors.QUARTER
        ]
        assert row.index == history[-1].index
        assert row.previous_index == (quarter_ago[-1].index if quarter_ago else None)
        assert (
            row.open_steps == RoadmapStep.objects.filter(team_id=row.team_id, status="open").count()
        )
    assert [(-r.level, -r.index) for r in rows] == sorted((-r.level, -r.index) for r in rows)


def test_the_ranking_and_the_debt_read_the_same_debt_open_steps_not_optional(
    org_admin, twelve_teams
):
    optional = {c.key for c in maturity.load_catalogue().capabilities if c.optional}
    open_steps = list(RoadmapStep.objects.filter(team__in=twelve_teams, status="open"))
    debt = [step for step in open_steps if step.capability_key not in optional]
    assert len(debt) < len(open_steps)  # some open steps are optional, and are no debt
    oldest: dict[int, dt.datetime] = {}
    for step in debt:
        oldest[step.team_id] = min(oldest.get(step.team_id, step.first_seen), step.first_seen)
    results = selectors.latest_results(user=org_admin, filters=DashboardFilters())
    rows = selectors.ranking(results=results, filters=DashboardFilters(), limit=None)
    assert {row.team_id: row.oldest_debt for row in rows if row.oldest_debt} == oldest
    gaps = selectors.organization_open_gaps(user=org_admin, filters=DashboardFilters()).gaps
    assert sorted(gaps.values_list("pk", flat=True)) == sorted(step.pk for step in debt)


@pytest.mark.parametrize("sort", ["index", "delta", "steps", "debt", "name"])
def test_every_sort_order_lists_every_team_once(org_admin, twelve_teams, sort):
    filters = DashboardFilters(sort=sort)
    results = selectors.latest_results(user=org_admin, filters=filters)
    rows = selectors.ranking(results=results, filters=filters, limit=None)
    assert sorted(r.team_slug for r in rows) == sorted(t.slug for t in twelve_teams)
    if sort == "name":
        assert [r.team_name for r in rows] == sorted(r.team_name for r in rows)
    if sort == "steps":
        assert [r.open_steps for r in rows] == sorted((r.open_steps for r in rows), reverse=True)


def test_the_monthly_average_is_the_mean_index_of_that_months_results(
    org_admin, organization, twelve_teams
):
    by_month = {}
    for result in Result.objects.filter(assessment__team__organization=organization).select_related(
        "assessment"
    ):
        month = timezone.localtime(result.assessment.submitted_at).date().replace(day=1)
        by_month.setdefault(month, []).append(result.index)
    latest = selectors.latest_for_user(user=org_admin, filters=DashboardFilters())
    averages = selectors.index_average_by_month(
        user=org_admin, latest=latest, filters=DashboardFilters()
    )
    assert {a.month: a.index for a in averages} == {
        month: round(sum(values) / len(values), 1) for month, values in by_month.items()
    }


def test_tags_must_all_match(org_admin, organization, twelve_teams):
    team = twelve_teams[0]
    tags = tuple(team.tags.values_list("name", flat=True))
    teams = selectors.dashboard_teams(user=org_admin, filters=DashboardFilters(tags=tags))
    expected = {
        t.pk
        for t in Team.objects.filter(organization=organization)
        if set(tags) <= set(t.tags.values_list("name", flat=True))
    }
    assert set(teams.values_list("pk", flat=True)) == expected
    assert team.pk in expected


def test_the_database_sums_and_orders_the_debt_as_its_items_add_up(org_admin, twelve_teams):
    """The bills are priced in Python and summed and sorted by the database: each team's sums
    are its own gaps added up, the order is by interest then days outstanding, and a page of
    the largest gaps is that slice of the whole order."""
    from assessments.selectors import organization_debt_summary

    today = timezone.localdate()
    debt = organization_debt_summary(
        user=org_admin, filters=DashboardFilters(), catalogue=maturity.load_catalogue(), today=today
    )
    everything = debt.largest()
    assert len(everything) == debt.total.gaps > 12
    order = [(-o.item.interest, -o.item.days_outstanding) for o in everything]
    assert order == sorted(order)
    for start in range(0, len(everything), 7):
        assert debt.largest(start=start, count=5) == everything[start : start + 5]
    assert debt.largest(start=len(everything)) == []
    by_team = {}
    for owed in everything:
        gaps, interest, oldest = by_team.get(owed.team_id, (0, 0.0, 0))
        by_team[owed.team_id] = (
            gaps + 1,
            interest + owed.item.interest,
            max(oldest, owed.item.days_outstanding),
        )
    assert set(debt.by_team) == set(by_team)
    for team_id, (gaps, interest, oldest) in by_team.items():
        sums = debt.by_team[team_id]
        assert (sums.gaps, sums.oldest_days) == (gaps, oldest)
        assert sums.interest == pytest.approx(interest, abs=0.005)


def test_the_standing_counts_each_teams_exemptions_as_the_exemption_selector_does(
    org_admin, organization, twelve_teams
):
    from assessments.models import Exemption, ExemptionStatus
    from assessments.selectors import exemptions_active_count_by_team

    today = timezone.localdate()
    first, second, third = twelve_teams[:3]

    def exemption(team, capability, *, status=ExemptionStatus.APPROVED, days=30):
        Exemption.objects.create(
            team=team,
            capability_key=capability,
            reason="Does not apply.",
            expires_on=today + dt.timedelta(days=days),
            status=status,
            requested_at=timezone.now(),
            decided_at=None if status == ExemptionStatus.REQUESTED else timezone.now(),
        )

    exemption(first, "feature_store")
    exemption(first, "feature_store", days=90)  # a renewal beside it: one capability
    exemption(first, "data_versioning")
    exemption(second, "monitoring", status=ExemptionStatus.REQUESTED)  # waiting: none
    exemption(third, "monitoring", days=-1)  # expired yesterday: none
    # The teams' narrow latest rows, and their results themselves (as in a period).
    for results in (
        selectors.latest_for_user(user=org_admin, filters=DashboardFilters()).results,
        selectors.latest_results(user=org_admin, filters=DashboardFilters()),
    ):
        found = selectors.standing(results=results, exemptions_on=today).exemptions
        expected = exemptions_active_count_by_team(team_ids=results.values("team_id"), today=today)
        assert found == expected == {first.pk: 2}
        assert selectors.standing(results=results).exemptions is None


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham", "America/Los_Angeles"])
def test_the_history_gives_each_result_its_day_in_the_sites_time_zone(organization, settings, zone):
    settings.TIME_ZONE = zone
    # Submitted at 12:00 UTC: the next day in Chatham (+13:45), the same day in Los Angeles.
    teams = add_teams(organization, 2, months=3)
    history = selectors.index_history(
        team_ids=[team.pk for team in teams], filters=DashboardFilters()
    )
    local = timezone.get_default_timezone()
    for team in teams:
        results = Result.objects.filter(team=team).order_by("submitted_at", "pk")
        expected = [(r.submitted_at.astimezone(local).date(), r.index) for r in results]
        assert [(p.day, p.index) for p in history[team.pk]] == expected
        assert len(expected) == 3
