"""Reads about connected repositories and their scans."""

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from ..access import UserOrAnonymous, visible_to
from ..models import Repository, Scan, Team


@dataclass(frozen=True)
class RepositoryWithLastScan:
    """A repository as the team page lists it, with its latest scan (None: never scanned)."""

    repository: Repository
    last_scan: Scan | None


def scans_newest_first() -> QuerySet[Scan]:
    """Every scan, newest first: the one order that says which scan is a repository's latest."""
    return Scan.objects.order_by("-queued_at", "-pk")


def latest_scan_subquery(column: str = "pk", *, outer: str = "repository") -> Subquery:
    """`column` of the latest scan of the outer query's row, as a subquery. The row is a
    repository, or, with `outer="repository__team"`, a team: the latest scan of any of its
    repositories."""
    return Subquery(scans_newest_first().filter(**{outer: OuterRef("pk")}).values(column)[:1])


def repository_list_for_team(*, team: Team) -> list[RepositoryWithLastScan]:
    """The team's repositories, each with its latest scan (two queries in all)."""
    repositories = Repository.objects.filter(team=team).order_by("url", "branch")
    latest_ids = (
        Repository.objects.filter(team=team)
        .annotate(latest=latest_scan_subquery())
        .values("latest")
    )
    latest = {
        scan.repository_id: scan
        for scan in Scan.objects.filter(pk__in=latest_ids).defer("findings")
    }
    return [
        RepositoryWithLastScan(repository=repository, last_scan=latest.get(repository.pk))
        for repository in repositories
    ]


def repository_list_with_latest_scan() -> QuerySet[Repository]:
    """Every repository with its team and its latest scan (`latest_scans`, a list of at most
    one), by address, in a fixed number of queries however many there are. Not narrowed to a
    user: the caller applies tenancy (the API's TeamScoped views do)."""
    latest = scans_newest_first().defer("report", "findings")[:1]
    return (
        Repository.objects.select_related("team")
        .prefetch_related(Prefetch("scans", queryset=latest, to_attr="latest_scans"))
        .order_by("url", "branch", "id")
    )


def repository_get_for_user(*, user: UserOrAnonymous, repository_id: int) -> Repository:
    try:
        return (
            visible_to(Repository.objects.all(), user).select_related("team").get(pk=repository_id)
        )
    except Repository.DoesNotExist:
        raise Http404("No such repository.") from None


def repository_get_unscoped(*, repository_id: int) -> Repository:
    """The repository whoever asks, or 404: for the push webhook, whose signature (checked
    against the repository's own secret) authenticates the caller instead of a user."""
    try:
        return Repository.objects.get(pk=repository_id)
    except Repository.DoesNotExist:
        raise Http404("No such repository.") from None


def scan_list_for_repository(*, repository: Repository, limit: int = 20) -> list[Scan]:
    """The repository's latest scans, newest first, with their reports, for its page."""
    return list(repository.scans.order_by("-queued_at", "-pk")[:limit])


def scan_list(
    *, repository_id: int | None = None, status: str | None = None, with_report: bool = False
) -> QuerySet[Scan]:
    """Every scan (of this repository, with this status, if given), newest first. A report can
    be large, so only `with_report` carries it; the findings, which the report repeats, never.
    Not narrowed to a user: the caller applies tenancy (the API's TeamScoped views do)."""
    scans = scans_newest_first()
    if repository_id is not None:
        scans = scans.filter(repository_id=repository_id)
    if status is not None:
        scans = scans.filter(status=status)
    return scans.defer("findings") if with_report else scans.defer("report", "findings")


def repository_scanned_commit(*, repository: Repository) -> str:
    """The commit of the repository's latest conclusive scan; "" before there is one."""
    scan = (
        Scan.objects.filter(repository=repository, status__in=["succeeded", "unchanged"])
        .exclude(commit="")
        .exclude(report__inconclusive=True)
        .order_by("-finished_at", "-pk")
        .only("commit")
        .first()
    )
    return scan.commit if scan else ""
