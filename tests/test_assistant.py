"""The assistant's door: an MCP server acting for a token's owner, tested with the MCP SDK's own
client, in process and as the management command an assistant starts."""

import asyncio
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from mcp import Client, StdioServerParameters

from assessments.assistant import build_server
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.tokens import api_token_create

from .assessment_helpers import answer_everything, answers_all
from .factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The command runs in a process of its own, which reads the test database: only PostgreSQL's
# is shared (SQLite's test database lives in this process's memory).
POSTGRES_ONLY = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the server process reads the test database, which only PostgreSQL shares",
)


def shared_database_url() -> str:
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.fixture
def assessed(team, member, other_team_member):
    for someone_team, someone, answer in ((team, member, "partly"),):
        draft = assessment_start(team=someone_team, user=someone)
        answer_everything(draft, answers_all(answer), someone)
        assessment_submit(assessment=draft, user=someone)
    return team


def run_async(coroutine_function):
    """Run the client in an event loop of its own thread: a browser test's Playwright may be
    running one in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()


def call(user, tool, arguments=None):
    async def run():
        async with Client(build_server(user)) as client:
            return await client.call_tool(tool, arguments or {})

    return run_async(run)


def data(result):
    assert not result.is_error, result.content
    content = result.structured_content
    # The SDK wraps a list in {"result": ...}; a dict is the content itself.
    return content["result"] if list(content) == ["result"] else content


def test_the_tools_an_assistant_sees(member):
    async def run():
        async with Client(build_server(member)) as client:
            return await client.list_tools()

    names = {tool.name for tool in run_async(run).tools}
    assert names == {"list_teams", "team_result", "team_roadmap", "teams_missing", "fetch_kit"}


def test_list_teams_shows_only_the_users_teams_with_levels(assessed, member):
    stranger_team = TeamFactory(organization=assessed.organization)
    teams = data(call(member, "list_teams"))
    assert [t["team"] for t in teams] == [assessed.slug]
    assert stranger_team.slug not in json.dumps(teams)
    assert teams[0]["level"] in (0, 1, 2)
    assert teams[0]["index"] is not None


def test_team_result_and_roadmap(assessed, member):
    result = data(call(member, "team_result", {"team": assessed.slug}))
    assert result["level"] in (0, 1, 2)
    assert result["why_not_next_level"]
    assert result["missing_for_target"]
    roadmap = data(call(member, "team_roadmap", {"team": assessed.slug}))
    assert roadmap
    assert {"capability", "what_to_do", "how_it_is_verified", "kit"} <= set(roadmap[0])


def test_another_teams_result_is_refused_as_if_it_did_not_exist(assessed, other_team_member):
    refused = call(other_team_member, "team_result", {"team": assessed.slug})
    assert refused.is_error
    assert f"There is no team '{assessed.slug}' that you can see." in refused.content[0].text
    missing = call(other_team_member, "team_result", {"team": "no-such-team"})
    assert missing.content[0].text.replace("no-such-team", assessed.slug) == (
        refused.content[0].text
    )


def test_teams_missing_a_capability_follow_the_tenancy_rule(assessed, member, org_admin):
    missing = data(call(org_admin, "teams_missing", {"capability": "data_validation"}))
    assert [t["team"] for t in missing] == [assessed.slug]  # "partly": not in place
    outsider = MembershipFactory(team=TeamFactory(), user=UserFactory()).user
    assert data(call(outsider, "teams_missing", {"capability": "data_validation"})) == []
    unknown = call(member, "teams_missing", {"capability": "nope"})
    assert unknown.is_error
    assert "no capability 'nope'" in unknown.content[0].text


def test_fetch_kit_refuses_an_unknown_kit_or_repository(assessed, member):
    no_kit = call(
        member,
        "fetch_kit",
        {"team": assessed.slug, "repository": "x", "capability": "feature_store"},
    )
    assert "There is no kit for 'feature_store'" in no_kit.content[0].text
    no_repo = call(
        member,
        "fetch_kit",
        {"team": assessed.slug, "repository": "https://example.com/x.git", "capability": "ci"},
    )
    assert "has no connected repository" in no_repo.content[0].text


@POSTGRES_ONLY
def test_the_management_command_serves_over_stdio_for_a_tokens_owner(assessed, member):
    _, plaintext = api_token_create(user=member, name="assistant")
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "MLMATURITY_API_TOKEN": plaintext,
    }

    async def run(env):
        parameters = StdioServerParameters(
            command=sys.executable,
            args=["manage.py", "mcp_server"],
            env=env,
            cwd=str(settings.BASE_DIR),
        )
        async with Client(parameters) as client:
            return await client.call_tool("list_teams", {})

    teams = data(run_async(lambda: run(environment)))
    assert [t["team"] for t in teams] == [assessed.slug]


def run_command(environment):
    import subprocess

    return subprocess.run(
        [sys.executable, "manage.py", "mcp_server"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_the_command_refuses_to_start_without_a_token():
    done = run_command({**os.environ, "MLMATURITY_API_TOKEN": ""})
    assert done.returncode == 2
    assert "set MLMATURITY_API_TOKEN to a personal API token" in done.stderr


@POSTGRES_ONLY
def test_the_command_refuses_an_unknown_or_revoked_token(member):
    from assessments.services.tokens import api_token_revoke

    token, plaintext = api_token_create(user=member, name="assistant")
    api_token_revoke(token=token, user=member)
    for candidate in ("mlm_not-a-token", plaintext):
        done = run_command(
            {**os.environ, "DATABASE_URL": shared_database_url(), "MLMATURITY_API_TOKEN": candidate}
        )
        assert done.returncode == 2
        assert "MLMATURITY_API_TOKEN is not an active API token" in done.stderr


def test_fetch_kit_returns_a_patch_of_the_connected_repository(assessed, lead, tmp_path):
    from assessments.services.repositories import repository_connect

    from .scanning import archetypes
    from .scanning.gitrepo import make_repo

    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    repository_connect(team=assessed, user=lead, url=str(repo))
    kit = data(
        call(
            lead, "fetch_kit", {"team": assessed.slug, "repository": str(repo), "capability": "ci"}
        )
    )
    assert kit["files"] == [".github/workflows/ci.yml"]
    assert len(kit["commit"]) == 40
    assert kit["patch"].startswith("diff --git a/.github/workflows/ci.yml")
    assert kit["does_not"]
