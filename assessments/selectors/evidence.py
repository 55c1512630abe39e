"""Reads of the evidence the repository scans found, as the engine and questionnaire use it."""

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.db.models import Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from .. import maturity
from ..compiled_queries import CompiledQuery
from ..models import Repository, Scan, ScanStatus, Team


def _latest_successful(repository: Any) -> QuerySet[Scan]:
    """The repository's successful scans, latest first (`repository` an id or an OuterRef)."""
    return Scan.objects.filter(
        repository=repository, status__in=[ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED]
    ).order_by("-finished_at", "-pk")


def _holding_findings(scans: QuerySet[Scan]) -> QuerySet[Scan]:
    """The scans that hold the findings of `scans` (a rescan of a commit seen before points at
    that commit's scan), inconclusive ones left out."""
    result_scans = scans.order_by().values(result_scan=Coalesce("same_as_id", "pk"))
    return Scan.objects.filter(pk__in=result_scans).exclude(report__inconclusive=True)


def _latest_conclusive(team_id: int) -> QuerySet[Scan]:
    """Each repository's latest successful scan, as the scan that holds its findings;
    inconclusive ones are left out."""
    latest = Repository.objects.filter(team_id=team_id).values(
        latest_scan=Subquery(_latest_successful(OuterRef("pk")).values("pk")[:1])
    )
    return _holding_findings(Scan.objects.filter(pk__in=latest))


# A scan as the evidence hints know it: its id, and its finish time as the database writes it,
# which also tells it from a scan that took its id after a rolled-back transaction.
ScanIdentity = tuple[int, str]


def latest_scans(team_id: str) -> Func:
    """Each repository's latest successful scan, for the outer query's `team_id`, as one text
    that `scans_from` reads back: the questionnaire reads them in its one query of the page's
    assessment, and its evidence hints by them from `evidence_hints_for_scans`."""
    latest = _latest_successful(OuterRef("pk")).annotate(
        scan=Concat(
            Cast("pk", TextField()),
            Value(" "),
            Cast("finished_at", TextField()),
            output_field=TextField(),
        )
    )
    scans = (
        Repository.objects.filter(team_id=OuterRef(team_id))
        .order_by()
        .values(scan=Subquery(latest.values("scan")[:1]))
    )
    return _Joined(Subquery(scans))


def scans_from(joined: str | None) -> tuple[ScanIdentity, ...]:
    """The scans `latest_scans` joined, in one order whatever the database's."""
    found = (item.split(" ", 1) for item in (joined or "").split(",") if item)
    return tuple(sorted((int(scan_id), finished_at) for scan_id, finished_at in found))


class _Joined(Func):
    """A subquery's texts (ids and times: no commas) joined by commas: PostgreSQL gathers them
    in an array, SQLite with GROUP_CONCAT (in the order its rows come: `scans_from` sorts).
    Both leave out the NULL of a repository without a successful scan."""

    output_field = TextField()
    template = "ARRAY_TO_STRING(ARRAY%(expressions)s, ',')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(SELECT GROUP_CONCAT(scan, ',') FROM %(expressions)s)",
            **extra,
        )


def _latest_conclusive_scans(team: Team) -> list[Scan]:
    """`_latest_conclusive` with each scan's repository, in one query."""
    return list(_latest_conclusive(team.pk).select_related("repository").defer("report"))


_LATEST_FINDINGS = CompiledQuery(
    lambda team_id: _latest_conclusive(team_id).values_list("findings")
)


def evidence_hints_for_scans(
    scans: tuple[ScanIdentity, ...],
) -> Mapping[str, maturity.Evidence]:
    """The strongest finding per capability in the findings of these scans (as `latest_scans`
    reads them), to show beside the questions: read once per process for each set of scans
    and shared by every page that shows them (so read only). A successful scan is never
    changed once stored, nor is the scan it points at, and a new scan of any of the team's
    repositories changes the set, so the set alone says which findings these are."""
    return _evidence_hints(scans) if scans else MappingProxyType({})


def evidence_hints_forget() -> None:
    """Forget the hints kept so far (for a database restored, or emptied, under a running
    process, whose scans may take ids seen before)."""
    _evidence_hints.cache_clear()


@functools.lru_cache(maxsize=1024)
def _evidence_hints(scans: tuple[ScanIdentity, ...]) -> Mapping[str, maturity.Evidence]:
    latest = Scan.objects.filter(pk__in=[scan_id for scan_id, _ in scans])
    found = _holding_findings(latest).values_list("findings", flat=True)
    rank = {strength: i for i, strength in enumerate(reversed(maturity.STRENGTHS))}
    best: dict[str, maturity.Evidence] = {}
    for finding in (maturity.Evidence.from_dict(f) for findings in found for f in findings):
        current = best.get(finding.capability)
        if current is None or (finding.grade, rank.get(finding.strength, -1)) > (
            current.grade,
            rank.get(current.strength, -1),
        ):
            best[finding.capability] = finding
    return MappingProxyType(best)


def evidence_for_team(team: Team) -> list[maturity.Evidence] | None:
    """Findings of each repository's latest conclusive scan; None when there is none.

    None (no scan) and [] (scanned, nothing found) mean different things to the engine: only a
    scan that happened can contradict a claim. A rescan of a commit seen before points at that
    commit's stored findings, so going back to an earlier commit brings its evidence back.
    """
    # Only the findings, compiled once: every result computed reads them (each submission, and
    # each recomputation after a scan).
    findings = [found for (found,) in _LATEST_FINDINGS.rows(team_id=team.pk)]
    if not findings:
        return None
    return [maturity.Evidence.from_dict(finding) for found in findings for finding in found]


def evidence_sources_for_team(team: Team) -> list[tuple[maturity.Evidence, dict[str, str | None]]]:
    """Each finding of the team's latest conclusive scans with where it comes from (the
    repository's name, the scanned commit, a link to the file on the forge when known), to
    say where a suggested answer comes from."""
    found: list[tuple[maturity.Evidence, dict[str, str | None]]] = []
    for scan in _latest_conclusive_scans(team):
        repository, commit = scan.repository, scan.commit or ""
        for finding in scan.findings:
            evidence = maturity.Evidence.from_dict(finding)
            where: dict[str, str | None] = {
                "repository": repository.display_name,
                "commit": commit,
                "url": repository.file_url(commit, evidence.path, evidence.line),
            }
            found.append((evidence, where))
    return found


def recent_scan_coverage(
    team: Team, *, now: datetime | None = None
) -> tuple[bool, frozenset[str] | None]:
    """Whether a conclusive scan of the team's repositories is recent enough to contradict,
    and the dimensions those repositories hold (None: the whole system).

    A claim without evidence is only a contradiction while the evidence describes the code as
    it is, and only about a part of the system a scanned repository holds; an old scan still
    grades capabilities but proves nothing missing.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.SCAN_CONTRADICTS_DAYS)
    holds: list[list[str]] = list(
        Repository.objects.filter(
            team=team,
            scans__status__in=[ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED],
            scans__report__inconclusive=False,
            scans__finished_at__gte=since,
        ).values_list("holds", flat=True)
    )
    if not holds:
        return False, None
    if any(not parts for parts in holds):
        return True, None
    return True, frozenset(part for parts in holds for part in parts)
