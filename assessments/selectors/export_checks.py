"""The organisation-check columns of the results export: each result's reading of its
organisation's current checks, as the result's `organization_checks` gives it.

The export streams its rows in team order, a result's rows together, so the reading is made
once per result from what is kept for a window of the organisation's next teams (whether their
repositories pass each rule, and their answers): two queries per `WINDOW_TEAMS` teams of an
organisation with checks, one small query in all otherwise, and memory bounded by the window,
not the export.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from ..maturity.custom_checks import CheckSet, check_reading, check_set_from_dict
from ..models import CheckAnswer, CheckSetVersion, Team
from .custom_checks import checks_organization_level, rules_passed_by_team

WINDOW_TEAMS = 50
NO_CHECKS: tuple[None, None, None, None] = (None, None, None, None)


@dataclass(frozen=True)
class ResultChecks:
    """One result's columns: passed, failed and unknown counts and the organisation's level
    (all None when the organisation has no checks), and the JSON-only list of checks."""

    counts_and_level: tuple[int | None, int | None, int | None, int | None]
    checks: list[dict[str, Any]]


@dataclass
class _TeamChecks:
    rules_passed: dict[str, bool]
    # {assessment id: {check key: (option, note)}}
    answers: dict[int, dict[str, tuple[str, str]]] = field(default_factory=dict)


@dataclass
class _OrganizationChecks:
    version: CheckSetVersion
    check_set: CheckSet
    questions: list[str]
    team_order: list[int] | None = None  # the organisation's team ids, by slug as the rows
    window: dict[int, _TeamChecks] = field(default_factory=dict)


class ExportCheckReader:
    """Reads each row's result against its organisation's current checks; one reader per
    export, fed the rows in the export's order."""

    def __init__(self) -> None:
        # Which organisations (by slug) have checks, and their current version's number: one
        # small query, so organisations without checks cost nothing more.
        self._numbers = dict(
            CheckSetVersion.objects.values("organization__slug")
            .annotate(latest=Max("number"))
            .values_list("organization__slug", "latest")
        )
        self._organizations: dict[str, _OrganizationChecks | None] = {}
        self._last: tuple[int, ResultChecks] | None = None

    def _organization(self, slug: str) -> _OrganizationChecks | None:
        if slug not in self._organizations:
            number = self._numbers.get(slug)
            found = None
            if number is not None:
                version = CheckSetVersion.objects.get(organization__slug=slug, number=number)
                check_set = check_set_from_dict(version.document)
                if check_set.checks:
                    questions = [check.key for check in check_set.checks if check.question]
                    found = _OrganizationChecks(version, check_set, questions)
            self._organizations[slug] = found
        return self._organizations[slug]

    def _team(self, organization: _OrganizationChecks, team_id: int) -> _TeamChecks:
        """The team's kept rows, loading the window of the organisation's teams from it on."""
        if team_id in organization.window:
            return organization.window[team_id]
        if organization.team_order is None:
            organization.team_order = list(
                Team.objects.filter(organization_id=organization.version.organization_id)
                .order_by("slug")
                .values_list("pk", flat=True)
            )
        order = organization.team_order
        # A team made while the export runs is not in the list: then it is read on its own.
        start = order.index(team_id) if team_id in order else None
        team_ids = [team_id] if start is None else order[start : start + WINDOW_TEAMS]
        rules = rules_passed_by_team(team_ids=team_ids, version=organization.version)
        organization.window = {pk: _TeamChecks(rules.get(pk, {})) for pk in team_ids}
        if organization.questions:
            answers = (
                CheckAnswer.objects.filter(
                    assessment__team_id__in=team_ids, check_key__in=organization.questions
                )
                .order_by()
                .values_list(
                    "assessment__team_id", "assessment_id", "check_key", "option_key", "note"
                )
            )
            for owner, assessment_id, key, option, note in answers:
                kept = organization.window[owner].answers.setdefault(assessment_id, {})
                kept[key] = (option, note)
        return organization.window[team_id]

    def for_result(
        self, *, organization: str, team_id: int, assessment_id: int, overall_level: int
    ) -> ResultChecks:
        if self._last is not None and self._last[0] == assessment_id:
            return self._last[1]
        found = self._organization(organization)
        if found is None:
            reading = ResultChecks(NO_CHECKS, [])
        else:
            team = self._team(found, team_id)
            reading = _read(
                found.check_set,
                team.rules_passed,
                team.answers.get(assessment_id, {}),
                overall_level,
            )
        self._last = (assessment_id, reading)
        return reading


def _read(
    check_set: CheckSet,
    rules_passed: dict[str, bool],
    answers: dict[str, tuple[str, str]],
    overall_level: int,
) -> ResultChecks:
    """As `custom_checks.checks_read` reads each check, from the kept rows alone."""
    checks: list[dict[str, Any]] = []
    for check in check_set.checks:
        option, note = answers.get(check.key, (None, None)) if check.question else (None, None)
        read = check_reading(check, scanned=rules_passed.get(check.key), answer=option)
        checks.append(
            {
                "key": check.key,
                "dimension": check.dimension,
                "level": check.level,
                "passed": read.passed,
                "source": read.source,
                "answer": option,
                "answer_note": note,
            }
        )
    passed = [read["passed"] for read in checks]
    return ResultChecks(
        (
            passed.count(True),
            passed.count(False),
            passed.count(None),
            checks_organization_level(check_set, checks, overall_level),
        ),
        checks,
    )
