"""CODEOWNERS in a forge import, through the local HTTPS fake forge (tests/fakeforge.py): each
repository's CODEOWNERS, read with the import's own token and rate-limit handling, maps it to
the team linked to the forge team it names; the import page says which line (or which rule,
or by hand) mapped each repository."""

import re

import pytest
from django.urls import reverse

from assessments.models import ForgeImport, Repository
from assessments.scanning.codeowners import MAX_BYTES
from assessments.services.forges import (
    forge_connect,
    forge_import_run,
    forge_import_start,
    forge_preview,
)

from .factories import TeamFactory
from .fakeforge import FakeForge, FakeRepo, ForgeState


@pytest.fixture(autouse=True)
def dispatched(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("assessments.services.scans._dispatch", sent.append)
    return sent


# Where each forge looks first and last (GitHub: .github/, root, docs/; GitLab: root, docs/,
# .gitlab/).
FIRST = {"github": ".github/CODEOWNERS", "gitlab": "CODEOWNERS"}
LAST = {"github": "docs/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS"}
OWN = {"github": ".github/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS"}


def organisation_repos(kind):
    return [
        FakeRepo("churn", files={OWN[kind]: "# ML\n* @acme/fraud-detection\n"}),
        FakeRepo("ranker", files={"CODEOWNERS": "*.md @acme/docs\n* @acme/ds-core\n"}),
        FakeRepo("docs-site", files={"docs/CODEOWNERS": "* @acme/search @alice\n"}),
        # The first place the forge looks wins: the later file is never read.
        FakeRepo(
            "both",
            files={FIRST[kind]: "* @acme/search\n", LAST[kind]: "* @acme/x\n"},
        ),
        FakeRepo("huge", files={"CODEOWNERS": "* @acme/search\n" + "#" * MAX_BYTES}),
        FakeRepo("stranger", files={"CODEOWNERS": "* @evil/fraud-detection\n"}),
        FakeRepo("pinned", files={"CODEOWNERS": "* @acme/search\n"}),
        FakeRepo("plain", topics=["ml"]),
        FakeRepo("old", archived=True, files={"CODEOWNERS": "* @acme/search\n"}),
    ]


RULES = "repo:acme/pinned = fraud-detection\nowners:@acme/ds-core = fraud-detection\n"


@pytest.fixture(params=["github", "gitlab"])
def forge(request, settings):
    state = ForgeState(kind=request.param, owner="acme", repos=organisation_repos(request.param))
    with FakeForge(state) as server:
        settings.FORGE_ALLOW_LOOPBACK = True
        settings.FORGE_CA_BUNDLE = server.ca_path
        yield server


@pytest.fixture
def connection(forge, team, org_admin):
    TeamFactory(organization=team.organization, slug="search", name="Search")
    return forge_connect(
        organization=team.organization,
        user=org_admin,
        kind=forge.state.kind,
        owner="acme",
        token="s3cret-token",
        api_url=forge.api_url,
    )


def by_name(forge_import):
    return {row["full_name"].removeprefix("acme/"): row for row in forge_import.preview}


def test_codeowners_maps_each_repository_and_says_which_line(forge, connection, org_admin):
    preview = forge_preview(
        connection=connection, user=org_admin, rules=RULES, read_codeowners=True
    )
    rows = by_name(preview)
    kind = forge.state.kind
    mapped = {name: (row["team"], row["source"], row["rule"]) for name, row in rows.items()}
    assert mapped == {
        "churn": (
            "fraud-detection",
            "codeowners",
            f"{OWN[kind]} line 2: @acme/fraud-detection",
        ),
        "ranker": ("fraud-detection", "codeowners", "CODEOWNERS line 2: @acme/ds-core"),
        "docs-site": ("search", "codeowners", "docs/CODEOWNERS line 1: @acme/search"),
        "both": ("search", "codeowners", f"{FIRST[kind]} line 1: @acme/search"),
        "huge": (None, "", ""),
        "stranger": (None, "", ""),
        "pinned": ("fraud-detection", "manual", "Manual (rules line 1)"),
        "plain": (None, "", ""),
        "old": (None, "", ""),
    }
    assert rows["huge"]["note"] == "CODEOWNERS not read: larger than 64 KiB"
    assert "@evil/fraud-detection, linked to no team here" in rows["stranger"]["note"]
    assert (rows["old"]["action"], rows["plain"]["action"]) == ("archived", "unmapped")
    # Every file request carried the connection's token, and no read went to the archived
    # repository or the one mapped by hand.
    file_paths = [p for p in forge.state.paths if "CODEOWNERS" in p]
    assert not [p for p in file_paths if "/old/" in p or "old%2F" in p or "pinned" in p]
    assert set(forge.state.tokens_seen) == {
        "Bearer s3cret-token" if forge.state.kind == "github" else "s3cret-token"
    }
    # One listing page, then up to three file requests for each of the 7 repositories read.
    assert preview.api_calls == 1 + len(file_paths)
    # churn, ranker, docs-site, both, huge, stranger, plain: where each file is in the order.
    reads = {"github": 1 + 2 + 3 + 1 + 2 + 2 + 3, "gitlab": 3 + 1 + 2 + 1 + 1 + 1 + 3}
    assert len(file_paths) == reads[kind]


def test_without_codeowners_nothing_is_read(forge, connection, org_admin):
    preview = forge_preview(connection=connection, user=org_admin, rules=RULES)
    assert preview.api_calls == 1
    assert not [p for p in forge.state.paths if "CODEOWNERS" in p]
    assert by_name(preview)["churn"]["action"] == "unmapped"


def test_the_run_connects_each_repository_to_the_team_codeowners_names(connection, org_admin, team):
    preview = forge_preview(
        connection=connection, user=org_admin, rules=RULES, read_codeowners=True
    )
    forge_import_start(forge_import=preview, user=org_admin)
    done = forge_import_run(import_id=preview.pk)
    teams = dict(Repository.objects.values_list("url", "team__slug"))
    named = {url.rsplit("/", 1)[-1].removesuffix(".git"): slug for url, slug in teams.items()}
    assert named == {
        "churn": "fraud-detection",
        "ranker": "fraud-detection",
        "docs-site": "search",
        "both": "search",
        "pinned": "fraud-detection",
    }
    rows = by_name(done)
    assert (rows["churn"]["action"], rows["churn"]["source"]) == ("created", "codeowners")


def test_the_import_page_shows_what_mapped_each_repository(client, connection, org_admin, team):
    client.force_login(org_admin)
    page = client.get(reverse("forge_detail", args=[connection.pk])).content.decode()
    (checkbox,) = re.findall(r'<input[^>]*name="read_codeowners"[^>]*>', page)
    assert "checked" in checkbox  # on by default
    response = client.post(
        reverse("forge_detail", args=[connection.pk]),
        {"rules": RULES, "read_codeowners": "on"},
    )
    preview = ForgeImport.objects.get()
    assert preview.read_codeowners
    text = client.get(response.url).content.decode()
    assert "Mapped by" in text
    assert f">{OWN[connection.kind]} line 2: @acme/fraud-detection<" in text
    assert ">Manual (rules line 1)<" in text
    assert "@evil/fraud-detection, linked to no team here" in text
