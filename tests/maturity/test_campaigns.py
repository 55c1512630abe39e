"""Campaign goals as plain data: a team's state on a day, scope, lateness, reminders."""

from datetime import date, timedelta

import pytest

from assessments.maturity.campaigns import (
    ExemptionSpan,
    Goal,
    GoalKind,
    InvalidGoal,
    ResultFacts,
    TeamHistory,
    TeamState,
    goal_validated,
    in_scope,
    is_late,
    progress_by_day,
    reminder_due,
    team_state,
)

START = date(2026, 1, 5)
KEYS = {"data_validation", "ci"}

LEVEL_1 = Goal(kind=GoalKind.LEVEL, level=1)
VALIDATION = Goal(kind=GoalKind.CAPABILITY, capability="data_validation")
ASSESSED = Goal(kind=GoalKind.ASSESSED_SINCE)


def _history(*results, exemptions=()):
    return TeamHistory(results=tuple(results), exemptions=tuple(exemptions))


@pytest.mark.parametrize(
    ("goal", "history", "day", "state"),
    [
        (LEVEL_1, _history(), START, TeamState.NOT_YET),
        (LEVEL_1, _history(ResultFacts(date(2025, 12, 1), 1)), START, TeamState.DONE),
        (LEVEL_1, _history(ResultFacts(date(2025, 12, 1), 0)), START, TeamState.NOT_YET),
        # A later result at level 0 undoes it: the latest result counts.
        (
            LEVEL_1,
            _history(ResultFacts(date(2025, 12, 1), 1), ResultFacts(date(2026, 1, 3), 0)),
            START,
            TeamState.NOT_YET,
        ),
        # A result submitted after the day does not count yet.
        (LEVEL_1, _history(ResultFacts(date(2026, 2, 1), 2)), START, TeamState.NOT_YET),
        (ASSESSED, _history(ResultFacts(date(2026, 1, 4), 2)), date(2026, 3, 1), TeamState.NOT_YET),
        (ASSESSED, _history(ResultFacts(START, 0)), START, TeamState.DONE),
        (
            VALIDATION,
            _history(ResultFacts(date(2026, 1, 1), 0, frozenset({"data_validation"}))),
            START,
            TeamState.DONE,
        ),
        (VALIDATION, _history(ResultFacts(date(2026, 1, 1), 2)), START, TeamState.NOT_YET),
        (
            VALIDATION,
            _history(exemptions=[ExemptionSpan("data_validation", START, date(2026, 2, 1))]),
            date(2026, 1, 10),
            TeamState.EXEMPT,
        ),
        # An expired exemption no longer counts, nor one from another capability.
        (
            VALIDATION,
            _history(exemptions=[ExemptionSpan("data_validation", START, date(2026, 2, 1))]),
            date(2026, 2, 2),
            TeamState.NOT_YET,
        ),
        (
            VALIDATION,
            _history(exemptions=[ExemptionSpan("ci", START, date(2026, 2, 1))]),
            date(2026, 1, 10),
            TeamState.NOT_YET,
        ),
        # Exemptions say nothing about levels.
        (
            LEVEL_1,
            _history(exemptions=[ExemptionSpan("data_validation", START, date(2026, 2, 1))]),
            date(2026, 1, 10),
            TeamState.NOT_YET,
        ),
    ],
)
def test_a_team_state_follows_its_latest_result_and_exemptions(goal, history, day, state):
    assert team_state(goal, history, day=day, since=START) == state


@pytest.mark.parametrize(
    ("kind", "level", "capability", "message"),
    [
        ("badge", None, None, "There is no goal kind 'badge'"),
        ("level", None, None, "A level goal needs the level to reach: 1 or 2."),
        ("level", 3, None, "A level goal needs the level to reach: 1 or 2."),
        ("level", 0, None, "A level goal needs the level to reach: 1 or 2."),
        ("capability", None, "", "A capability goal needs the capability to meet."),
        ("capability", None, "telepathy", "There is no capability 'telepathy' in the catalogue"),
    ],
)
def test_a_bad_goal_is_refused_in_one_sentence(kind, level, capability, message):
    with pytest.raises(InvalidGoal) as error:
        goal_validated(kind, level=level, capability=capability, capability_keys=KEYS)
    assert str(error.value).startswith(message)
    assert str(error.value).count(". ") == 0


def test_a_good_goal_keeps_only_its_own_parameter():
    assert goal_validated("level", level=2, capability="ci", capability_keys=KEYS) == Goal(
        kind=GoalKind.LEVEL, level=2
    )
    assert goal_validated("capability", level=1, capability="ci", capability_keys=KEYS) == Goal(
        kind=GoalKind.CAPABILITY, capability="ci"
    )
    assert goal_validated("assessed_since", level=1, capability="ci", capability_keys=KEYS) == (
        Goal(kind=GoalKind.ASSESSED_SINCE)
    )


@pytest.mark.parametrize(
    ("tags", "criticality", "campaign_tags", "campaign_criticalities", "expected"),
    [
        ([], None, [], [], True),
        (["unit:payments"], None, ["unit:payments", "unit:search"], [], True),
        (["unit:search"], "critical", ["unit:payments"], [], False),
        ([], "critical", [], ["critical"], True),
        ([], None, [], ["critical"], False),
        (["unit:payments"], "non_critical", ["unit:payments"], ["critical"], False),
        (["unit:payments"], "critical", ["unit:payments"], ["critical"], True),
    ],
)
def test_scope_is_any_tag_and_any_criticality(
    tags, criticality, campaign_tags, campaign_criticalities, expected
):
    assert (
        in_scope(tags, criticality, tags=campaign_tags, criticalities=campaign_criticalities)
        is expected
    )


def test_late_is_past_the_deadline_and_not_done():
    deadline = date(2026, 3, 31)
    assert not is_late(TeamState.NOT_YET, today=deadline, deadline=deadline)
    assert is_late(TeamState.NOT_YET, today=deadline + timedelta(days=1), deadline=deadline)
    assert not is_late(TeamState.DONE, today=date(2026, 5, 1), deadline=deadline)
    assert not is_late(TeamState.EXEMPT, today=date(2026, 5, 1), deadline=deadline)


def test_progress_by_day_counts_every_day_from_the_history():
    histories = [
        _history(ResultFacts(date(2026, 1, 6), 1)),
        _history(ResultFacts(date(2026, 1, 1), 1)),
        _history(),
    ]
    series = progress_by_day(LEVEL_1, histories, since=START, until=date(2026, 1, 7))
    assert [(c.day.day, c.done, c.not_yet, c.exempt) for c in series] == [
        (5, 1, 2, 0),
        (6, 2, 1, 0),
        (7, 2, 1, 0),
    ]


def test_progress_by_week_still_ends_on_the_last_day():
    series = progress_by_day(
        ASSESSED, [], since=START, until=date(2026, 1, 20), step=timedelta(days=7)
    )
    assert [c.day.day for c in series] == [5, 12, 19, 20]


@pytest.mark.parametrize(
    ("today", "state", "expected"),
    [
        (date(2026, 3, 1), TeamState.NOT_YET, None),
        (date(2026, 3, 20), TeamState.NOT_YET, ("before_deadline", "2026-W12")),
        (date(2026, 3, 31), TeamState.NOT_YET, ("before_deadline", "2026-W14")),
        (date(2026, 4, 1), TeamState.NOT_YET, ("late", "2026-W14")),
        (date(2026, 4, 1), TeamState.DONE, None),
        (date(2026, 4, 1), TeamState.EXEMPT, None),
    ],
)
def test_reminders_are_owed_once_per_week_before_and_after_the_deadline(today, state, expected):
    deadline = date(2026, 3, 31)
    assert reminder_due(state, today=today, deadline=deadline, lead=timedelta(days=14)) == (
        expected
    )
