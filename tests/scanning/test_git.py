"""Hardened git access: clean environment, pinned address, secret token, killed processes,
partial fetches whose missing blobs stay missing."""

import base64
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from assessments.scanning import LimitExceeded, RepositoryUnavailable, SafeRepositoryURL
from assessments.scanning.git import (
    Deadline,
    GitSession,
    classify_failure,
    clone_local,
    fetch_shallow,
    ls_remote,
    run_process,
    scrub,
    validate_branch,
)
from assessments.scanning.gitobjects import BlobReader, list_tree

from .gitrepo import git, make_repo

TOKEN = "ghp_ThisIsNotARealTokenButLooksLikeOne1234"


def remote_session(tmp_path, *, address="140.82.112.3", token=None, port=443, deadline=30):
    source = SafeRepositoryURL(
        url=f"https://git.example.com:{port}/org/repo"
        if port != 443
        else "https://git.example.com/org/repo",
        host="git.example.com",
        port=port,
        address=address,
    )
    return GitSession(
        str(tmp_path / "work"), deadline=Deadline(deadline), source=source, access_token=token
    )


def local_session(tmp_path, repo: Path, *, deadline=30):
    source = SafeRepositoryURL(url=str(repo), host="", port=0, address=None, is_local=True)
    return GitSession(str(tmp_path / "work"), deadline=Deadline(deadline), source=source)


# -- environment and command line --------------------------------------------------------------


def test_it_runs_git_with_a_clean_hardened_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("GIT_SSH_COMMAND", "touch /tmp/pwned")
    session = remote_session(tmp_path)
    env = session.environment(network=True)
    assert "HTTPS_PROXY" not in env
    assert "GIT_SSH_COMMAND" not in env
    assert env["HOME"].startswith(str(tmp_path))
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"
    assert env["GIT_CONFIG_GLOBAL"] == os.devnull
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_PROTOCOL_FROM_USER"] == "0"
    assert env["GIT_ALLOW_PROTOCOL"] == "https"
    assert env["GIT_NO_LAZY_FETCH"] == "1"
    assert session.environment(network=False)["GIT_ALLOW_PROTOCOL"] == "none"


def test_it_disables_hooks_submodules_symlinks_redirects_and_other_protocols(tmp_path):
    argv = remote_session(tmp_path).command("fetch", "--", "https://git.example.com/org/repo")
    settings = [argv[i + 1] for i, part in enumerate(argv) if part == "-c"]
    for expected in (
        "core.hooksPath=/dev/null",
        "core.symlinks=false",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "http.followRedirects=false",
        "protocol.allow=never",
        "protocol.file.allow=never",
        "protocol.https.allow=always",
        "credential.helper=",
    ):
        assert expected in settings
    assert argv[argv.index("fetch") + 1] == "--"


def test_it_pins_the_checked_address_for_https(tmp_path):
    argv = remote_session(tmp_path).command("ls-remote", network=True)
    assert "http.curloptResolve=git.example.com:443:140.82.112.3" in argv


def test_it_brackets_a_pinned_ipv6_address(tmp_path):
    argv = remote_session(tmp_path, address="2606:4700::1111").command("fetch", network=True)
    assert "http.curloptResolve=git.example.com:443:[2606:4700::1111]" in argv


def test_it_passes_the_token_in_the_environment_never_on_the_command_line(tmp_path):
    session = remote_session(tmp_path, token=TOKEN)
    argv = session.command("fetch", "--", session.source.url, network=True)
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert not any(TOKEN in part or encoded in part for part in argv)
    env = session.environment(network=True)
    assert env["GIT_CONFIG_COUNT"] == "1"
    assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"] == f"Authorization: Basic {encoded}"
    assert "GIT_CONFIG_VALUE_0" not in session.environment(network=False)


def test_it_scrubs_the_token_from_error_text():
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    text = f"fatal: {TOKEN} rejected; header Authorization: Basic {encoded}"
    cleaned = scrub(text, (TOKEN, encoded))
    assert TOKEN not in cleaned
    assert encoded not in cleaned


def test_a_fetch_connects_to_the_pinned_address_and_hides_the_token(tmp_path):
    """git must reach the address checked at validation time, not resolve the name again."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10)

    def accept_once():
        try:
            connection, _ = server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            received.append(connection.recv(4096))  # the TLS ClientHello, then hang up

    thread = threading.Thread(target=accept_once, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    session = remote_session(tmp_path, address="127.0.0.1", port=port, token=TOKEN)
    try:
        with pytest.raises(RepositoryUnavailable) as failed:
            ls_remote(session, session.source.url)
    finally:
        thread.join(timeout=10)
        server.close()
    error = failed.value
    # git.example.com does not resolve to us: the connection proves the address was pinned,
    # and the name travels in the TLS server name indication as it should.
    assert received
    assert b"git.example.com" in received[0]
    assert "Could not resolve host" not in error.detail
    assert TOKEN not in str(error)
    assert TOKEN not in error.detail


@pytest.mark.parametrize(
    ("stderr", "transient", "message"),
    [
        ("fatal: Authentication failed for 'https://x/'", False, "private or the access token"),
        ("remote: Repository not found.", False, "was not found"),
        ("The requested URL returned error: 404", False, "was not found"),
        ("fatal: couldn't find remote ref refs/heads/nope", False, "branch does not exist"),
        ("error: RPC failed; curl 56 Recv failure: Connection reset", True, "could not be reached"),
        ("fatal: unable to access: Failed to connect to x port 443", True, "could not be reached"),
        ("SSL certificate problem: self signed certificate", False, "TLS certificate"),
    ],
)
def test_it_classifies_git_failures_for_retries(stderr, transient, message):
    error = classify_failure(stderr, network=True)
    assert error.transient is transient
    assert message in str(error)


@pytest.mark.parametrize(
    "branch", ["-x", "--upload-pack=sh", "a..b", "a b", "a\nb", "@{-1}", "x.lock", "/x", "x/"]
)
def test_it_refuses_branch_names_git_could_misread(branch):
    with pytest.raises(RepositoryUnavailable, match="branch name is not valid"):
        validate_branch(branch)


@pytest.mark.parametrize("branch", ["main", "release/1.2", "feature/ml-pipeline_v2"])
def test_it_accepts_ordinary_branch_names(branch):
    assert validate_branch(branch) == branch


# -- process control ----------------------------------------------------------------------------


def _state(pid: int) -> str | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    return next(line.split()[1] for line in status.splitlines() if line.startswith("State:"))


def test_the_deadline_kills_the_whole_process_group(tmp_path):
    marker = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {marker}; wait"
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="longer than"):
        run_process(
            ["sh", "-c", script],
            env={"PATH": os.environ["PATH"]},
            cwd=str(tmp_path),
            deadline=Deadline(1.0),
        )
    assert time.monotonic() - started < 5
    child = int(marker.read_text())
    for _ in range(50):
        if _state(child) in (None, "Z"):
            break
        time.sleep(0.05)
    assert _state(child) in (None, "Z"), "the grandchild survived the deadline"


def test_it_stops_a_process_that_writes_too_much(tmp_path):
    with pytest.raises(LimitExceeded, match="more git output"):
        run_process(
            ["yes"],
            env={"PATH": os.environ["PATH"]},
            cwd=str(tmp_path),
            deadline=Deadline(10),
            max_output=1_000_000,
        )


# -- fetching and reading -----------------------------------------------------------------------


@pytest.fixture
def partial_source(tmp_path):
    repo = make_repo(
        tmp_path / "source",
        {
            "train.py": "import mlflow\nmlflow.log_metric('auc', 0.9)\n",
            "data/big.csv": "x,y\n" + "1,2\n" * 20_000,
        },
        tags=("churn@v1.0.0",),
    )
    git(repo, "config", "uploadpack.allowFilter", "true")
    return repo


def test_a_shallow_partial_fetch_leaves_big_blobs_missing_and_never_fetches_them(
    tmp_path, partial_source
):
    session = local_session(tmp_path, partial_source)
    fetched = fetch_shallow(session, f"file://{partial_source}", branch="main", blob_limit=10_000)
    config = git(Path(session.git_dir), "config", "--list", "--local")
    assert "promisor" not in config
    assert "partialclone" not in config
    listing = list_tree(session, fetched.commit, max_files=100)
    sizes = {entry.path: entry.size for entry in listing.files}
    assert sizes["data/big.csv"] is None
    assert sizes["train.py"] > 0
    # With the source gone a lazy fetch would fail loudly; reading must just report "missing".
    partial_source.rename(tmp_path / "moved-away")
    reader = BlobReader(session)
    try:
        big = next(e for e in listing.files if e.path == "data/big.csv")
        small = next(e for e in listing.files if e.path == "train.py")
        assert reader.read(big.oid) is None
        assert reader.read(small.oid).startswith(b"import mlflow")
    finally:
        reader.close()
    assert any(ref.name == "refs/tags/churn@v1.0.0" for ref in fetched.refs)
    assert fetched.history_available is True
    assert fetched.commits_last_90_days == 1
    tag = next(ref for ref in fetched.refs if ref.name == "refs/tags/churn@v1.0.0")
    assert tag.timestamp is not None  # the tag's commit was fetched without its tree


def test_a_missing_branch_is_a_permanent_failure(tmp_path, partial_source):
    session = local_session(tmp_path, partial_source)
    with pytest.raises(RepositoryUnavailable, match="branch does not exist") as failed:
        fetch_shallow(session, f"file://{partial_source}", branch="nope", blob_limit=10_000)
    assert failed.value.transient is False


def test_cloning_a_folder_that_is_not_a_repository_fails_clearly(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    session = local_session(tmp_path, folder)
    with pytest.raises(RepositoryUnavailable) as failed:
        clone_local(session, branch=None, history_days=90)
    assert failed.value.transient is False
    assert str(failed.value) == "The local path is not a git repository."


def test_a_local_clone_shares_objects_and_keeps_history(tmp_path, partial_source):
    session = local_session(tmp_path, partial_source)
    fetched = clone_local(session, branch=None, history_days=90)
    alternates = Path(session.git_dir, "objects", "info", "alternates")
    assert alternates.exists()
    assert fetched.history_available
    assert fetched.commits_last_90_days == 1
    assert fetched.branch == "main"


def test_the_file_cap_stops_the_listing(tmp_path):
    repo = make_repo(tmp_path / "many", {f"f{i:03}.py": "x = 1\n" for i in range(50)})
    session = local_session(tmp_path, repo)
    fetched = clone_local(session, branch=None, history_days=90)
    listing = list_tree(session, fetched.commit, max_files=10)
    assert listing.truncated is True
    assert len(listing.files) == 10


def test_git_is_never_given_the_source_config(tmp_path):
    """A hostile source repository's config (fsmonitor, pack hooks) is never executed."""
    marker = tmp_path / "pwned"
    repo = make_repo(tmp_path / "hostile", {"train.py": "import torch\n"})
    git(repo, "config", "core.fsmonitor", f"touch {marker}")
    git(repo, "config", "uploadpack.packObjectsHook", f"touch {marker}")
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "pre-upload-pack", "post-merge", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    session = local_session(tmp_path, repo)
    fetched = clone_local(session, branch=None, history_days=90)
    list_tree(session, fetched.commit, max_files=10)
    fetched_shallow = fetch_shallow(
        local_session(tmp_path / "again", repo), f"file://{repo}", branch="main", blob_limit=1000
    )
    assert fetched_shallow.commit == fetched.commit
    assert not marker.exists()


def test_it_finds_the_git_version():
    from assessments.scanning.git import git_version

    assert git_version() >= (2, 0)
    assert subprocess.run(["git", "--version"], capture_output=True, check=True).returncode == 0


def test_a_ca_bundle_is_trusted_for_network_commands_only(tmp_path):
    bundle = tmp_path / "internal-ca.pem"
    session = GitSession(
        str(tmp_path / "w"),
        deadline=Deadline(10),
        source=remote_session(tmp_path).source,
        ca_bundle=str(bundle),
    )
    assert f"http.sslCAInfo={bundle}" in session.command("fetch", network=True)
    assert not any("sslCAInfo" in part for part in session.command("cat-file", network=False))
    assert not any("sslCAInfo" in part for part in remote_session(tmp_path).command("fetch"))
