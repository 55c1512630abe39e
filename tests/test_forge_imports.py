"""Importing a forge's repositories: connect, preview (nothing created), run, re-run, the
audit log, the tokens, and the fair release of imported repositories' first scans. The forge
is a local HTTPS fake (tests/fakeforge.py); no scan ever runs here (dispatch is recorded)."""

import pytest

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import (
    AuditAction,
    AuditEvent,
    ForgeImport,
    ImportState,
    Repository,
)
from assessments.scanning.forge_mapping import comparable_url
from assessments.services.encryption import decrypt
from assessments.services.forges import (
    forge_connect,
    forge_import_run,
    forge_import_start,
    forge_preview,
)
from assessments.services.repositories import repository_connect

from .factories import TeamFactory
from .fakeforge import CLONE_HOST, FakeForge, FakeRepo, ForgeState, repos


@pytest.fixture(autouse=True)
def dispatched(monkeypatch):
    """Scans are recorded, never run: imported clone URLs point at a public address."""
    sent: list[int] = []
    monkeypatch.setattr("assessments.services.scans._dispatch", sent.append)
    return sent


@pytest.fixture
def forge(settings):
    state = ForgeState(
        kind="github",
        owner="acme",
        repos=repos(
            230,
            archived_every=10,
            fork_every=25,
            topic=lambda n: "fraud" if n % 2 else "search",
        ),
    )
    with FakeForge(state) as server:
        settings.FORGE_ALLOW_LOOPBACK = True
        settings.FORGE_CA_BUNDLE = server.ca_path
        settings.SCAN_WORKER_SLOTS = 2
        yield server


@pytest.fixture
def search_team(team):
    return TeamFactory(organization=team.organization, name="Search", slug="search")


@pytest.fixture
def connection(forge, org_admin, team):
    return forge_connect(
        organization=team.organization,
        user=org_admin,
        kind="github",
        owner="acme",
        token="ghp_s3cret",
        api_url=forge.api_url,
    )


RULES = "topic:fraud = fraud-detection\ntopic:search = search\n"


def _run(connection, user, rules=RULES):
    preview = forge_preview(connection=connection, user=user, rules=rules)
    forge_import_start(forge_import=preview, user=user)
    return forge_import_run(import_id=preview.pk)


def test_connecting_a_forge_stores_the_token_encrypted_and_records_it(connection, org_admin):
    assert connection.token_encrypted
    assert "ghp_s3cret" not in connection.token_encrypted
    assert decrypt(connection.token_encrypted) == "ghp_s3cret"
    event = AuditEvent.objects.get(action=AuditAction.FORGE_CONNECTED)
    assert event.actor == org_admin
    assert event.details["owner"] == "acme"
    assert "ghp_s3cret" not in str(event.details)


def test_only_org_admins_of_the_organisation_connect_forges(forge, team, lead, stranger_org_admin):
    for user in (lead, stranger_org_admin):
        with pytest.raises(ActionNotAllowed):
            forge_connect(
                organization=team.organization,
                user=user,
                kind="github",
                owner="acme",
                token="t",
                api_url=forge.api_url,
            )


@pytest.mark.parametrize(
    ("api_url", "sentence"),
    [
        ("http://api.github.com", "Only https:// API addresses are accepted, not 'http:'."),
        (
            "https://x:y@api.github.com",
            "User names or passwords in the API address are not accepted; give the token "
            "separately.",
        ),
        (
            "https://10.0.0.5/api/v4",
            "The address 10.0.0.5 is a private address; only public addresses are allowed.",
        ),
        (
            "https://127.0.0.1:8443",
            "The address 127.0.0.1 is a loopback address; only public addresses are allowed.",
        ),
    ],
)
def test_unsafe_api_addresses_are_refused_like_repository_urls(team, org_admin, api_url, sentence):
    with pytest.raises(ApplicationError) as refused:
        forge_connect(
            organization=team.organization,
            user=org_admin,
            kind="gitlab",
            owner="acme",
            token="t",
            api_url=api_url,
        )
    assert refused.value.message == sentence


def test_a_preview_creates_nothing_and_says_what_would_happen(connection, org_admin, search_team):
    preview = forge_preview(connection=connection, user=org_admin, rules=RULES)
    assert Repository.objects.count() == 0
    assert preview.state == ImportState.PREVIEWED
    assert preview.counts == {
        "create": 230 - 23 - 9,
        "exists": 0,
        "unmapped": 0,
        "archived": 23,
        "fork": 9,
    }
    assert preview.api_calls == 3
    first = preview.preview[0]
    assert first["full_name"] == "acme/repo-0000"
    assert first["team"] == "search"


def test_unmapped_repositories_are_listed_not_created(connection, org_admin, search_team):
    preview = forge_preview(connection=connection, user=org_admin, rules="topic:fraud = search")
    assert preview.counts["unmapped"] > 0
    assert preview.counts["create"] + preview.counts["unmapped"] == 230 - 23 - 9


def test_a_wrong_rule_is_refused_before_the_forge_is_asked(connection, org_admin, forge):
    before = forge.state.requests
    with pytest.raises(ApplicationError, match="names the team 'nope'"):
        forge_preview(connection=connection, user=org_admin, rules="name:* = nope")
    assert forge.state.requests == before


def test_the_run_connects_mapped_repositories_to_their_teams(
    connection, org_admin, team, search_team
):
    done = _run(connection, org_admin)
    assert done.state == ImportState.FINISHED, done.error
    created = Repository.objects.filter(forge_import=done)
    assert created.count() == 198 == done.counts["created"]
    fraud = created.get(url=f"https://{CLONE_HOST}/acme/repo-0001.git")
    assert fraud.team == team
    assert created.get(url=f"https://{CLONE_HOST}/acme/repo-0002.git").team == search_team
    assert decrypt(fraud.access_token_encrypted) == "ghp_s3cret"
    assert not created.filter(url__endswith="repo-0009.git").exists()  # archived
    assert not created.filter(url__endswith="repo-0023.git").exists()  # a fork
    event = AuditEvent.objects.get(action=AuditAction.IMPORT_RAN)
    assert event.details["created"] == 198
    assert event.actor == org_admin


def test_re_running_picks_up_new_repositories_and_leaves_existing_ones_alone(
    connection, org_admin, lead, team, search_team, forge
):
    by_hand = repository_connect(
        team=team, user=lead, url=f"https://{CLONE_HOST}/acme/repo-0002", forge_import=None
    )
    first = _run(connection, org_admin)
    assert first.counts["exists"] == 1
    assert first.counts["created"] == 197
    ids = set(Repository.objects.values_list("pk", flat=True))
    forge.state.repos.append(FakeRepo("brand-new", topics=["fraud"]))
    second = _run(connection, org_admin)
    assert second.counts["created"] == 1
    assert second.counts["exists"] == 198
    new = Repository.objects.exclude(pk__in=ids).get()
    assert new.url.endswith("/acme/brand-new.git")
    assert new.team == team
    by_hand.refresh_from_db()
    assert by_hand.team == team
    assert by_hand.forge_import is None


def test_clone_urls_the_forge_points_at_private_addresses_are_refused_one_by_one(
    connection, org_admin, search_team, forge
):
    forge.state.clone_host = "10.0.0.9"
    done = _run(connection, org_admin)
    assert done.state == ImportState.FINISHED
    assert done.counts["refused"] == 198
    assert "created" not in done.counts
    refused = next(row for row in done.preview if row["action"] == "refused")
    assert refused["reason"] == (
        "The address 10.0.0.9 is a private address; only public addresses are allowed."
    )
    assert not Repository.objects.exists()


def test_a_rate_limit_refusal_during_the_run_is_waited_out(
    connection, org_admin, search_team, forge, monkeypatch
):
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    forge.state.refuse_request = forge.state.requests + 2
    forge.state.retry_after = 2
    done = _run(connection, org_admin)
    assert done.state == ImportState.FINISHED
    assert done.counts["created"] == 198
    assert slept == [2.0]
    assert done.api_calls == 3 + 4  # the preview's pages, then the run's with one retry


def test_a_rate_limit_too_long_to_wait_fails_the_import_saying_when_to_retry(
    connection, org_admin, search_team, forge, settings
):
    preview = forge_preview(connection=connection, user=org_admin, rules=RULES)
    forge_import_start(forge_import=preview, user=org_admin)
    forge.state.refuse_request = forge.state.requests + 1
    forge.state.retry_after = 7200
    done = forge_import_run(import_id=preview.pk)
    assert done.state == ImportState.FAILED
    assert done.error.startswith("The forge's rate limit is spent; try the import again after ")
    assert Repository.objects.count() == 0


def test_an_import_runs_once(connection, org_admin, search_team):
    done = _run(connection, org_admin)
    assert forge_import_run(import_id=done.pk) is None
    with pytest.raises(ApplicationError, match="already run"):
        forge_import_start(forge_import=done, user=org_admin)


def test_comparable_urls_ignore_git_suffix_and_host_case():
    assert comparable_url("https://GitHub.com/a/b.git/") == comparable_url("https://github.com/a/b")


def test_preview_rows_never_hold_the_token(connection, org_admin, search_team):
    preview = forge_preview(connection=connection, user=org_admin, rules=RULES)
    assert "ghp_s3cret" not in str(preview.preview)
    assert ForgeImport.objects.filter(pk=preview.pk).exists()


def test_the_reaper_resends_a_lost_import_and_fails_one_whose_worker_died(
    connection, org_admin, search_team, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.services.forges import imports_reap

    sent = []
    monkeypatch.setattr("assessments.tasks.run_forge_import.delay", sent.append)
    lost = forge_preview(connection=connection, user=org_admin, rules=RULES)
    forge_import_start(forge_import=lost, user=org_admin)
    dead = forge_preview(connection=connection, user=org_admin, rules=RULES)
    long_ago = timezone.now() - timedelta(hours=2)
    ForgeImport.objects.filter(pk=lost.pk).update(queued_at=long_ago)
    ForgeImport.objects.filter(pk=dead.pk).update(state=ImportState.RUNNING, started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_reap() == {"redispatched": 1, "failed": 1}
    assert sent == [lost.pk]
    dead.refresh_from_db()
    assert dead.state == ImportState.FAILED
    assert dead.error.startswith("The import was interrupted before it finished")
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_reap() == {"redispatched": 0, "failed": 0}


def test_a_preview_waits_seconds_for_a_rate_limit_not_a_minute(connection, org_admin, forge):
    forge.state.refuse_request = forge.state.requests + 1
    forge.state.retry_after = 30
    with pytest.raises(ApplicationError, match="rate limit is spent; try the import again after"):
        forge_preview(connection=connection, user=org_admin, rules="")
    assert not ForgeImport.objects.exists()
