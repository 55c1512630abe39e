"""Reads about connected repositories and their scans."""

from django.db.models import OuterRef, Subquery
from django.http import Http404

from ..access import visible_to
from ..models import Repository, Scan, Team


def repository_list_for_team(*, team: Team) -> list[Repository]:
    """The team's repositories, each with its latest scan (two queries in all)."""
    repositories = list(Repository.objects.filter(team=team).order_by("url", "branch"))
    latest_ids = (
        Repository.objects.filter(team=team)
        .annotate(
            latest=Subquery(
                Scan.objects.filter(repository=OuterRef("pk"))
                .order_by("-queued_at", "-pk")
                .values("pk")[:1]
            )
        )
        .values("latest")
    )
    latest = {
        scan.repository_id: scan
        for scan in Scan.objects.filter(pk__in=latest_ids).defer("findings")
    }
    for repository in repositories:
        repository.last_scan = latest.get(repository.pk)
    return repositories


def repository_get_for_user(*, user, repository_id: int) -> Repository:
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
    return list(repository.scans.order_by("-queued_at", "-pk")[:limit])
