"""The organisation-check columns of the results export: each result's reading of its
organisation's current checks, as the result's `organization_checks` gives it.

The export streams its rows in team order and a result's rows together, so the reading is made
once per result from what is kept for the current team only (its scans' outcomes and its
assessments' answers): a fixed number of queries per team and per organisation with checks,
one query for the whole export otherwise, and memory that does not grow with the export.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from ..maturity.custom_checks import CheckSet, check_set_from_dict
from ..models import CheckAnswer, CheckSetVersion
from .custom_checks import checks_organization_level, checks_read, team_check_outcomes

NO_CHECKS: tuple[None, None, None, None] = (None, None, None, None)


@dataclass(frozen=True)
class ResultChecks:
    """One result's columns: passed, failed and unknown counts and the organisation's level
    (all None when the organisation has no checks), and the JSON-only list of checks."""

    counts_and_level: tuple[int | None, int | None, int | None, int | None]
    checks: list[dict[str, Any]]


def _check_entry(read: dict[str, Any]) -> dict[str, Any]:
    answer = read["answer"]
    return {
        "key": read["key"],
        "dimension": read["dimension"],
        "level": read["level"],
        "passed": read["passed"],
        "source": read["source"],
        "answer": answer["option"] if answer else None,
        "answer_note": answer["note"] if answer else None,
    }


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
        self._versions: dict[str, tuple[CheckSetVersion, CheckSet] | None] = {}
        self._team_id: int | None = None
        self._outcomes: dict[str, list[dict[str, Any]]] = {}
        self._answers: dict[int, dict[str, CheckAnswer]] = {}
        self._last: tuple[int, ResultChecks] | None = None

    def _version(self, organization: str) -> tuple[CheckSetVersion, CheckSet] | None:
        if organization not in self._versions:
            number = self._numbers.get(organization)
            found = None
            if number is not None:
                version = CheckSetVersion.objects.get(
                    organization__slug=organization, number=number
                )
                check_set = check_set_from_dict(version.document)
                found = (version, check_set) if check_set.checks else None
            self._versions[organization] = found
        return self._versions[organization]

    def _load_team(self, team_id: int, version: CheckSetVersion, check_set: CheckSet) -> None:
        self._team_id = team_id
        self._outcomes, _ = team_check_outcomes(team_id=team_id, version=version)
        self._answers = {}
        if any(check.question for check in check_set.checks):
            answers = CheckAnswer.objects.filter(assessment__team_id=team_id).select_related(
                "updated_by", "check_set_version"
            )
            for answer in answers:
                self._answers.setdefault(answer.assessment_id, {})[answer.check_key] = answer

    def for_result(
        self, *, organization: str, team_id: int, assessment_id: int, overall_level: int
    ) -> ResultChecks:
        if self._last is not None and self._last[0] == assessment_id:
            return self._last[1]
        found = self._version(organization)
        if found is None:
            reading = ResultChecks(NO_CHECKS, [])
        else:
            version, check_set = found
            if team_id != self._team_id:
                self._load_team(team_id, version, check_set)
            checks = checks_read(check_set, self._outcomes, self._answers.get(assessment_id, {}))
            passed = [read["passed"] for read in checks]
            reading = ResultChecks(
                (
                    passed.count(True),
                    passed.count(False),
                    passed.count(None),
                    checks_organization_level(check_set, checks, overall_level),
                ),
                [_check_entry(read) for read in checks],
            )
        self._last = (assessment_id, reading)
        return reading
