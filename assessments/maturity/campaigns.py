"""Campaign goals: what a campaign asks of each team, and whether a team has done it.

A campaign asks one thing of every team in its scope, by a deadline. Three kinds of goal:

- ``level``: the team's overall level, from its latest result, is at least N;
- ``capability``: a catalogue capability is met in the team's latest result;
- ``assessed_since``: the team submitted an assessment on or after the campaign's start.

Each team is then *done*, *not yet* or *exempt*: a team with an approved exemption in force
from the goal's capability is exempt, since an org admin already agreed the capability does
not apply to it. Exemptions say nothing about levels or assessments, so only capability goals
have exempt teams.

Everything here reads plain facts (a team's results and exemptions as dates and keys), so the
state of a team on any past day is computed from its history the same way as today's: the
campaign's progress over time needs no table of its own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class GoalKind(StrEnum):
    LEVEL = "level"
    CAPABILITY = "capability"
    ASSESSED_SINCE = "assessed_since"


class TeamState(StrEnum):
    DONE = "done"
    NOT_YET = "not_yet"
    EXEMPT = "exempt"


# Level 0 is where every team starts: a goal of level 0 would ask nothing.
GOAL_LEVELS = (1, 2)


class InvalidGoal(ValueError):
    """A goal that cannot be evaluated; the message is one sentence for the person who set it."""


@dataclass(frozen=True)
class Goal:
    kind: GoalKind
    level: int | None = None
    capability: str | None = None

    def describe(self, capability_titles: Mapping[str, str] | None = None) -> str:
        """What the goal asks, as the end of "Each team ...": "reaches level 1"."""
        if self.kind == GoalKind.LEVEL:
            return f"reaches level {self.level}"
        if self.kind == GoalKind.CAPABILITY:
            key = self.capability or ""
            return f"meets {(capability_titles or {}).get(key, key)}"
        return "submits an assessment"

    def ask(self, capability_titles: Mapping[str, str] | None = None) -> str:
        """What the goal asks of one team, as an instruction: "reach level 1"."""
        if self.kind == GoalKind.LEVEL:
            return f"reach level {self.level}"
        if self.kind == GoalKind.CAPABILITY:
            key = self.capability or ""
            return f"meet {(capability_titles or {}).get(key, key)}"
        return "submit an assessment"


def goal_validated(
    kind: str, *, level: int | None, capability: str | None, capability_keys: Iterable[str]
) -> Goal:
    """The goal, or InvalidGoal saying in one sentence what is wrong with its parameters."""
    try:
        goal_kind = GoalKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in GoalKind)
        raise InvalidGoal(f"There is no goal kind '{kind}'; choose one of {known}.") from None
    if goal_kind == GoalKind.LEVEL:
        if level not in GOAL_LEVELS:
            raise InvalidGoal("A level goal needs the level to reach: 1 or 2.")
        return Goal(kind=goal_kind, level=level)
    if goal_kind == GoalKind.CAPABILITY:
        if not capability:
            raise InvalidGoal("A capability goal needs the capability to meet.")
        if capability not in frozenset(capability_keys):
            raise InvalidGoal(
                f"There is no capability '{capability}' in the catalogue; choose one of its "
                "capabilities."
            )
        return Goal(kind=goal_kind, capability=capability)
    return Goal(kind=goal_kind)


@dataclass(frozen=True)
class ResultFacts:
    """What a goal reads of one result: when it was submitted, its level, what it meets."""

    submitted_on: date
    overall_level: int
    met: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExemptionSpan:
    """An approved exemption from `capability`, in force from `first_day` to `last_day`."""

    capability: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class TeamHistory:
    """A team's results (oldest first) and approved exemptions: enough to tell its state on
    any day."""

    results: tuple[ResultFacts, ...] = ()
    exemptions: tuple[ExemptionSpan, ...] = ()
    _days: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.results, key=lambda r: r.submitted_on))
        object.__setattr__(self, "results", ordered)
        object.__setattr__(self, "_days", tuple(r.submitted_on for r in ordered))

    def latest_on(self, day: date) -> ResultFacts | None:
        """The latest result submitted on or before `day`."""
        position = bisect_right(self._days, day)
        return self.results[position - 1] if position else None

    def exempted_on(self, day: date) -> frozenset[str]:
        return frozenset(e.capability for e in self.exemptions if e.first_day <= day <= e.last_day)


def team_state(goal: Goal, history: TeamHistory, *, day: date, since: date) -> TeamState:
    """Where the team stands on `day` for a goal set on `since` (the campaign's start)."""
    latest = history.latest_on(day)
    if goal.kind == GoalKind.ASSESSED_SINCE:
        done = latest is not None and latest.submitted_on >= since
        return TeamState.DONE if done else TeamState.NOT_YET
    if goal.kind == GoalKind.LEVEL:
        assert goal.level is not None
        done = latest is not None and latest.overall_level >= goal.level
        return TeamState.DONE if done else TeamState.NOT_YET
    assert goal.capability is not None
    if latest is not None and goal.capability in latest.met:
        return TeamState.DONE
    if goal.capability in history.exempted_on(day):
        return TeamState.EXEMPT
    return TeamState.NOT_YET


def is_late(state: TeamState, *, today: date, deadline: date) -> bool:
    """Past the deadline (the deadline is the last day to do it) and not done or exempt."""
    return state == TeamState.NOT_YET and today > deadline


def in_scope(
    team_tags: Iterable[str],
    team_criticality: str | None,
    *,
    tags: Sequence[str],
    criticalities: Sequence[str],
) -> bool:
    """Whether a campaign applies to a team: it has one of the campaign's tags (when it names
    any) and its latest answer on business criticality is one of the campaign's (when it names
    any). A campaign naming neither applies to every team of its organisation. A team never
    assessed has no criticality, so a campaign by criticality leaves it out."""
    if tags and not set(tags).intersection(team_tags):
        return False
    return not criticalities or team_criticality in criticalities


@dataclass(frozen=True)
class DayCounts:
    day: date
    done: int
    not_yet: int
    exempt: int


def progress_by_day(
    goal: Goal,
    histories: Iterable[TeamHistory],
    *,
    since: date,
    until: date,
    step: timedelta = timedelta(days=1),
) -> list[DayCounts]:
    """How many teams were done, not yet and exempt on each day from `since` to `until`
    (both included, every `step`), for the teams in scope today."""
    teams = list(histories)
    days: list[date] = []
    day = since
    while day <= until:
        days.append(day)
        day += step
    if days and days[-1] != until:
        days.append(until)
    series = []
    for day in days:
        states = [team_state(goal, history, day=day, since=since) for history in teams]
        series.append(
            DayCounts(
                day=day,
                done=states.count(TeamState.DONE),
                not_yet=states.count(TeamState.NOT_YET),
                exempt=states.count(TeamState.EXEMPT),
            )
        )
    return series


def reminder_due(
    state: TeamState, *, today: date, deadline: date, lead: timedelta
) -> tuple[str, str] | None:
    """The reminder a team not yet done is owed today, as (kind, period), or None.

    In the `lead` days up to the deadline a team is reminded once per ISO week ("before the
    deadline"); after it, once per ISO week until it is done ("late"). The period names the
    week, so a task running every hour sends each reminder once.
    """
    if state != TeamState.NOT_YET:
        return None
    year, week, _ = today.isocalendar()
    period = f"{year}-W{week:02d}"
    if today > deadline:
        return ("late", period)
    if deadline - today <= lead:
        return ("before_deadline", period)
    return None
