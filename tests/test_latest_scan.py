"""Which scan is a repository's latest, and a team's: one order, read alone, as a subquery and
as a prefetch."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Repository, Scan, Team
from assessments.selectors import repository_list_for_team
from assessments.selectors.repositories import (
    latest_scan_subquery,
    repository_list_with_latest_scan,
)

from .factories import TeamFactory


def scan(repository, *, hours_ago, at=None):
    return Scan.objects.create(
        repository=repository,
        status="succeeded",
        commit=f"{Scan.objects.count():040x}",
        queued_at=at or timezone.now() - timedelta(hours=hours_ago),
    )


def test_every_reader_agrees_on_the_latest_scan(team):
    first = Repository.objects.create(team=team, url="https://github.com/acme/a.git")
    second = Repository.objects.create(team=team, url="https://github.com/acme/b.git")
    never = Repository.objects.create(team=team, url="https://github.com/acme/c.git")
    scan(first, hours_ago=5)
    moment = timezone.now() - timedelta(hours=2)
    scan(first, hours_ago=2, at=moment)
    latest_of_first = scan(first, hours_ago=2, at=moment)  # a tie goes to the last saved
    scan(second, hours_ago=9)
    latest_of_second = scan(second, hours_ago=1)
    other = Repository.objects.create(team=TeamFactory(), url="https://github.com/acme/d.git")
    scan(other, hours_ago=0)

    expected = {first.pk: latest_of_first.pk, second.pk: latest_of_second.pk, never.pk: None}
    annotated = Repository.objects.filter(team=team).annotate(latest=latest_scan_subquery())
    assert dict(annotated.values_list("pk", "latest")) == expected
    listed = {row.repository.pk: row.last_scan for row in repository_list_for_team(team=team)}
    assert {pk: s.pk if s else None for pk, s in listed.items()} == expected
    prefetched = repository_list_with_latest_scan().filter(team=team)
    assert {r.pk: [s.pk for s in r.latest_scans] for r in prefetched} == {
        pk: [latest] if latest else [] for pk, latest in expected.items()
    }
    teams = Team.objects.annotate(last=latest_scan_subquery(outer="repository__team"))
    assert teams.get(pk=team.pk).last == latest_of_second.pk
