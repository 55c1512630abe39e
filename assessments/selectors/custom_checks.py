"""Reads of an organisation's own checks: its versions (org admins only), the current one a
scan applies, and a team's reading of them beside its result."""

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from ..access import UserOrAnonymous, visible_to_org_admins
from ..maturity.custom_checks import (
    ANSWER_OPTIONS,
    CheckSet,
    CustomCheck,
    check_reading,
    check_set_from_dict,
    organization_level,
)
from ..models import (
    Assessment,
    CheckAnswer,
    CheckSetVersion,
    Organization,
    Repository,
    RepositoryCheckOutcome,
    Result,
    Scan,
)

_ANSWER_LABELS = {option.key: option.label for option in ANSWER_OPTIONS}
_ANSWER_GRADES = {option.key: option.grade for option in ANSWER_OPTIONS}


def check_set_version_list() -> QuerySet[CheckSetVersion]:
    """Every version with its organisation and author, newest first, before tenancy: the
    caller narrows them to a user (the API's TeamScoped views do)."""
    return CheckSetVersion.objects.select_related("organization", "created_by").order_by(
        "organization__name", "-number"
    )


def check_set_versions_for_user(*, user: UserOrAnonymous) -> QuerySet[CheckSetVersion]:
    """The versions of the organisations the user administers; none for anyone else."""
    return visible_to_org_admins(check_set_version_list(), user)


def check_set_versions_newest_first(
    versions: QuerySet[CheckSetVersion], *, organization_id: int | OuterRef
) -> QuerySet[CheckSetVersion]:
    """The organisation's versions among `versions`, the current one first: the highest number
    is the version scans apply. The one definition of "current", also used as a subquery
    (`organization_id=OuterRef(...)`)."""
    # The stubs' lookup types do not know that an OuterRef stands for the column's value.
    return versions.filter(organization_id=organization_id).order_by("-number")  # type: ignore[misc]


def check_set_current(*, organization_id: int) -> CheckSetVersion | None:
    """The version scans apply: the organisation's highest number, or None before the first."""
    return check_set_versions_newest_first(
        CheckSetVersion.objects.all(), organization_id=organization_id
    ).first()


def check_set_versions_for_organization(
    *, user: UserOrAnonymous, organization: Organization
) -> QuerySet[CheckSetVersion]:
    """The organisation's versions, the current one first, if the user administers it; none
    otherwise."""
    return check_set_versions_newest_first(
        check_set_versions_for_user(user=user), organization_id=organization.pk
    )


def check_set_version_get_for_user(
    *, user: UserOrAnonymous, organization: Organization, number: int
) -> CheckSetVersion:
    """The organisation's version with this number, or 404 when there is none or the user
    does not administer the organisation (indistinguishable)."""
    version = (
        check_set_versions_for_organization(user=user, organization=organization)
        .filter(number=number)
        .first()
    )
    if version is None:
        raise Http404("This version of the checks does not exist.")
    return version


class SeveralOrganizations(Exception):
    """The user administers several organisations with a check set and did not say which."""


def check_set_current_for_user(
    *, user: UserOrAnonymous, organization_id: int | None
) -> CheckSetVersion | None:
    """The current version of an organisation the user administers; None before its first
    import, and for an organisation the user does not administer (indistinguishable).

    Without `organization_id`, of the one organisation whose versions the user can see;
    SeveralOrganizations when there are more."""
    versions = check_set_versions_for_user(user=user)
    if organization_id is None:
        organization_ids = list(
            versions.order_by().values_list("organization_id", flat=True).distinct()[:2]
        )
        if len(organization_ids) > 1:
            raise SeveralOrganizations
        if not organization_ids:
            return None
        (organization_id,) = organization_ids
    return check_set_versions_newest_first(versions, organization_id=organization_id).first()


def check_questions_for_organization(
    *, organization_id: int
) -> tuple[CheckSetVersion, tuple[CustomCheck, ...]] | None:
    """The current check set version and its checks that ask the team a question, in the
    set's order; None when the organisation has no such check (no extra questionnaire page)."""
    version = check_set_current(organization_id=organization_id)
    if version is None:
        return None
    questions = tuple(c for c in check_set_from_dict(version.document).checks if c.question)
    return (version, questions) if questions else None


def check_answers_for_assessment(*, assessment: Assessment) -> dict[str, CheckAnswer]:
    """The team's answers to its organisation's questions in one assessment, by check key."""
    return {
        answer.check_key: answer
        for answer in CheckAnswer.objects.filter(assessment=assessment).select_related(
            "updated_by", "check_set_version"
        )
    }


@dataclass(frozen=True)
class CheckQuestionAnswer:
    """One of the organisation's questions with the team's answer in one assessment (None
    until answered). `current` is False for an answer to a question the organisation's current
    checks no longer ask (kept, and shown, but no longer changed)."""

    check_key: str
    title: str | None
    question: str | None
    current: bool
    answer: CheckAnswer | None


def check_question_answers_for_assessment(*, assessment: Assessment) -> list[CheckQuestionAnswer]:
    """The organisation's current questions in the check set's order, each with the team's
    answer in `assessment`, then the answers to questions no longer asked, by key."""
    answers = check_answers_for_assessment(assessment=assessment)
    found = check_questions_for_organization(organization_id=assessment.team.organization_id)
    rows = [
        CheckQuestionAnswer(check.key, check.title, check.question, True, answers.pop(check.key))
        if check.key in answers
        else CheckQuestionAnswer(check.key, check.title, check.question, True, None)
        for check in (found[1] if found else ())
    ]
    rows.extend(
        CheckQuestionAnswer(key, None, None, False, answers[key]) for key in sorted(answers)
    )
    return rows


def organization_checks_for_result(*, result: Result) -> dict[str, Any] | None:
    """The team's reading of its organisation's current checks, beside its result; None when
    the organisation has no check (or none yet).

    Each check is read on the latest scan of each of the team's repositories that applied the
    current version; the rule passes for the team when one of them passes it (as evidence from
    any repository counts for the built-in capabilities). A check with a question also reads
    the team's answer in this assessment (`maturity.custom_checks.check_reading`): evidence a
    scan found wins, otherwise the answer decides; `source` says which ("scanned" or
    "answered"), and a check is unknown (None) until one of them says something.
    `level` is the organisation's reading (only when the organisation counts its checks
    towards levels): the Google level capped below the lowest level with a check not passing.
    The Google figures of the result never change."""
    team = result.assessment.team
    version = check_set_current(organization_id=team.organization_id)
    if version is None:
        return None
    check_set = check_set_from_dict(version.document)
    if not check_set.checks:
        return None
    by_check, scanned = team_check_outcomes(team_id=team.pk, version=version)
    answers = (
        check_answers_for_assessment(assessment=result.assessment)
        if any(check.question for check in check_set.checks)
        else {}
    )
    checks = checks_read(check_set, by_check, answers)
    return {
        "version": version.number,
        "counts_towards_levels": check_set.counts_towards_levels,
        "level": checks_organization_level(check_set, checks, result.overall_level),
        "scanned_repositories": len(scanned),
        "has_rules": any(check.rule is not None for check in check_set.checks),
        "checks": checks,
    }


def _latest_outcomes(
    *, team_ids: list[int], version: CheckSetVersion
) -> QuerySet[RepositoryCheckOutcome]:
    """The outcomes of the latest scan of each of the teams' repositories that applied
    `version`."""
    # Each repository's latest scan that applied this version (a correlated subquery, which
    # SQLite runs as well as PostgreSQL).
    latest_scan = (
        Scan.objects.filter(repository=OuterRef("pk"), check_outcomes__version=version)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    latest_scans = (
        Repository.objects.filter(team_id__in=team_ids)
        .annotate(latest_scan=Subquery(latest_scan))
        .values("latest_scan")
    )
    return RepositoryCheckOutcome.objects.filter(version=version, scan_id__in=latest_scans)


def rules_passed_by_team(
    *, team_ids: list[int], version: CheckSetVersion
) -> dict[int, dict[str, bool]]:
    """For each of the teams, and each check a scan of theirs applied, whether one of their
    repositories passes it on their latest scans that applied `version` (what
    `team_check_outcomes` says, without the detail), in one query for all the teams."""
    passed: dict[int, dict[str, bool]] = {}
    outcomes = (
        _latest_outcomes(team_ids=team_ids, version=version)
        .order_by()
        .values_list("scan__repository__team_id", "check_key", "passed")
    )
    for team_id, key, ok in outcomes:
        team = passed.setdefault(team_id, {})
        team[key] = team.get(key, False) or ok
    return passed


def team_check_outcomes(
    *, team_id: int, version: CheckSetVersion
) -> tuple[dict[str, list[dict[str, Any]]], set[int]]:
    """Each check's outcomes on the latest scan of each of the team's repositories that
    applied `version`, by check key, and the ids of the repositories those scans read."""
    outcomes = (
        _latest_outcomes(team_ids=[team_id], version=version)
        .select_related("scan__repository")
        .order_by("scan__repository__url", "check_key")
    )
    by_check: dict[str, list[dict[str, Any]]] = {}
    scanned = set()
    for outcome in outcomes:
        repository = outcome.scan.repository
        scanned.add(repository.pk)
        by_check.setdefault(outcome.check_key, []).append(
            {
                "repository": repository.pk,
                "repository_name": repository.display_name,
                "scan": outcome.scan_id,
                "commit": outcome.scan.commit,
                "passed": outcome.passed,
                "reason": outcome.reason,
                "path": outcome.path or None,
                "line": outcome.line,
                "url": repository.file_url(outcome.scan.commit, outcome.path, outcome.line)
                if outcome.path
                else None,
            }
        )
    return by_check, scanned


def checks_read(
    check_set: CheckSet,
    by_check: dict[str, list[dict[str, Any]]],
    answers: dict[str, CheckAnswer],
) -> list[dict[str, Any]]:
    """Every check of the set read from the scans' outcomes and the team's answers."""
    checks: list[dict[str, Any]] = []
    for check in check_set.checks:
        repositories = by_check.get(check.key, [])
        rule_passed = any(r["passed"] for r in repositories) if repositories else None
        answer = answers.get(check.key) if check.question else None
        reading = check_reading(
            check, scanned=rule_passed, answer=answer.option_key if answer else None
        )
        checks.append(
            {
                "key": check.key,
                "title": check.title,
                "dimension": check.dimension,
                "level": check.level,
                "question": check.question or None,
                "rule": check.rule.to_dict() if check.rule else None,
                "rule_text": check.rule.describe() if check.rule else None,
                "passed": reading.passed,
                "source": reading.source,
                "answer": _answer_data(answer) if answer else None,
                "repositories": repositories,
            }
        )
    return checks


def checks_organization_level(
    check_set: CheckSet, checks: list[dict[str, Any]], overall_level: int
) -> int | None:
    """The organisation's reading of the level, when it counts its checks; else None."""
    if not check_set.counts_towards_levels:
        return None
    # As the engine reads a capability: a question left unanswered holds its level back
    # (unknown counts as missing), but a rule no scan has applied yet is not visible and
    # gates nothing, or a new version, or a team without repositories, would cap everyone.
    counted = {
        check.key: check.level
        for check, read in zip(check_set.checks, checks, strict=True)
        if read["passed"] is not None or check.question
    }
    return organization_level(
        overall_level, counted, (str(c["key"]) for c in checks if c["passed"])
    )


def _answer_data(answer: CheckAnswer) -> dict[str, Any]:
    return {
        "option": answer.option_key,
        "label": _ANSWER_LABELS.get(answer.option_key, answer.option_key),
        "grade": _ANSWER_GRADES.get(answer.option_key),
        "note": answer.note,
        "check_set_version": answer.check_set_version.number,
        "updated_by": answer.updated_by.get_username() if answer.updated_by else None,
        "updated_at": answer.updated_at,
    }
