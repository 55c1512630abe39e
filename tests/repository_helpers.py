"""Connecting a repository in a test, with the first scan it queues run before the call returns."""

from assessments.services.repositories import repository_connect


def connect(team, lead, path, capture, **extra):
    """`lead` connects `path` for `team`; `capture` is django_capture_on_commit_callbacks."""
    with capture(execute=True):
        return repository_connect(team=team, user=lead, url=str(path), **extra)
